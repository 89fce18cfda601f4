from django.apps import AppConfig


class ProcurementConfig(AppConfig):
    name = "procurement"
    verbose_name = "Procurement governance: people and reference data"

    def ready(self) -> None:
        # Their signal receivers: every sign-in attempt recorded, and sign-in counted as activity.
        from . import lockout, security  # noqa: F401
