"""What needs a person's attention, shown on the home page.

Each app registers a provider that returns the items waiting for a user (approvals waiting,
contracts expiring...). A provider must run a fixed number of queries whatever the data size.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class AttentionItem:
    title: str
    count: int
    href: str
    description: str = ""


Provider = Callable[..., list[AttentionItem]]
_PROVIDERS: list[tuple[int, Provider]] = []
LAST = 100


def register(provider: Provider, *, order: int = LAST) -> Provider:
    """Add ``provider``: its items are shown by ``order``, then in the order registered."""
    _PROVIDERS.append((order, provider))
    _PROVIDERS.sort(key=lambda entry: entry[0])
    return provider


def items_for(user) -> list[AttentionItem]:
    """Everything waiting for ``user``, by the providers' order."""
    items: list[AttentionItem] = []
    for _, provider in _PROVIDERS:
        items.extend(item for item in provider(user=user) if item.count)
    return items
