"""Import the register from a CSV or XLSX file, as the import page does: all rows or none."""

from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from contracts.importing import (
    ImportFileError,
    ImportRefused,
    ImportResult,
    contracts_import,
    contracts_import_check,
)
from procurement.models import User


class Command(BaseCommand):
    help = "Import contracts from a CSV or XLSX file (all rows or none)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--as",
            dest="email",
            required=True,
            help="The email address of the user doing the import (their roles apply).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the file and report; write nothing."
        )

    def handle(self, *args, file: Path, email: str, dry_run: bool, **options):
        user = User.objects.filter(email__iexact=email, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user has the email address {email}.")
        if not file.is_file():
            raise CommandError(f"{file} is not a file.")
        try:
            with file.open("rb") as stream:
                if dry_run:
                    result = contracts_import_check(stream=stream, filename=file.name, by=user)
                else:
                    result = contracts_import(
                        stream=stream,
                        filename=file.name,
                        by=user,
                        reason=f"Imported from {file.name} (import_contracts)",
                    )
        except ImportFileError as error:
            raise CommandError(str(error)) from None
        except PermissionDenied:
            raise CommandError(f"{email} may not import contracts.") from None
        except ImportRefused as refused:
            result = refused.result
        self._report(result, dry_run=dry_run)
        if result.problems:
            raise CommandError(f"{len(result.problems)} problems: nothing was imported.")

    def _report(self, result: ImportResult, *, dry_run: bool) -> None:
        verb = "would be" if dry_run else "were"
        self.stdout.write(
            f"{result.rows} rows: {result.created} contracts {verb} added, "
            f"{result.updated} updated, {result.unchanged} unchanged."
        )
        for problem in result.problems:
            self.stdout.write(f"Row {problem.row}, {problem.column or 'file'}: {problem.message}")
