"""Import social value measure libraries from a CSV or XLSX file, as the import page does: all
rows or none. Without ``--as`` the history records the import as made at the command line."""

from procurement.management.import_command import ImportCommand
from socialvalue.importing import KIND


class Command(ImportCommand):
    help = "Import social value measures from a CSV or XLSX file (all rows or none)."
    kind = KIND
    what = "measure libraries"
    as_required = False

    def summary(self, result, *, verb: str) -> str:
        return (
            f"{result.rows} rows: {result.libraries_created} libraries {verb} added; "
            f"{result.created} measures {verb} added, {result.updated} updated, "
            f"{result.unchanged} unchanged."
        )
