"""What training adds to other pages (procurement/panels.py): a person's home page."""

from django.http import HttpRequest
from django.utils import timezone

from .selectors import DueFilters, mandatory_standings


def home_panel(*, request: HttpRequest) -> dict:
    """The person's own mandatory courses that are due or overdue, and for the central team how
    many people are overdue."""
    user = request.user
    today = timezone.localdate()
    central = user.has_perm("training.view_programme")
    overdue = (
        sum(1 for s in mandatory_standings(on=today, filters=DueFilters(overdue_only=True)))
        if central
        else 0
    )
    return {
        "own": mandatory_standings(on=today, person=user),
        "person": user,
        "overdue": overdue,
        "central": central,
    }
