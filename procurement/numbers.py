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


def count(value) -> str:
    """A quantity with thousands separators and no trailing zeros: 1200.00 is 1,200, 12.50 12.5."""
    if value is None or value == "":
        return ""
    try:
        number = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return str(value)
    if number == number.to_integral_value():
        return f"{number:,.0f}"
    return f"{number.normalize():,f}"


def sum_known(values) -> Decimal | None:
    """The total of the values that are known (not None), or None where none is: a £ total of
    measures, only some of which have a £ value."""
    known = [value for value in values if value is not None]
    return sum(known, Decimal("0")) if known else None
