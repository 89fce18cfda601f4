"""Import the register from a CSV or XLSX file, as the import page does: all rows or none."""

from contracts.importing import KIND
from procurement.management.import_command import ImportCommand


class Command(ImportCommand):
    help = "Import contracts from a CSV or XLSX file (all rows or none)."
    kind = KIND
    what = "contracts"

    def summary(self, result, *, verb: str) -> str:
        return (
            f"{result.rows} rows: {result.created} contracts {verb} added, "
            f"{result.updated} updated, {result.unchanged} unchanged."
        )
