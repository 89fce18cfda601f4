from django.apps import AppConfig


class ProcurementConfig(AppConfig):
    name = "procurement"
    verbose_name = "Procurement governance: people and reference data"

    def ready(self) -> None:
        from . import lockout  # noqa: F401 - records every sign-in attempt (its signal receivers)
