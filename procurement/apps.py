from django.apps import AppConfig


class ProcurementConfig(AppConfig):
    name = "procurement"
    verbose_name = "Procurement governance: people and reference data"

    def ready(self) -> None:
        # Their signal receivers: every sign-in attempt recorded, sign-in counted as activity,
        # every write retiring the cached pieces of pages, and a new password revoking tokens.
        from . import caching, lockout, security, tokens  # noqa: F401
