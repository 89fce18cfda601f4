"""Import a payment file from a finance system, as the import page does: all rows or none, and
no payment imported before (same source, transaction number and line) counted twice. Without
``--as`` the import is recorded as made at the command line."""

from django.core.management.base import CommandError

from procurement.management.import_command import ImportCommand
from spend.importing import KIND
from spend.models import PaymentSource


class Command(ImportCommand):
    help = (
        "Import payments from a finance system's CSV or XLSX file (all rows or none; a payment "
        "imported before is skipped)."
    )
    kind = KIND
    what = "payments"
    as_required = False
    new_source = ""  # a finance system the import adds, named by --source

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--source",
            required=True,
            help="The finance system the file comes from, by name: its saved mapping is used, "
            "and it is added if the service does not know it yet (not with --check).",
        )
        parser.add_argument(
            "--check", dest="dry_run", action="store_true", help="The same as --dry-run."
        )

    def import_options(self, *, write: bool, source: str, **options) -> dict:
        found = PaymentSource.objects.filter(name__iexact=source.strip()).first()
        if found is None and not source.strip():
            raise CommandError("Name the finance system the file comes from (--source).")
        if found is None:
            # Added with the import, in its transaction: a refused file adds no source.
            self.new_source = source.strip()
            return {"new_source": self.new_source}
        return {"source": found.pk}

    def summary(self, result, *, verb: str) -> str:
        added = ""
        if self.new_source and verb == "were" and result.ok:
            added = f"Added the finance system {self.new_source}.\n"
        return added + (
            f"{result.rows} rows: {result.added} payments {verb} added, "
            f"{result.already_imported} already imported; {result.credits} credit notes or "
            f"negative lines, {result.redacted} redacted payees."
        )
