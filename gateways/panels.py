"""What gateways add to other apps' pages (procurement/panels.py)."""

from django.http import HttpRequest

from .selectors import reviews_of_author


def your_reports(*, request: HttpRequest) -> dict:
    """The signed-in person's own gateway reports, for them to follow, on their home page."""
    user = request.user
    if not user.has_perm("procurement.use_service"):
        return {"your_reports": {}}
    return {"your_reports": reviews_of_author(user=user)}
