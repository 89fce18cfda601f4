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
_PROVIDERS: list[Provider] = []


def register(provider: Provider) -> Provider:
    _PROVIDERS.append(provider)
    return provider


def items_for(user) -> list[AttentionItem]:
    """Everything waiting for ``user``, in the order the providers were registered."""
    items: list[AttentionItem] = []
    for provider in _PROVIDERS:
        items.extend(item for item in provider(user=user) if item.count)
    return items
