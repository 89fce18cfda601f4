"""Parts of the demo council that other apps add to ``seed_demo`` (registered in their
``AppConfig.ready``), so the shared core never imports them."""

from argparse import ArgumentParser
from collections.abc import Callable
from dataclasses import dataclass

from .history import save_with_history
from .models import CpvCode, PlanTheme
from .services import plan_theme_create


@dataclass(frozen=True)
class DemoPart:
    name: str
    build: Callable[..., str]  # build(options=dict) -> a line saying what it made
    add_arguments: Callable[[ArgumentParser], None] | None = None
    order: int = 100


_PARTS: dict[str, DemoPart] = {}


def register(part: DemoPart) -> None:
    _PARTS[part.name] = part


def parts() -> list[DemoPart]:
    return sorted(_PARTS.values(), key=lambda part: part.order)


# The CPV 2008 codes the demo's contracts and procurements use, as the official list gives them:
# a new install loads the whole list (procurement/cpv_importing.py).
DEMO_CPV_CODES = {
    "09310000-5": "Electricity",
    "30200000-1": "Computer equipment and supplies",
    "45000000-7": "Construction work",
    "55523100-3": "School-meal services",
    "60130000-8": "Special-purpose road passenger-transport services",
    "66510000-8": "Insurance services",
    "71000000-8": "Architectural, construction, engineering and inspection services",
    "72000000-5": "IT services: consulting, software development, Internet and support",
    "77313000-7": "Parks maintenance services",
    "79411000-8": "General management consultancy services",
    "79710000-4": "Security services",
    "80000000-4": "Education and training services",
    "85000000-9": "Health and social work services",
    "85310000-5": "Social work services",
    "90500000-2": "Refuse and waste related services",
    "90910000-9": "Cleaning services",
}


def cpv_codes_load(*, reason: str) -> int:
    """Load the demo's CPV codes where they are not loaded yet; returns how many were added."""
    loaded = set(CpvCode.objects.filter(code__in=DEMO_CPV_CODES).values_list("code", flat=True))
    for code, description in DEMO_CPV_CODES.items():
        if code not in loaded:
            save_with_history(CpvCode(code=code, description=description), by=None, reason=reason)
    return len(DEMO_CPV_CODES) - len(loaded)


# The three cross-cutting themes of the Council Plan in the seed strategy (RBKC §4d). A council
# adds its own plan's themes on the Council Plan themes page: these are the demo's only.
DEMO_PLAN_THEMES = (
    (
        "Community involvement",
        "Residents and community groups shape, and take part in, the services bought for them.",
    ),
    (
        "Narrowing the gap",
        "Better outcomes for the residents and neighbourhoods that fare worst, so the gap "
        "between them and the rest of the borough narrows.",
    ),
    (
        "Prevention and early intervention",
        "Acting early, so that needs are met before they grow and cost more.",
    ),
)


def plan_themes_load(*, reason: str) -> int:
    """Add the demo's Council Plan themes that are not there yet; returns how many were added."""
    there = set(PlanTheme.objects.values_list("name", flat=True))
    added = 0
    for order, (name, description) in enumerate(DEMO_PLAN_THEMES, start=1):
        if name not in there:
            plan_theme_create(
                name=name, description=description, order=order, by=None, reason=reason
            )
            added += 1
    return added
