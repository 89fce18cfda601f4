"""Numbers as people write them."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation


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


def money(value, places: int = 2) -> str:
    """Pounds with thousands separators, the sign before the pound: 1500000.01 is £1,500,000.01,
    -5 is -£5.00, and to the pound (``places=0``) £1,500,000; nothing for no value."""
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return str(value)
    places = int(places)
    amount = amount.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    sign = "-" if amount < 0 else ""
    return f"{sign}£{abs(amount):,.{places}f}"


def counted(number, one: str, many: str = "", *, none: str = "") -> str:
    """A count and the noun it counts, agreeing: 1 project, 2 projects, 0 projects, 1,200
    people (``many`` where the plural is not ``one`` + s); ``none`` says a zero in words ("no
    projects")."""
    noun = one if number == 1 else (many or f"{one}s")
    if not number and none:
        return f"{none} {noun}"
    return f"{count(number or 0)} {noun}"


def sum_known(values) -> Decimal | None:
    """The total of the values that are known (not None), or None where none is: a £ total of
    measures, only some of which have a £ value."""
    known = [value for value in values if value is not None]
    return sum(known, Decimal("0")) if known else None
