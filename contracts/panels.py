"""What contracts add to the core's pages (procurement/panels.py)."""

from django.http import HttpRequest

from .lead_times import bands


def renewal_bands(*, request: HttpRequest) -> dict:
    """The value bands in force and the months before a contract's end that its alerts go."""
    return {"bands": bands()}
