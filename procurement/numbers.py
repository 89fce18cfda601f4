"""Numbers as people write them."""

from decimal import Decimal, InvalidOperation


def figure(value) -> str:
    """A number without trailing zeros, as people write a weight: 60.00 is 60, 12.50 is 12.5."""
    if value is None or value == "":
        return ""
    try:
        number = Decimal(value).normalize()
    except (InvalidOperation, TypeError, ValueError):
        return str(value)
    return f"{number:f}"
