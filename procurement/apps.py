from pathlib import Path

from django.apps import AppConfig, apps
from django.conf import settings


class ProcurementConfig(AppConfig):
    name = "procurement"
    verbose_name = "Procurement governance: people and reference data"

    def ready(self) -> None:
        # Their signal receivers: every sign-in attempt recorded, sign-in counted as activity,
        # every write retiring the cached pieces of pages, and a new password revoking tokens;
        # and the checks ``check --deploy`` runs.
        from . import (  # noqa: F401
            caching,
            checks,
            cpv_importing,
            lockout,
            security,
            tokens,
        )
        from .text import normalise_text_fields

        # Titles, names and references of the project's own apps' models (their history too)
        # are stored as one line, without control characters (procurement/text.py).
        normalise_text_fields(
            model
            for config in apps.get_app_configs()
            if Path(config.path).parent == Path(settings.BASE_DIR)
            for model in config.get_models(include_auto_created=True)
        )
