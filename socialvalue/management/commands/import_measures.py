"""Import a social value measure library from a CSV or XLSX file, as the import page does: all
rows or none."""

from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from procurement.models import User
from procurement.tabular import ImportFileError, ImportRefused
from socialvalue.importing import MeasuresImportResult, measures_import, measures_import_check


class Command(BaseCommand):
    help = "Import social value measures from a CSV or XLSX file (all rows or none)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the file and report; write nothing."
        )
        parser.add_argument(
            "--as",
            dest="email",
            help="The email address of the user doing the import, recorded in the history "
            "(their roles apply). Without it the import is recorded as made at the command line.",
        )

    def handle(self, *args, file: Path, dry_run: bool, email: str | None, **options):
        user = None
        if email:
            user = User.objects.filter(email__iexact=email, is_active=True).first()
            if user is None:
                raise CommandError(f"No active user has the email address {email}.")
        if not file.is_file():
            raise CommandError(f"{file} is not a file.")
        try:
            with file.open("rb") as stream:
                if dry_run:
                    result = measures_import_check(stream=stream, filename=file.name, by=user)
                else:
                    result = measures_import(
                        stream=stream,
                        filename=file.name,
                        by=user,
                        reason=f"Imported from {file.name} (import_measures)",
                    )
        except ImportFileError as error:
            raise CommandError(str(error)) from None
        except PermissionDenied:
            raise CommandError(f"{email} may not import measure libraries.") from None
        except ImportRefused as refused:
            result = refused.result
        self._report(result, dry_run=dry_run)
        if result.problems:
            raise CommandError(f"{len(result.problems)} problems: nothing was imported.")

    def _report(self, result: MeasuresImportResult, *, dry_run: bool) -> None:
        verb = "would be" if dry_run else "were"
        self.stdout.write(
            f"{result.rows} rows: {result.libraries_created} libraries {verb} added; "
            f"{result.created} measures {verb} added, {result.updated} updated, "
            f"{result.unchanged} unchanged."
        )
        for problem in result.problems:
            self.stdout.write(f"Row {problem.row}, {problem.column or 'file'}: {problem.message}")
