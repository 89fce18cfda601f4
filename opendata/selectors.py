"""What the council must notify under the Procurement Act 2023, and the Find a Tender notice
recorded against each item once it is published. Every value compared is the value including VAT,
and every figure is the one in force when the procurement began (decision record 0050).

- Pipeline: in a financial year the council expects to pay more than £100m under public
  contracts, the procurements over £2m it expects to take to tender in the 18 months from the
  start of that year (section 93).
- Contract details: contracts whose procurement began under the Act, of £30,000 or more (the
  below-threshold figure: "not less than"), due within 30 days of being entered into (120 for
  light-touch); those over £5m must name at least three KPIs (sections 53 and 87).
- Performance: a rating of each contract over £5m with KPIs at least once a year; those due in
  the next 12 months (section 71).
- Changes: a modification of an above-threshold contract under the Act (not light-touch) that
  raises or lowers its value by more than 10% (15% for works), or adds more than 10% to the
  maximum term provided for at award, options included (sections 74 and 75).
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Count, Prefetch
from django.db.models.functions import Coalesce

from contracts.lead_times import add_months
from contracts.models import Contract, ContractEvent
from contracts.selectors import contracts_with_status, running_condition
from gateways.models import ProcurementProject
from performance.models import Kpi
from procurement.act import (
    IN_FORCE,
    Figures,
    Regime,
    details_due,
    financial_year_start,
    including_vat,
    including_vat_expression,
)
from procurement.dates import long_date
from procurement.models import ChangeLimit, PipelineYear, Threshold
from procurement.thresholds import (
    KPIS_ABOVE,
    KPIS_REQUIRED,
    PIPELINE_ABOVE,
    pounds_short,
)

from .models import Notice

PIPELINE_MONTHS = 18

Kind = Notice.Kind


@dataclass
class Item:
    """A thing to notify: what it is, why, and the notice published for it (if any).

    Its key names it by the row it comes from ("contract_details:17"), never by a reference: a
    reference may hold any character, lots share one, and it may be corrected after a notice.
    """

    kind: str
    key: str
    reference: str
    title: str
    detail: str
    due_on: date | None
    value: Decimal | None
    url: str
    notice: Notice | None = None
    warning: str = ""
    project_id: int | None = None
    contract_id: int | None = None
    event_id: int | None = None
    # The last day a notice is on time, where the Act sets one (contract details).
    deadline: date | None = None
    late: bool = False
    kpis: list[str] = field(default_factory=list)

    @property
    def kind_label(self) -> str:
        return Kind(self.kind).label


def pipeline_items(*, today: date) -> list[Item]:
    start = financial_year_start(today)
    if not PipelineYear.objects.filter(
        year_starting=start.year, expects_spend_over_threshold=True
    ).exists():
        return []
    until = add_months(start, PIPELINE_MONTHS)
    projects = (
        ProcurementProject.objects.annotate(
            value_with_vat=including_vat_expression("estimated_value", "estimated_vat"),
            planned=Coalesce("planned_tender_date", "planned_start_date"),
        )
        .filter(value_with_vat__gt=PIPELINE_ABOVE, planned__gte=start, planned__lt=until)
        .order_by("planned", "reference")
    )
    return [
        Item(
            Kind.PIPELINE,
            f"pipeline:{project.pk}",
            project.reference,
            project.title,
            f"Planned to go to tender in the 18 months from {long_date(start)}",
            project.planned,
            project.estimated_value,
            project.get_absolute_url(),
            project_id=project.pk,
        )
        for project in projects
    ]


def _contracts_under_the_act(*, today: date):
    return (
        contracts_with_status(today=today)
        .select_related("category")
        .annotate(began=Coalesce("procurement_began_on", "start_date"))
        .filter(began__gte=IN_FORCE)
    )


def _kpi_warning(contract: Contract, value: Decimal) -> tuple[list[str], str]:
    if value <= KPIS_ABOVE:
        return [], ""
    names = [kpi.name for kpi in contract.kpis.all()]
    if len(names) >= KPIS_REQUIRED:
        return names, ""
    return names, (
        f"Over {pounds_short(KPIS_ABOVE)}: the notice must name at least {KPIS_REQUIRED} KPIs"
    )


def contract_details_items(*, today: date) -> list[Item]:
    figures = Figures.load()
    contracts = (
        _contracts_under_the_act(today=today)
        .annotate(kpi_count=Count("kpis"))
        .prefetch_related(Prefetch("kpis", queryset=Kpi.objects.order_by("pk")))
        .order_by("start_date", "reference", "lot")
    )
    found = []
    for contract in contracts:
        standing = contract.act_standing(figures)
        notice_from = figures.threshold(Threshold.Kind.BELOW_THRESHOLD_NOTICE, standing.began)
        value = standing.value_including_vat
        if not standing.above_threshold and (notice_from is None or value < notice_from):
            continue
        due = details_due(signed=contract.entered_into, light_touch=standing.light_touch)
        kpis, warning = _kpi_warning(contract, value)
        detail = f"Entered into {long_date(contract.entered_into)}; due by {long_date(due)}"
        if kpis or warning:
            detail += f"; KPIs: {'; '.join(kpis) if kpis else 'none'}"
        found.append(
            Item(
                Kind.CONTRACT_DETAILS,
                f"contract_details:{contract.pk}",
                contract.reference_and_lot,
                contract.title,
                detail,
                due,
                value,
                contract.get_absolute_url(),
                warning=warning,
                contract_id=contract.pk,
                deadline=due,
                kpis=kpis,
            )
        )
    return found


def performance_items(*, today: date) -> list[Item]:
    until = add_months(today, 12)
    contracts = (
        Contract.objects.annotate(
            value_with_vat=including_vat_expression("whole_life_value", "vat")
        )
        .filter(running_condition(today=today), value_with_vat__gt=KPIS_ABOVE)
        .filter(kpis__isnull=False)
        .distinct()
        .order_by("review_date", "reference", "lot")
    )
    found = []
    for contract in contracts:
        due = contract.review_date or add_months(contract.start_date, 12)
        while due < today:
            due = add_months(due, 12)
        if due > until:
            continue
        found.append(
            Item(
                Kind.PERFORMANCE,
                f"performance:{contract.pk}:{due.isoformat()}",
                contract.reference_and_lot,
                contract.title,
                "A rating against its KPIs is due",
                due,
                contract.whole_life_value,
                contract.get_absolute_url(),
                contract_id=contract.pk,
            )
        )
    return found


def _over(change: Decimal, whole: Decimal, limit: Decimal | None) -> bool:
    """Whether ``change`` is more than ``limit`` per cent of ``whole``, worked exactly."""
    return limit is not None and whole > 0 and abs(change) * 100 > limit * whole


def _maximum_end_at_award(contract: Contract, award_end: date | None) -> date | None:
    """The latest end the contract provided for when it was awarded: its end, with every option."""
    if award_end is None:
        return None
    return add_months(award_end, contract.extension_options * contract.extension_option_months)


def _change_reasons(event, original, figures: Figures) -> list[str]:
    contract, on = event.contract, event.effective_date
    standing = contract.act_standing(figures)
    works = standing.kind == Threshold.Kind.WORKS
    value_limit = figures.limit(
        ChangeLimit.Kind.WORKS_VALUE if works else ChangeLimit.Kind.VALUE, on
    )
    term_limit = figures.limit(ChangeLimit.Kind.TERM, on)
    reasons = []
    value_change = event.new_value - original.previous_value
    if _over(value_change, original.previous_value, value_limit):
        way = "up" if value_change > 0 else "down"
        reasons.append(f"value {way} more than {value_limit}% on the value at award")
    # A rolling contract (no end date) has no maximum term to measure against.
    maximum_end = _maximum_end_at_award(contract, original.previous_end_date)
    if maximum_end is not None and event.new_end_date is not None:
        added = Decimal((event.new_end_date - maximum_end).days)
        term = Decimal((maximum_end - contract.start_date).days)
        if added > 0 and _over(added, term, term_limit):
            reasons.append(f"term up more than {term_limit}% on the maximum term at award")
    return reasons


def _changes_apply(contract: Contract, original, figures: Figures) -> bool:
    """Under the Act, above threshold at award, and not light-touch (section 75)."""
    standing = contract.act_standing(figures)
    at_award = including_vat(original.previous_value, contract.vat)
    threshold = standing.threshold
    return (
        standing.regime == Regime.ACT_2023
        and not standing.light_touch
        and threshold is not None
        and at_award >= threshold
    )


def change_items() -> list[Item]:
    figures = Figures.load()
    events = (
        ContractEvent.objects.filter(
            kind__in=[ContractEvent.Kind.VARIATION, ContractEvent.Kind.EXTENSION]
        )
        .select_related("contract__category")
        .order_by("contract_id", "effective_date", "pk")
    )
    found, first = [], {}
    for event in events:
        contract = event.contract
        original = first.setdefault(contract.pk, event)
        if not _changes_apply(contract, original, figures):
            continue
        reasons = _change_reasons(event, original, figures)
        if not reasons:
            continue
        found.append(
            Item(
                Kind.CHANGE,
                f"change:{event.pk}",
                contract.reference_and_lot,
                contract.title,
                f"{event.get_kind_display()} of {long_date(event.effective_date)}: "
                + "; ".join(reasons),
                event.effective_date,
                event.new_value,
                contract.get_absolute_url(),
                contract_id=contract.pk,
                event_id=event.pk,
            )
        )
    return found


def notifiable(*, today: date) -> list[Item]:
    """Every item to notify, each with the notice recorded for it (a fixed number of queries)."""
    items = [
        *pipeline_items(today=today),
        *contract_details_items(today=today),
        *performance_items(today=today),
        *change_items(),
    ]
    notices = Notice.objects.in_bulk([item.key for item in items], field_name="item_key")
    for item in items:
        item.notice = notices.get(item.key)
        if item.deadline is not None:
            published = item.notice.published_on if item.notice else today
            item.late = published > item.deadline
    return items


def item_for(key: str, *, today: date) -> Item | None:
    return next((item for item in notifiable(today=today) if item.key == key), None)
