from django.apps import AppConfig


class AssuranceConfig(AppConfig):
    name = "assurance"
    verbose_name = "Quarterly performance assurance"

    def ready(self) -> None:
        from procurement import attention, navigation
        from procurement import demo as demo_registry

        from . import demo, home

        attention.register(home.assurance_needing_attention)
        navigation.register(
            # A quarterly exercise: among the sections opened now and then.
            navigation.Section("Assurance", "assurance:list", "assurance.view_reports", 93)
        )
        demo_registry.register(demo_registry.DemoPart("assurance", demo.build, order=80))
