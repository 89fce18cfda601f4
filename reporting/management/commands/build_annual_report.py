from django.core.management.base import BaseCommand, CommandError

from reporting.models import AnnualReport
from reporting.pdf import PdfUnavailable
from reporting.services import ReportError, annual_report_command


class Command(BaseCommand):
    help = (
        "Build a new version of the annual Audit and Transparency report for a financial year "
        "(2025 for 2025/26), here and now, and store it beside the earlier versions."
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True, help="The year it starts: 2025")
        parser.add_argument("--reason", default="", help="Why this version is built")

    def handle(self, *args, year: int, reason: str, **options):
        try:
            report = annual_report_command(year=year, reason=reason)
        except (ReportError, PdfUnavailable) as error:
            raise CommandError(str(error)) from error
        if report.state != AnnualReport.State.READY:
            raise CommandError(f"{report} failed: {report.error}")
        self.stdout.write(f"Built {report}: {report.pages} pages, stored as {report.file.name}")
