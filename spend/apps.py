from django.apps import AppConfig


class SpendConfig(AppConfig):
    name = "spend"
    verbose_name = "Spend and payments"

    def ready(self) -> None:
        from procurement import navigation
        from procurement.panels import Panel, register_panel

        # The payments import registers itself; the receivers keep the matching up with the
        # register and check contracts against their value when their payments change.
        from . import importing, panels, receivers  # noqa: F401

        navigation.register(navigation.Section("Spend", "spend:index", "spend.view_spend", 92))
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
        _register_demo()


def _register_demo() -> None:
    """The demo payments, after the register and the other parts (procurement/demo.py)."""
    from procurement import demo as demo_registry

    from . import demo

    demo_registry.register(demo_registry.DemoPart("spend", demo.build, order=95))
