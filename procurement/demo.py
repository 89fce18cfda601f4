"""Parts of the demo council that other apps add to ``seed_demo`` (registered in their
``AppConfig.ready``), so the shared core never imports them."""

from argparse import ArgumentParser
from collections.abc import Callable
from dataclasses import dataclass


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
