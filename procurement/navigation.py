"""The service navigation: each role sees the sections its permissions open.

Apps add their sections in ``AppConfig.ready`` with :func:`register`.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse

from .caching import cached


@dataclass(frozen=True)
class Section:
    label: str
    url_name: str
    permission: str
    order: int
    # How many things wait there for the person (shown beside the label), in a fixed number
    # of queries; None for a section that counts nothing.
    count: Callable[..., int] | None = None


_SECTIONS: dict[str, Section] = {}

# Sections ordered from here on (reference data, maturity, notices, notifications, reports, people,
# administration) are opened now and then, not daily: on a wide screen they sit in the bar under
# the menu, so that the menu keeps to one row at 1280 px for every role; on a narrow screen they
# join the rest in the menu that folds away (docs/decisions/0036-tables-and-navigation-on-any-
# screen.md).
OCCASIONAL_FROM = 90


def register(section: Section) -> None:
    _SECTIONS[section.url_name] = section


class Navigation(list):
    """The sections, in order; ``occasional`` are those the bar under the menu also lists."""

    @property
    def occasional(self) -> list[dict]:
        return [item for item in self if item["occasional"]]


def sections_for(request: HttpRequest) -> Navigation:
    """The sections the signed-in user may open, with the current one marked."""
    user = request.user
    if not user.is_authenticated:
        return Navigation()
    # Which sections a person may open, and what waits for them there, change only with the
    # data (their roles, a decision): every write retires the cached list.
    allowed = cached(
        "navigation",
        user.pk,
        reads=("auth", "contracts", "gateways", "procurement"),
        build=lambda: [
            (section.url_name, section.count(user=user) if section.count else None)
            for section in sorted(_SECTIONS.values(), key=lambda s: s.order)
            if user.has_perm(section.permission)
        ],
    )
    items = Navigation()
    for url_name, count in allowed:
        section = _SECTIONS[url_name]
        href = reverse(section.url_name)
        matches = request.path == href or (href != "/" and request.path.startswith(href))
        items.append(
            {
                "text": section.label if count is None else f"{section.label} ({count})",
                "href": href,
                "current": matches,
                "occasional": section.order >= OCCASIONAL_FROM,
            }
        )
    # Only the closest section is current: /dashboard/annual/ is the annual reports, not the
    # dashboard as well.
    closest = max((item["href"] for item in items if item["current"]), key=len, default=None)
    for item in items:
        item["current"] = item["href"] == closest
    return items


# No "Home" item: the service name above the menu opens the home page, as in GOV.UK's pattern,
# and the menu keeps its room for the sections.
register(Section("People", "procurement:people", "procurement.view_audit_trail", order=97))
register(
    Section("Reference data", "procurement:reference_data", "procurement.view_reference_data", 90)
)
register(Section("Administration", "admin:index", "procurement.access_admin", order=100))
