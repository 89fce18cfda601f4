from django.apps import AppConfig


class SocialValueConfig(AppConfig):
    name = "socialvalue"
    verbose_name = "Social value"

    def ready(self) -> None:
        from procurement import attention, navigation
        from procurement import demo as demo_registry

        from . import (
            demo,
            home,
            importing,  # noqa: F401 - registers the import with the shared machinery
        )

        attention.register(home.social_value_needing_attention)
        navigation.register(
            navigation.Section(
                "Social value", "socialvalue:portfolio", "socialvalue.view_social_value", 17
            )
        )
        demo_registry.register(demo_registry.DemoPart("social value", demo.build, order=40))

        from procurement.panels import Panel, register_panel

        from . import panels

        register_panel(
            "contract",
            Panel(
                "social-value",
                "socialvalue/_panel.html",
                order=30,
                title="Social value",
                context=panels.contract_section,
            ),
        )
