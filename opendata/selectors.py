"""What the council must notify under the Procurement Act 2023, and the Find a Tender notice
recorded against each item once it is published.

- Pipeline: procurements over £2m planned to start in the next 18 months (section 93).
- Contract details: contracts over £30,000 that started on or after 24 February 2025, when the
  Act came into force; those over £5m must name at least three KPIs (section 52).
- Performance: a rating of each contract over £5m with KPIs at least once a year; those due in
  the next 12 months (section 71).
- Changes: variations and extensions that add more than 10% to the original value (15% for
  works) or more than 10% to the original term (sections 74 and 75).
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, Prefetch

from contracts.lead_times import add_months
from contracts.models import Contract, ContractEvent
from contracts.selectors import contracts_with_status, running_condition
from gateways.models import ProcurementProject
from performance.models import Kpi
from procurement.dates import long_date
from procurement.thresholds import (
    CHANGE_TERM_PERCENT,
    CHANGE_VALUE_PERCENT,
    CHANGE_WORKS_VALUE_PERCENT,
    CONTRACT_DETAILS_ABOVE,
    KPIS_ABOVE,
    KPIS_REQUIRED,
    PIPELINE_ABOVE,
    pounds_short,
)

from .models import Notice

PIPELINE_MONTHS = 18
IN_FORCE = date(2025, 2, 24)

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

    @property
    def kind_label(self) -> str:
        return Kind(self.kind).label


def pipeline_items(*, today: date) -> list[Item]:
    until = add_months(today, PIPELINE_MONTHS)
    projects = ProcurementProject.objects.filter(
        estimated_value__gt=PIPELINE_ABOVE,
        planned_start_date__gte=today,
        planned_start_date__lte=until,
    ).order_by("planned_start_date", "reference")
    return [
        Item(
            Kind.PIPELINE,
            f"pipeline:{project.pk}",
            project.reference,
            project.title,
            "Planned to start a contract in the next 18 months",
            project.planned_start_date,
            project.estimated_value,
            project.get_absolute_url(),
            project_id=project.pk,
        )
        for project in projects
    ]


def contract_details_items(*, today: date) -> list[Item]:
    contracts = (
        contracts_with_status(today=today)
        .filter(whole_life_value__gt=CONTRACT_DETAILS_ABOVE, start_date__gte=IN_FORCE)
        .annotate(kpi_count=Count("kpis"))
        .prefetch_related(Prefetch("kpis", queryset=Kpi.objects.order_by("pk")))
        .order_by("start_date", "reference", "lot")
    )
    found = []
    for contract in contracts:
        detail = f"Started {long_date(contract.start_date)}"
        warning = ""
        if contract.whole_life_value > KPIS_ABOVE:
            names = [kpi.name for kpi in contract.kpis.all()]
            detail += f"; KPIs: {'; '.join(names) if names else 'none'}"
            if len(names) < KPIS_REQUIRED:
                warning = (
                    f"Over {pounds_short(KPIS_ABOVE)}: "
                    f"the notice must name at least {KPIS_REQUIRED} KPIs"
                )
        found.append(
            Item(
                Kind.CONTRACT_DETAILS,
                f"contract_details:{contract.pk}",
                contract.reference_and_lot,
                contract.title,
                detail,
                contract.start_date,
                contract.whole_life_value,
                contract.get_absolute_url(),
                warning=warning,
                contract_id=contract.pk,
            )
        )
    return found


def performance_items(*, today: date) -> list[Item]:
    until = add_months(today, 12)
    contracts = (
        Contract.objects.filter(running_condition(today=today), whole_life_value__gt=KPIS_ABOVE)
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


def _percent(part: Decimal, whole: Decimal) -> Decimal:
    return (part * 100 / whole).quantize(Decimal("0.1")) if whole else Decimal("0")


def change_items() -> list[Item]:
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
        value = original.previous_value
        added_value = _percent(event.new_value - value, value)
        # A term added to or from a rolling contract (no end date) cannot be measured.
        if original.previous_end_date is None or event.new_end_date is None:
            added_term = Decimal("0")
        else:
            term = (original.previous_end_date - contract.start_date).days
            added_term = _percent(
                Decimal((event.new_end_date - original.previous_end_date).days), Decimal(term)
            )
        works = contract.category is not None and "works" in contract.category.name.lower()
        limit = CHANGE_WORKS_VALUE_PERCENT if works else CHANGE_VALUE_PERCENT
        reasons = []
        if added_value > limit:
            reasons.append(f"value up {added_value}% on the original (limit {limit}%)")
        if added_term > CHANGE_TERM_PERCENT:
            reasons.append(f"term up {added_term}% on the original (limit {CHANGE_TERM_PERCENT}%)")
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
    return items


def item_for(key: str, *, today: date) -> Item | None:
    return next((item for item in notifiable(today=today) if item.key == key), None)
