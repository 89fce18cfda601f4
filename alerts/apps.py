from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "alerts"
    verbose_name = "Renewal alerts, escalations and the notification ledger"

    def ready(self) -> None:
        from procurement import attention, navigation
        from procurement import demo as demo_registry

        from . import demo, home

        attention.register(home.alerts_needing_attention)
        navigation.register(
            navigation.Section(
                "Notifications", "alerts:notifications", "procurement.view_notifications", 95
            )
        )
        demo_registry.register(demo_registry.DemoPart("alerts", demo.build, order=90))
