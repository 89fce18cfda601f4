"""Supplier concentration (seed 000 §8d, §9 objective 4): how much of the council's contracted
value, and of its spend where payments are loaded, its largest suppliers hold. A page for the
central team (a business partner sees their directorates) and auditors; each chart has its
table."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, Sum
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from performance.selectors import Concentration, contracted_concentration, share_of
from procurement.access import requires
from procurement.charts import Bar, BarChart
from procurement.numbers import money
from procurement.roles import Role
from spend.models import Payment
from spend.selectors.gaps import twelve_months_to

TOP = 10


@dataclass(frozen=True)
class SpendConcentration:
    start: date
    end: date
    total: Decimal
    suppliers: int
    top: list[dict]


def spend_concentration(*, today: date, partner=None, top: int = TOP) -> SpendConcentration:
    """What the council paid in the twelve months to ``today`` (in ``partner``'s directorates),
    the number of registered suppliers paid, and the ``top`` suppliers by amount paid with their
    share (two queries)."""
    start, end = twelve_months_to(today)
    payments = Payment.objects.filter(paid_on__gte=start, paid_on__lte=end)
    if partner is not None:
        payments = payments.filter(directorate__business_partner=partner)
    totals = payments.aggregate(
        total=Coalesce(Sum("amount"), Decimal("0")),
        suppliers=Count("supplier", distinct=True),
    )
    rows = list(
        payments.filter(supplier__isnull=False)
        .values("supplier_id", "supplier__name")
        .annotate(value=Sum("amount"))
        .order_by("-value", "supplier__name")[:top]
    )
    for row in rows:
        row["share"] = share_of(row["value"], totals["total"])
    return SpendConcentration(start, end, totals["total"], totals["suppliers"], rows)


def share_chart(title: str, rows: list[dict]) -> BarChart:
    """The top suppliers' shares as bars (the page's table gives the same figures)."""
    return BarChart(
        title=title,
        series=("Share",),
        maximum=Decimal("100"),
        bars=[
            Bar(row["supplier__name"], (row["share"] or Decimal("0"),), (f"{row['share']}%",))
            for row in rows
        ],
    )


def _scope(user):
    if user.roles & {Role.HEAD_OF_PROCUREMENT, Role.AUDITOR}:
        return None
    return user


def _top_share(found: Concentration | SpendConcentration) -> Decimal | None:
    return share_of(sum((row["value"] for row in found.top), Decimal("0")), found.total)


@requires("performance.view_supplier_risk")
@require_GET
def supplier_concentration(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    partner = _scope(request.user)
    contracted = contracted_concentration(today=today, partner=partner, top=TOP)
    spend = spend_concentration(today=today, partner=partner)
    return render(
        request,
        "reporting/supplier_concentration.html",
        {
            "today": today,
            "partner": partner,
            "top": TOP,
            "contracted": contracted,
            "contracted_top_share": _top_share(contracted),
            "contracted_chart": share_chart(
                "Share of contracted value by supplier", contracted.top
            ),
            "spend": spend,
            "spend_top_share": _top_share(spend),
            "spend_total": money(spend.total, 0),
            "spend_chart": share_chart("Share of spend by supplier", spend.top),
        },
    )
