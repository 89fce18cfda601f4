from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = "Dashboards and reports"

    def ready(self) -> None:
        from procurement import attention, navigation

        from . import (
            home,
            receivers,  # noqa: F401 - the writes that keep the dashboard's figures
        )

        # The register's counts first, as a person's own contracts come first.
        attention.register(home.register_needing_attention, order=0)

        navigation.register(
            navigation.Section("Dashboard", "reporting:dashboard", "reporting.view_dashboard", 5)
        )
        navigation.register(
            navigation.Section(
                "Annual reports", "reporting:annual_reports", "reporting.view_annual_reports", 96
            )
        )
