from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "alerts"
    verbose_name = "Renewal alerts, escalations and the notification ledger"

    def ready(self) -> None:
        from procurement import attention, navigation
        from procurement import demo as demo_registry

        from . import (
            demo,
            home,
            receivers,  # noqa: F401 - the writes that keep the open alerts
        )

        attention.register(home.alerts_needing_attention)
        navigation.register(
            navigation.Section(
                "Notifications", "alerts:notifications", "procurement.view_notifications", 95
            )
        )
        demo_registry.register(demo_registry.DemoPart("alerts", demo.build, order=90))

        from procurement.panels import Link, Panel, register_link, register_panel

        from . import panels

        register_panel(
            "contract",
            Panel(
                "alerts",
                "alerts/_contract_panel.html",
                order=40,
                title="Renewal and alerts",
                context=panels.contract_section,
            ),
        )
        register_panel(
            "home", Panel("alerts", "alerts/_home.html", order=10, context=panels.home_panel)
        )
        register_link("home.account", Link("Your alerts and escalations", "alerts:mine", 10))
