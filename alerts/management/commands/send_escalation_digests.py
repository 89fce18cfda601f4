"""Run the weekly escalation digest job for a day, as the scheduled task does."""

from alerts.management.job_command import JobCommand
from alerts.services import escalation_digests_send


class Command(JobCommand):
    help = (
        "Send each person this week's escalation digest (the week of the day given, default "
        "today) unless already sent. --dry-run lists them and sends nothing."
    )
    job = staticmethod(escalation_digests_send)
    noun = "escalation digest"
