"""The Procurement Act 2023's rules as they apply to one contract or procurement: which regime it
is under, which threshold it is measured against, and whether it is at or above it.

The figures are reference data with their dates (``Threshold``, ``ChangeLimit``): the one that
applies is the one in force on the day the procurement began (decision record 0050).
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db import models
from django.db.models import F, Value
from django.db.models.functions import Coalesce

from .models import ChangeLimit, Threshold
from .thresholds import VAT_STANDARD_RATE_PERCENT, pounds

# The Act applies to procurements begun on or after 24 February 2025; those begun before stay
# under the Public Contracts Regulations 2015 to their end (the transitional regulations).
IN_FORCE = date(2025, 2, 24)

# A contract details notice is published before the end of the period of 30 days beginning with
# the day the contract is entered into (120 for a light-touch contract), so the day it is signed
# is the first of them (section 53; regulation 34).
DETAILS_DAYS = 30
DETAILS_LIGHT_TOUCH_DAYS = 120


class Regime(models.TextChoices):
    PCR_2015 = "pcr_2015", "Public Contracts Regulations 2015"
    ACT_2023 = "act_2023", "Procurement Act 2023"


def regime_on(began: date) -> Regime:
    """The law a procurement is under, from the day it began."""
    return Regime.ACT_2023 if began >= IN_FORCE else Regime.PCR_2015


def including_vat(value: Decimal, vat: Decimal | None) -> Decimal:
    """A value with its VAT: the VAT recorded, or the standard rate where none is."""
    if vat is None:
        vat = (value * VAT_STANDARD_RATE_PERCENT / 100).quantize(Decimal("0.01"))
    return value + vat


def including_vat_expression(value: str, vat: str):
    """``including_vat`` in the database, to filter and order by."""
    rate = Value(VAT_STANDARD_RATE_PERCENT / 100, output_field=models.DecimalField())
    return models.ExpressionWrapper(
        F(value) + Coalesce(F(vat), F(value) * rate),
        output_field=models.DecimalField(max_digits=16, decimal_places=4),
    )


def financial_year_start(on: date) -> date:
    """The 1 April that begins the financial year ``on`` is in."""
    return date(on.year if on.month >= 4 else on.year - 1, 4, 1)


def details_due(*, signed: date, light_touch: bool) -> date:
    """The last day a contract details notice is on time."""
    days = DETAILS_LIGHT_TOUCH_DAYS if light_touch else DETAILS_DAYS
    return signed + timedelta(days=days - 1)


@dataclass
class Figures:
    """The thresholds and change limits with their dates, read once for a whole list."""

    thresholds: dict[str, list[tuple[date, Decimal]]] = field(default_factory=dict)
    limits: dict[str, list[tuple[date, Decimal]]] = field(default_factory=dict)

    @classmethod
    def load(cls) -> "Figures":
        return cls(thresholds=Threshold.by_kind(), limits=ChangeLimit.by_kind())

    @staticmethod
    def _on(history: list[tuple[date, Decimal]], on: date) -> Decimal | None:
        # Before the first figure, the first applies: the earliest held is the best known.
        found = history[0][1] if history else None
        for since, value in history:
            if since <= on:
                found = value
        return found

    def threshold(self, kind: str, on: date) -> Decimal | None:
        return self._on(self.thresholds.get(kind, []), on)

    def limit(self, kind: str, on: date) -> Decimal | None:
        return self._on(self.limits.get(kind, []), on)


@dataclass(frozen=True)
class Standing:
    """Where a contract or procurement stands under the law: its regime and its threshold."""

    began: date
    began_assumed: bool
    kind: str
    value_including_vat: Decimal
    vat_assumed: bool
    threshold: Decimal | None

    @property
    def regime(self) -> Regime:
        return regime_on(self.began)

    @property
    def above_threshold(self) -> bool:
        # "Not less than the threshold amount": a value equal to it is above threshold.
        return self.threshold is not None and self.value_including_vat >= self.threshold

    @property
    def light_touch(self) -> bool:
        return self.kind == Threshold.Kind.LIGHT_TOUCH

    @property
    def threshold_label(self) -> str:
        if self.threshold is None:
            return "No threshold held for this kind of contract"
        side = "Above" if self.above_threshold else "Below"
        kind = Threshold.Kind(self.kind).label.lower()
        return f"{side} threshold ({pounds(self.threshold)} for {kind} including VAT)"


def standing(
    *,
    value: Decimal,
    vat: Decimal | None,
    kind: str,
    began: date,
    began_assumed: bool,
    figures: Figures,
) -> Standing:
    """Where something of this value, kind and start stands, by the figures in force then."""
    return Standing(
        began=began,
        began_assumed=began_assumed,
        kind=kind,
        value_including_vat=including_vat(value, vat),
        vat_assumed=vat is None,
        threshold=figures.threshold(kind, began),
    )
