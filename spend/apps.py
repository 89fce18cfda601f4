from django.apps import AppConfig


class SpendConfig(AppConfig):
    name = "spend"
    verbose_name = "Spend and payments"

    def ready(self) -> None:
        # --- The gaps: the section, the contract page's Spend section, the alerts ---
        from procurement import navigation
        from procurement.panels import Panel, register_panel

        from . import (  # noqa: F401  (receivers: the threshold alerts)
            importing,
            panels,
            receivers,
        )

        navigation.register(navigation.Section("Spend", "spend:index", "spend.view_spend", 18))
        register_panel(
            "contract",
            Panel(
                "spend",
                "spend/_panel.html",
                order=45,
                title="Spend",
                context=panels.contract_section,
                reads=("spend",),
            ),
        )
