from django.apps import AppConfig


class SpendConfig(AppConfig):
    name = "spend"
    verbose_name = "Spend and payments"

    def ready(self) -> None:
        from . import importing  # noqa: F401  (registers the payments import)

        # The review queue: a contract saved attributes its supplier's payments again.
        from .receivers import contract_saved  # noqa: F401
