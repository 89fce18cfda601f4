"""Run the daily renewal alert job for a day, as the scheduled task does."""

from alerts.management.job_command import JobCommand
from alerts.services import renewal_alerts_send


class Command(JobCommand):
    help = (
        "Send the renewal alerts due on a day (default today, Europe/London) that have not been "
        "sent already. --dry-run lists them and sends nothing."
    )
    job = staticmethod(renewal_alerts_send)
    noun = "renewal alert"
