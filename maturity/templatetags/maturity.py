"""Levels as people read them: "2.4", "Developing (2)", "up 0.3"."""

from decimal import Decimal

from django import template

from maturity.models import Level

register = template.Library()


@register.filter
def level_figure(value: Decimal | int | None) -> str:
    """A mean level to one decimal place, or "Not agreed"."""
    if value is None:
        return "Not agreed"
    return f"{Decimal(value):.1f}"


@register.filter
def level_name(value: int | None) -> str:
    return "Not agreed" if value is None else f"{Level(value).label} ({value})"


@register.filter
def movement(value: Decimal | int | None) -> str:
    """A change of level in words, so it does not rest on a sign or a colour."""
    if value is None:
        return "No earlier level"
    if value == 0:
        return "No change"
    amount = f"{abs(Decimal(value)):.1f}" if isinstance(value, Decimal) else str(abs(value))
    return f"Up {amount}" if value > 0 else f"Down {amount}"


@register.filter
def lines(text: str) -> list[str]:
    """The framework's text, one paragraph or list item a line."""
    return [line for line in (text or "").splitlines() if line.strip()]


@register.filter
def descriptor_lines(statement, level) -> list[str]:
    """What a behaviour (or a key area's principle) looks like at ``level``, a line at a time."""
    return lines(statement.descriptor(int(level)))


@register.filter
def is_overdue(item, today) -> bool:
    return item.is_overdue(today)
