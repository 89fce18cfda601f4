from django.apps import AppConfig


class OpendataConfig(AppConfig):
    name = "opendata"
    verbose_name = "Open data: OCDS and the Procurement Act 2023"

    def ready(self) -> None:
        from procurement import navigation

        navigation.register(
            navigation.Section(
                "Procurement Act", "opendata:procurement_act", "opendata.view_notices", 93
            )
        )
