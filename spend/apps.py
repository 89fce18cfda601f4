from django.apps import AppConfig


class SpendConfig(AppConfig):
    name = "spend"
    verbose_name = "Spend and payments"

    def ready(self) -> None:
        from . import importing  # noqa: F401  (registers the payments import)

        # The review queue: a contract saved attributes its supplier's payments again.
        from .receivers import contract_saved  # noqa: F401

        _register_demo()


def _register_demo() -> None:
    """The demo payments, after the register and the other parts (procurement/demo.py)."""
    from procurement import demo as demo_registry

    from . import demo

    demo_registry.register(demo_registry.DemoPart("spend", demo.build, order=95))
