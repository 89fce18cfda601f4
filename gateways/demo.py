"""Demo procurements for the fictional council, with reports at every stage and tier.

Built through the same services as the pages, so every decision has its history and rules.
"""

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from procurement.models import ContractCategory, Directorate, User

from .models import ProcurementProject
from .services import delegation_create, review_create, review_decide, review_submit

PREFIX = "DEMO-PP-"
STRATEGY = {
    "strategy_route": "tender",
    "lots": "Two lots: north and south of the borough",
    "timetable": "Tender in the spring, award in the summer, start in the autumn",
    "risks": "A thin provider market; staff transfer (TUPE)",
    "social_value_approach": "15% weighting: local jobs, apprenticeships and care leavers",
}
MEETING = {"meeting_date": date(2026, 11, 12), "minute_reference": "SCCB 2026/11 item 3"}
CONSULTATION = {
    "consulted": "Cllr Ruth Adeyemi, lead member, 10/11/2026",
    "consultation_notes": "Supports the approach; asked for a social value report each year.",
}


def _people() -> dict[str, User]:
    return {
        u.email.split("@")[0]: u for u in User.objects.filter(email__endswith="@northmere.example")
    }


def build(*, options: dict) -> str:
    if ProcurementProject.objects.filter(reference__startswith=PREFIX).exists():
        return "Forward plan: the demo procurements are already there."
    people = _people()
    needed = {
        "officer",
        "partner",
        "head",
        "legal",
        "finance",
        "comms",
        "board",
        "member",
        "director",
    }
    if not needed <= set(people):
        return "Forward plan: skipped (the demo council's people are missing)."
    officer = people["officer"]
    directorate = officer.directorate or Directorate.objects.first()
    care = ContractCategory.objects.filter(name="Care and support services").first()
    today = timezone.localdate()

    def project(number, title, value, **fields) -> ProcurementProject:
        return ProcurementProject.objects.create(
            reference=f"{PREFIX}{number:03d}",
            title=title,
            directorate=directorate,
            category=care,
            estimated_value=Decimal(value),
            lead_officer=officer,
            planned_start_date=today + timedelta(days=120 * number),
            **fields,
        )

    def report(subject, stage="G1"):
        review = review_create(
            author=officer,
            stage=stage,
            summary=f"{subject.title}: {stage} report.",
            project=subject,
            report=STRATEGY,
        )
        return review_submit(review=review, by=officer)

    def decide(review, who, outcome, **fields):
        return review_decide(review=review, by=people[who], outcome=outcome, **fields)

    report(project(1, "Carers' support service", "450000"))  # waiting for the business partner
    approved_a = report(project(2, "Advocacy service", "800000"))
    decide(approved_a, "partner", "approved")
    decide(approved_a, "director", "approved", **CONSULTATION)
    returned = report(project(3, "Day opportunities", "600000"))
    decide(returned, "partner", "returned", reasons="Add the market engagement findings.")
    rejected = report(project(4, "Residential placements framework", "900000"))
    decide(rejected, "head", "rejected", reasons="Use the regional framework instead.")
    at_consultees = report(
        project(5, "Home care across the borough", "12000000", is_core_service=True)
    )
    decide(at_consultees, "head", "approved")
    decide(at_consultees, "legal", "commented", reasons="Use the standard terms for care.")
    at_board = report(project(6, "Supported living", "4500000"))
    decide(at_board, "partner", "approved")
    for consultee in ("legal", "finance", "comms"):
        decide(at_board, consultee, "commented", reasons="No concerns.")
    approved_b = report(project(7, "Reablement", "2400000"))
    decide(approved_b, "partner", "approved")
    for consultee in ("legal", "finance", "comms"):
        decide(approved_b, consultee, "commented", reasons="Content.")
    decide(approved_b, "board", "recommended", **MEETING)
    decide(approved_b, "member", "approved", key_decision_reference="KD-2026-041")
    referred = report(project(8, "Short breaks for disabled children", "1200000"))
    decide(referred, "partner", "referred", reasons="Politically sensitive: take it to the board.")
    if "deputy" in people:
        delegation_create(
            delegator=people["member"],
            delegate=people["deputy"],
            starts_on=today,
            ends_on=today + timedelta(days=14),
            by=people["member"],
            reason="Annual leave",
        )
    draft = project(9, "Community equipment", "700000", is_high_value_or_complex=True)
    review_create(
        author=officer, stage="G0", summary="Options: in-house, external, shared.", project=draft
    )
    return "Forward plan: added 9 demo procurements with reports at every stage and tier."
