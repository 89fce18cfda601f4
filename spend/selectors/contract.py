"""A contract's payments, for its page's Spend section: the totals, month by month, the latest."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, TruncMonth

from contracts.lead_times import add_months
from contracts.models import Contract
from procurement.charts import Bar, BarChart
from procurement.numbers import money
from spend.models import Payment

from .gaps import ZERO, PastValueMixin, value_share

MONTHS_CHARTED = 12
LATEST = 10


@dataclass
class ContractSpend(PastValueMixin):
    contract: Contract
    paid: Decimal
    payments: int
    after_end: Decimal
    payments_after_end: int
    months: list[tuple[date, Decimal, int]] = field(default_factory=list)  # month, paid, lines
    latest: list[Payment] = field(default_factory=list)

    @property
    def share(self) -> Decimal:
        return value_share(self.paid * 100 / self.contract.whole_life_value)

    @property
    def ended_on(self) -> date | None:
        ends = [day for day in (self.contract.end_date, self.contract.terminated_on) if day]
        return min(ends) if ends else None

    @property
    def chart(self) -> BarChart:
        return BarChart(
            title=f"Paid each month under {self.contract.reference}",
            series=("Paid",),
            bars=[
                Bar(f"{month:%b %Y}", (max(paid, Decimal("0")),), (money(paid, 0),))
                for month, paid, _ in self.months
            ],
        )


def contract_payments(contract: Contract) -> QuerySet[Payment]:
    return Payment.objects.filter(contract=contract)


def contract_spend(contract: Contract, *, today: date) -> ContractSpend:
    """A contract's spend: all time, after its end, the last twelve months by month and the
    latest payments (three queries)."""
    ended = [day for day in (contract.end_date, contract.terminated_on) if day]
    late = Q(paid_on__gt=min(ended)) if ended else Q(pk__in=[])
    totals = contract_payments(contract).aggregate(
        paid=Coalesce(Sum("amount"), ZERO),
        payments=Count("pk"),
        after_end=Coalesce(Sum("amount", filter=late), ZERO),
        payments_after_end=Count("pk", filter=late),
    )
    first = add_months(today.replace(day=1), 1 - MONTHS_CHARTED)
    by_month = {
        row["month"]: (row["paid"], row["lines"])
        for row in contract_payments(contract)
        .filter(paid_on__gte=first, paid_on__lte=today)
        .annotate(month=TruncMonth("paid_on"))
        .order_by()
        .values("month")
        .annotate(paid=Sum("amount"), lines=Count("pk"))
    }
    months = []
    for step in range(MONTHS_CHARTED):
        month = add_months(first, step)
        paid, lines = by_month.get(month, (Decimal("0"), 0))
        months.append((month, paid, lines))
    latest = list(contract_payments(contract).select_related("directorate")[:LATEST])
    return ContractSpend(contract=contract, **totals, months=months, latest=latest)
