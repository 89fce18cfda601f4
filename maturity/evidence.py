"""Evidence from the register itself, shown beside the behaviours it speaks to, so that a council
scores itself against what its own data says. Every figure is worked out live, one query each,
from the same selectors as the pages it links to.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, DecimalField, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.urls import reverse

from contracts.models import Contract, ContractEvent, Supplier
from contracts.selectors import running_condition, status_condition
from gateways.selectors import weighting_report
from performance.models import Saving, financial_year_label, financial_year_of
from performance.selectors import key_contracts_with_kpis as key_contract_kpis
from performance.selectors import portfolio_counts
from procurement.numbers import count, counted, money
from procurement.thresholds import (
    KEY_CONTRACT_ABOVE,
    NAMED_OFFICERS_ABOVE,
    SOCIAL_VALUE_ABOVE,
    SOCIAL_VALUE_MINIMUM_PERCENT,
    pounds,
    pounds_short,
)
from socialvalue.models import Commitment

from .models import NPS_2018, Behaviour, Framework

ZERO = Value(Decimal("0"), output_field=DecimalField(max_digits=16, decimal_places=2))


@dataclass(frozen=True)
class Evidence:
    label: str
    figure: str
    detail: str = ""
    url: str = ""
    link_text: str = ""


def share(part: int, whole: int) -> str:
    if not whole:
        return "none to count"
    return f"{round(part * 100 / whole)}% ({count(part)} of {count(whole)})"


def _running(today: date):
    return Contract.objects.filter(running_condition(today=today))


def named_manager(today: date) -> Evidence:
    figures = _running(today).aggregate(
        whole=Count("pk", filter=Q(whole_life_value__gt=NAMED_OFFICERS_ABOVE)),
        part=Count(
            "pk",
            filter=Q(whole_life_value__gt=NAMED_OFFICERS_ABOVE, contract_manager__isnull=False),
        ),
    )
    return Evidence(
        f"Running contracts over {pounds(NAMED_OFFICERS_ABOVE)} with a named contract manager",
        share(figures["part"], figures["whole"]),
        url=reverse("contracts:register") + "?problem=no_manager",
        link_text="Contracts with no manager",
    )


def key_contracts_with_kpis(today: date) -> Evidence:
    figures = key_contract_kpis(today=today)
    return Evidence(
        f"Key contracts running (over {pounds_short(KEY_CONTRACT_ABOVE)} or high risk) with KPIs",
        share(figures["with_kpis"], figures["key"]),
        url=reverse("performance:key_contracts"),
        link_text="Key contracts",
    )


def reviews_overdue(today: date) -> Evidence:
    overdue = portfolio_counts(today=today)["overdue"]
    return Evidence(
        "Running contracts whose performance review is overdue",
        count(overdue),
        url=reverse("performance:portfolio") + "?overdue=on",
        link_text="Reviews overdue",
    )


def social_value_weighting(today: date) -> Evidence:
    since = today - timedelta(days=365)
    report = weighting_report(since=since, until=today)
    return Evidence(
        "Awards in the last 12 months whose weighting gave social value "
        f"{SOCIAL_VALUE_MINIMUM_PERCENT}% or more",
        share(report["awards_with_social_value"], report["awards_weighted"]),
        url=reverse("gateways:weighting_report"),
        link_text="Weighting report",
    )


def social_value_commitments(today: date) -> Evidence:
    with_commitments = Commitment.objects.values("contract")
    figures = _running(today).aggregate(
        whole=Count("pk", filter=Q(whole_life_value__gt=SOCIAL_VALUE_ABOVE)),
        part=Count(
            "pk",
            filter=Q(whole_life_value__gt=SOCIAL_VALUE_ABOVE, pk__in=with_commitments),
        ),
    )
    return Evidence(
        f"Running contracts over {pounds(SOCIAL_VALUE_ABOVE)} with social value commitments",
        share(figures["part"], figures["whole"]),
        url=reverse("socialvalue:portfolio"),
        link_text="Social value portfolio",
    )


def _value_share(today: date, flag: str, label: str, register_filter: str) -> Evidence:
    figures = _running(today).aggregate(
        whole=Coalesce(Sum("annual_value"), ZERO),
        part=Coalesce(Sum("annual_value", filter=Q(**{f"supplier__{flag}": True})), ZERO),
    )
    whole, part = figures["whole"], figures["part"]
    percent = f"{round(part * 100 / whole)}%" if whole else "none to count"
    return Evidence(
        f"Share of the annual value of running contracts held by {label}",
        percent,
        detail=f"{money(part, 0)} of {money(whole, 0)} a year" if whole else "",
        url=reverse("contracts:register") + f"?{register_filter}=on",
        link_text=f"Contracts with {label} on the register",
    )


def sme_share(today: date) -> Evidence:
    return _value_share(today, "is_sme", "SMEs", "sme")


def vcse_share(today: date) -> Evidence:
    return _value_share(today, "is_vcse", "VCSE organisations", "vcse")


def forward_plan_coverage(today: date) -> Evidence:
    expiring = Contract.objects.filter(status_condition(Contract.Status.EXPIRING, today=today))
    figures = expiring.aggregate(
        whole=Count("pk", distinct=True),
        part=Count("pk", filter=Q(replacement_projects__isnull=False), distinct=True),
    )
    return Evidence(
        "Contracts inside their renewal lead time with a replacement on the forward plan",
        share(figures["part"], figures["whole"]),
        url=reverse("gateways:forward_plan"),
        link_text="Forward plan",
    )


def strategic_suppliers(today: date) -> Evidence:
    return Evidence(
        "Suppliers identified as strategic",
        count(Supplier.objects.filter(is_strategic=True).count()),
        url=reverse("performance:strategic_suppliers"),
        link_text="Strategic suppliers",
    )


def changes_recorded(today: date) -> Evidence:
    since = today - timedelta(days=365)
    found = ContractEvent.objects.filter(effective_date__gt=since, effective_date__lte=today)
    return Evidence(
        "Variations and extensions recorded on the register in the last 12 months",
        count(found.count()),
    )


def savings_this_year(today: date) -> Evidence:
    year = financial_year_of(today)
    figures = Saving.objects.filter(financial_year=year).aggregate(
        cashable=Coalesce(Sum("cashable"), ZERO),
        non_cashable=Coalesce(Sum("non_cashable"), ZERO),
        contracts=Count("contract", distinct=True),
    )
    return Evidence(
        f"Savings recorded for {financial_year_label(year)}",
        money(figures["cashable"] + figures["non_cashable"], 0),
        detail=(
            f"{money(figures['cashable'], 0)} cashable, {money(figures['non_cashable'], 0)} "
            f"non-cashable, on {counted(figures['contracts'], 'contract')}"
        ),
    )


def risk_reviews_overdue(today: date) -> Evidence:
    figures = _running(today).aggregate(
        high=Count("pk", filter=Q(risk_rating=Contract.Risk.HIGH)),
        overdue=Count("pk", filter=Q(risk_review_date__lt=today)),
    )
    return Evidence(
        "Running contracts whose risk assessment is overdue for review",
        count(figures["overdue"]),
        detail=f"{count(figures['high'])} running contracts are rated high risk",
    )


# Which figures speak to which behaviour of the NPS 2018 framework, by behaviour code.
EVIDENCE: dict[str, tuple[Callable[[date], Evidence], ...]] = {
    "3.1": (strategic_suppliers,),
    "3.3": (forward_plan_coverage,),
    "4.1": (forward_plan_coverage,),
    "4.5": (key_contracts_with_kpis,),
    "4.6": (reviews_overdue,),
    "5.1": (named_manager, key_contracts_with_kpis),
    "5.2": (changes_recorded,),
    "5.3": (savings_this_year,),
    "6.2": (risk_reviews_overdue,),
    "7.5": (social_value_weighting,),
    "7.7": (social_value_commitments,),
    "8.7": (sme_share,),
    "9.8": (vcse_share,),
}


def evidence_for(
    behaviours: Iterable[Behaviour], *, framework: Framework, today: date
) -> dict[int, list[Evidence]]:
    """The live figures for each of ``behaviours`` (of ``framework``) that has any; each figure
    is worked out once however many behaviours show it."""
    worked: dict[Callable, Evidence] = {}
    found: dict[int, list[Evidence]] = {}
    if framework.slug != NPS_2018:
        return found
    for behaviour in behaviours:
        for figure in EVIDENCE.get(behaviour.code, ()):
            if figure not in worked:
                worked[figure] = figure(today)
            found.setdefault(behaviour.pk, []).append(worked[figure])
    return found
