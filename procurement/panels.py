"""What higher apps add to a lower app's pages: panels and links, in order.

A page of a lower app names a slot ("home", "contract", ...) and never a higher app: each app adds
its parts in ``AppConfig.ready`` with :func:`register_panel` or :func:`register_link`, and the page
loops over what the slot holds (``{% load panels %}``). So a lower app's templates name neither a
higher app's URLs nor its tag libraries (docs/decisions/0042-layers-enforced-and-contributed-
panels.md).

The slots:

- ``home``: the panels under "What needs your attention" on the home page;
- ``home.account``: the links under "Your account" on the home page;
- ``reference_data``: sections of the reference data page, before the directorates;
- ``reference_data.policy``: links under "Approval policy in force";
- ``contract``: the sections of a contract's page, in the order of its contents list;
- ``contract.change``: notes under the buttons of a contract's page, for those who may change it.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest


@dataclass(frozen=True)
class Panel:
    """A part of a page: a template, rendered with what ``context`` returns for the page's
    objects (as an inclusion tag is, apart from the page), or with the page's own context where
    ``context`` is None. ``name`` is unique in its slot and, for a section, the anchor of its
    heading; ``title`` is that heading."""

    name: str
    template: str
    order: int
    title: str = ""
    context: Callable[..., dict] | None = None
    # Shown only to those with this permission, or for whom the predicate holds.
    permission: str = ""
    shown_to: Callable[..., bool] | None = None
    # The families of data (app or model labels, procurement/caching.py) the panel reads beyond
    # its page's own: a page kept in the cache is retired by a write to them too.
    reads: tuple[str, ...] = ()

    def is_shown_to(self, user) -> bool:
        """Whether ``user`` sees this panel."""
        if self.permission and not user.has_perm(self.permission):
            return False
        return self.shown_to is None or self.shown_to(user)


@dataclass(frozen=True)
class Link:
    """A link to a higher app's page, by its URL name."""

    text: str
    url_name: str
    order: int
    permission: str = ""


_PANELS: dict[str, dict[str, Panel]] = defaultdict(dict)
_LINKS: dict[str, dict[str, Link]] = defaultdict(dict)


def register_panel(slot: str, panel: Panel) -> Panel:
    """Add ``panel`` to ``slot`` (again with the same name replaces it)."""
    _PANELS[slot][panel.name] = panel
    return panel


def register_link(slot: str, link: Link) -> Link:
    """Add ``link`` to ``slot`` (again with the same URL name replaces it)."""
    _LINKS[slot][link.url_name] = link
    return link


def panels_for(slot: str, user) -> list[Panel]:
    """The panels of ``slot`` that ``user`` sees, in order."""
    return [
        panel
        for panel in sorted(_PANELS[slot].values(), key=lambda panel: panel.order)
        if panel.is_shown_to(user)
    ]


def links_for(slot: str, user) -> list[Link]:
    """The links of ``slot`` that ``user`` may follow, in order."""
    return [
        link
        for link in sorted(_LINKS[slot].values(), key=lambda link: link.order)
        if not link.permission or user.has_perm(link.permission)
    ]


def reads_of(slot: str) -> tuple[str, ...]:
    """The families of data the panels of ``slot`` read, beyond their page's own."""
    return tuple(sorted({family for panel in _PANELS[slot].values() for family in panel.reads}))


def panel_context(panel: Panel, request: HttpRequest, **objects) -> dict | None:
    """What ``panel`` is rendered with for the page's ``objects``, or None for the page's own."""
    if panel.context is None:
        return None
    return panel.context(request=request, **objects)


register_link("home.account", Link("Change your password", "accounts:password_change", order=20))
