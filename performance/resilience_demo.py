"""Demo supplier resilience: health checks of the demo suppliers (some overdue, some rated weak
or critical), and continuity and exit plans on some key contracts and strategic suppliers, with
others left without, so the data-quality page and the annual report show gaps.

Built through the services, by the head of procurement, so every record has its history."""

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from contracts.models import Contract, Supplier
from contracts.selectors import key_condition, running_condition
from contracts.services import resilience_plan_add
from procurement.models import User

from .models import SupplierHealthCheck
from .services import health_check_record

SUPPLIERS = 16
SOURCES = list(SupplierHealthCheck.Source.values)
RATINGS = ["strong", "adequate", "adequate", "weak", "strong", "adequate", "critical", "adequate"]
# Days before today of each supplier's last check: the longer ones are overdue.
AGES = [20, 90, 150, 210, 300, 380, 420, 45]
PDF = b"%PDF-1.7\n% demo plan\n"


def _upload(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def build(*, options: dict) -> str:
    if SupplierHealthCheck.objects.exists():
        return "Supplier resilience: the demo health checks are already there."
    head = User.objects.filter(email="head@northmere.example").first()
    if head is None:
        return "Supplier resilience: skipped (the demo council's people are missing)."
    today = timezone.localdate()
    running = Contract.objects.filter(running_condition(today=today))
    suppliers = list(
        Supplier.objects.filter(contracts__in=running).distinct().order_by("-is_strategic", "name")
    )[:SUPPLIERS]
    for number, supplier in enumerate(suppliers):
        checked_on = today - timedelta(days=AGES[number % len(AGES)])
        if number % 3 == 0:  # a history: an earlier check a year before
            _check(supplier, head, checked_on - timedelta(days=365), number + 1)
        _check(supplier, head, checked_on, number)
    plans = _plans(head, today, running)
    return (
        f"Supplier resilience: health checks of {len(suppliers)} suppliers, {plans} continuity "
        "and exit plans."
    )


def _check(supplier: Supplier, head: User, checked_on, number: int) -> None:
    health_check_record(
        supplier=supplier,
        checked_on=checked_on,
        source=SOURCES[number % len(SOURCES)],
        rating=RATINGS[number % len(RATINGS)],
        notes="Demo check of the supplier's financial standing.",
        by=head,
        today=checked_on,
    )


def _plans(head: User, today, running) -> int:
    """Both plans on half the key contracts, a continuity plan only on a quarter, none on the
    rest; both on the first strategic supplier, none on the others."""
    key = list(running.filter(key_condition()).order_by("reference"))
    owners = []
    for number, contract in enumerate(key):
        share = number % 4
        kinds = ["continuity", "exit"] if share < 2 else ["continuity"] if share == 2 else []
        owners += [({"contract": contract}, kind) for kind in kinds]
    strategic = Supplier.objects.filter(is_strategic=True).order_by("name").first()
    if strategic is not None:
        owners += [({"supplier": strategic}, kind) for kind in ("continuity", "exit")]
    for number, (owner, kind) in enumerate(owners):
        resilience_plan_add(
            kind=kind,
            upload=_upload(f"{kind}-plan.pdf"),
            # Spread over the next two years, within the three a review date may be ahead.
            review_date=today + timedelta(days=120 + 15 * (number % 40)),
            reason="Demo plan agreed with the supplier",
            by=head,
            today=today,
            **owner,
        )
    return len(owners)
