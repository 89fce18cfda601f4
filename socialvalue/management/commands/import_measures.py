"""Import social value measure libraries from a CSV or XLSX file, as the import page does: all
rows or none. Without ``--as`` the history records the import as made at the command line."""

from procurement.management.import_command import ImportCommand
from socialvalue.importing import measures_import, measures_import_check


class Command(ImportCommand):
    help = "Import social value measures from a CSV or XLSX file (all rows or none)."
    what = "measure libraries"
    as_required = False

    def check_file(self, **kwargs):
        return measures_import_check(**kwargs)

    def run(self, **kwargs):
        return measures_import(**kwargs)

    def summary(self, result, *, verb: str) -> str:
        return (
            f"{result.rows} rows: {result.libraries_created} libraries {verb} added; "
            f"{result.created} measures {verb} added, {result.updated} updated, "
            f"{result.unchanged} unchanged."
        )
