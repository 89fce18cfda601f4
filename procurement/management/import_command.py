"""What the import commands share: read the file as the import page does, report every problem by
row and column, and write all rows or none."""

from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from procurement.imports import ImportKind, import_file
from procurement.models import User
from procurement.tabular import ImportFileError, ImportRefused
from procurement.text import counted


class ImportCommand(BaseCommand):
    """Subclasses set ``kind`` (the import, procurement/imports.py), ``what`` and
    ``as_required``, and give ``summary``. (No method may be called ``check``: that name is
    Django's system checks, run before every command.)"""

    kind: ImportKind
    what = "rows"  # what the file holds, for messages: "contracts", "measure libraries"
    as_required = True

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="The CSV or XLSX file to import.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the file and report; write nothing."
        )
        parser.add_argument(
            "--as",
            dest="email",
            required=self.as_required,
            help="The email address of the user doing the import (their roles apply)."
            + ("" if self.as_required else " Without it the import is recorded as made here."),
        )
        parser.add_argument(
            "--mapping",
            default="",
            help="The name of a mapping saved on the import page: what the file's columns and "
            "values hold. Without it, a saved mapping that fits the file's headings is used.",
        )

    def summary(self, result, *, verb: str) -> str:
        raise NotImplementedError

    def import_options(self, *, write: bool, **options) -> dict:
        """What else the import is to know, from the command's own arguments (none here)."""
        return {}

    def handle(self, *args, file: Path, email: str | None, dry_run: bool, mapping: str, **options):
        user = None
        if email:
            user = User.objects.filter(email__iexact=email, is_active=True).first()
            if user is None:
                raise CommandError(f"No active user has the email address {email}.")
        if not file.is_file():
            raise CommandError(f"{file} is not a file.")
        extra = self.import_options(write=not dry_run, **options)
        try:
            with file.open("rb") as stream:
                command = type(self).__module__.rsplit(".", 1)[-1]
                result = import_file(
                    kind=self.kind,
                    stream=stream,
                    filename=file.name,
                    by=user,
                    mapping_name=mapping,
                    write=not dry_run,
                    reason=f"Imported from {file.name} ({command})",
                    options=extra,
                )
        except ImportFileError as error:
            raise CommandError(str(error)) from None
        except PermissionDenied:
            raise CommandError(f"{email} may not import {self.what}.") from None
        except ImportRefused as refused:
            result = refused.result
        self.stdout.write(self.summary(result, verb="would be" if dry_run else "were"))
        for problem in result.problems:
            where = f"Row {problem.row}, " if problem.row else ""
            self.stdout.write(f"{where}{problem.column or 'file'}: {problem.message}")
        for note in result.notes:
            self.stdout.write(f"Note: row {note.row}, {note.column}: {note.message}")
        if result.problems:
            raise CommandError(f"{counted(len(result.problems), 'problem')}: nothing was imported.")
