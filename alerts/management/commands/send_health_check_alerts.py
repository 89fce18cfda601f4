"""Run the daily supplier health check alert job for a day, as the scheduled task does."""

from alerts.health_checks import health_check_alerts_send
from alerts.management.job_command import JobCommand


class Command(JobCommand):
    help = (
        "Alert the contract managers of each supplier whose health check was due before a day "
        "(default today, Europe/London) and not alerted already. --dry-run lists them and "
        "sends nothing."
    )
    job = staticmethod(health_check_alerts_send)
    noun = "health check alert"
