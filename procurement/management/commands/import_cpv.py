"""Load the CPV 2008 list from the official file (cpv_2008_ver_2013.xlsx, or the same as CSV), as
the load page does: all rows or none. Without ``--as`` the history records the load as made at
the command line."""

from procurement.cpv_importing import KIND
from procurement.management.import_command import ImportCommand


class Command(ImportCommand):
    help = "Load the CPV 2008 list from the official XLSX file or a CSV of it (all rows or none)."
    kind = KIND
    what = "CPV codes"
    as_required = False

    def summary(self, result, *, verb: str) -> str:
        return (
            f"{result.rows} rows: {result.created} CPV codes {verb} added, "
            f"{result.updated} updated, {result.unchanged} unchanged."
        )
