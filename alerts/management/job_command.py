"""What the alert jobs' management commands share: a day, a dry run and a plain report."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--date must be a date as YYYY-MM-DD, not {text!r}.") from None


class JobCommand(BaseCommand):
    job = None  # the service: job(on=..., dry_run=...) -> RunResult
    noun = ""

    def add_arguments(self, parser):
        parser.add_argument("--date", help="The day to run for, YYYY-MM-DD (default today).")
        parser.add_argument(
            "--dry-run", action="store_true", help="List what would be sent; send nothing."
        )

    def handle(self, *args, date: str | None = None, dry_run: bool = False, **options):
        on = _day(date) if date else timezone.localdate()
        result = self.job(on=on, dry_run=dry_run)
        for email, title in result.listed:
            self.stdout.write(f"  {email}: {title}")
        new = len(result.listed)
        summary = (
            f"{on:%d/%m/%Y}: {result.due} {self.noun}s due, {result.already_sent} already sent"
        )
        if dry_run:
            self.stdout.write(f"{summary}; {new} would be sent (dry run: nothing sent).")
            return
        delivery = result.delivery
        sent = delivery.sent if delivery else 0
        failed = delivery.failed if delivery else 0
        self.stdout.write(
            self.style.SUCCESS(f"{summary}; {sent} sent now")
            + (self.style.ERROR(f", {failed} failed (retried later)") if failed else "")
            + "."
        )
