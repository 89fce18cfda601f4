"""Demo procurements for the fictional council, with reports at every stage and tier.

Built through the same services as the pages, so every decision has its history and rules.
"""

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from contracts.models import Supplier
from procurement.act import financial_year_start
from procurement.models import ContractCategory, Directorate, PipelineYear, PlanTheme, User
from procurement.roles import Role

from .models import ProcurementProject
from .services import (
    bid_create,
    bid_moderate,
    bid_score,
    delegation_create,
    evaluator_add,
    evaluator_declare,
    review_create,
    review_decide,
    review_set_themes,
    review_submit,
)

PREFIX = "DEMO-PP-"
STRATEGY = {
    "strategy_route": "tender",
    "lots": "Two lots: north and south of the borough",
    "timetable": "Tender in the spring, award in the summer, start in the autumn",
    "risks": "A thin provider market; staff transfer (TUPE)",
    "social_value_approach": "15% weighting: local jobs, apprenticeships and care leavers",
}
# What the demo strategies say of the Council Plan themes (procurement/demo.py loads them).
THEME_STATEMENTS = {
    "Community involvement": "Service users and carers sit on the evaluation panel, and the "
    "specification was co-designed with them.",
    "Prevention and early intervention": "Providers are paid for support that keeps people "
    "independent for longer, not only for hours delivered.",
}
AWARD_STATEMENTS = {
    "Community involvement": "A users' forum meets each quarter and reports to the contract "
    "manager.",
}


def _name_themes(review, statements: dict[str, str], *, by) -> None:
    """Name the demo's themes that are there in ``review``, each with its statement."""
    themes = PlanTheme.objects.filter(name__in=statements, is_active=True)
    if themes:
        review_set_themes(review=review, statements={t: statements[t.name] for t in themes}, by=by)


MEETING = {"meeting_date": date(2026, 11, 12), "minute_reference": "SCCB 2026/11 item 3"}
CONSULTATION = {
    "consulted": "Cllr Ruth Adeyemi, lead member for adult social care",
    "consulted_on": date(2026, 11, 10),
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
    # The demo council expects to pay more than the pipeline figure this year: it publishes one.
    year = PipelineYear(
        year_starting=financial_year_start(today).year, expects_spend_over_threshold=True
    )
    if not PipelineYear.objects.filter(year_starting=year.year_starting).exists():
        year._change_reason = "The demo council's spending this year"
        year.save()

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
        _name_themes(review, THEME_STATEMENTS, by=officer)
        return review_submit(review=review, by=officer)

    def decide(review, who, outcome, **fields):
        return review_decide(review=review, by=people[who], outcome=outcome, **fields)

    # Three procurements the officers publish on the public forward plan, for suppliers to see
    # (the advocacy service's tender under way, so its open data has a tender release too).
    published = {
        "on_public_forward_plan": True,
        "suitable_for_sme": True,
        "planned_tender_date": today + timedelta(days=90),
        "planned_award_date": today + timedelta(days=210),
    }
    carers = project(
        1,
        "Carers' support service",
        "450000",
        cpv_code="85310000-5",
        suitable_for_vcse=True,
        **published,
    )
    report(carers)  # waiting for the business partner
    advocacy = project(
        2,
        "Advocacy service",
        "800000",
        cpv_code="85000000-9",
        baseline_cost=Decimal("190000.00"),
        **published,
    )
    approved_a = report(advocacy)
    decide(approved_a, "partner", "approved")
    decide(approved_a, "director", "approved", **CONSULTATION)
    if "manager" in people:
        _evaluation(advocacy, officer=officer, manager=people["manager"], today=today)
    returned = report(project(3, "Day opportunities", "600000", cpv_code="85310000-5"))
    decide(returned, "partner", "returned", reasons="Add the market engagement findings.")
    rejected = report(
        project(4, "Residential placements framework", "900000", cpv_code="85310000-5")
    )
    decide(rejected, "head", "rejected", reasons="Use the regional framework instead.")
    at_consultees = report(
        project(
            5,
            "Home care across the borough",
            "12000000",
            cpv_code="85310000-5",
            is_core_service=True,
        )
    )
    decide(at_consultees, "head", "approved")
    decide(at_consultees, "legal", "commented", reasons="Use the standard terms for care.")
    at_board = report(project(6, "Supported living", "4500000", cpv_code="85310000-5"))
    decide(at_board, "partner", "approved")
    for consultee in ("legal", "finance", "comms"):
        decide(at_board, consultee, "commented", reasons="No concerns.")
    approved_b = report(project(7, "Reablement", "2400000", cpv_code="85000000-9"))
    decide(approved_b, "partner", "approved")
    for consultee in ("legal", "finance", "comms"):
        decide(approved_b, consultee, "commented", reasons="Content.")
    decide(approved_b, "board", "recommended", **MEETING)
    decide(approved_b, "member", "approved", key_decision_reference="KD-2026-041")
    referred = report(
        project(8, "Short breaks for disabled children", "1200000", cpv_code="85310000-5")
    )
    decide(referred, "partner", "referred", reasons="Politically sensitive: take it to the board.")
    if "deputy" in people:
        delegation_create(
            delegator=people["member"],
            delegate=people["deputy"],
            roles=[Role.LEAD_MEMBER.label],
            starts_on=today,
            ends_on=today + timedelta(days=14),
            by=people["member"],
            reason="Annual leave",
        )
    draft = project(
        9,
        "Community equipment",
        "700000",
        cpv_code="85000000-9",
        is_high_value_or_complex=True,
        **published,
    )
    review_create(
        author=officer, stage="G0", summary="Options: in-house, external, shared.", project=draft
    )
    return "Forward plan: added 9 demo procurements with reports at every stage and tier."


# Three bids for the advocacy service, scored by two evaluators against the care template's
# weighting (quality 60, price 25, social value 15), and moderated: the Gateway 2 report is a draft.
BIDS = (
    ("Northmere Advocacy Partnership", "520000.00", (4, 4), (3, 4)),
    ("Borough Voice CIC", "498000.00", (3, 3), (4, 4)),
    ("Independent Advocacy UK Ltd", "470000.00", (2, 3), (2, 2)),
)


def _evaluation(project, *, officer, manager, today) -> None:
    for person in (officer, manager):
        evaluator_add(project=project, user=person, by=officer)
        evaluator_declare(project=project, by=person, conflict=False)
    quality, social_value = project.reviews.get(stage="G1").criteria.order_by("order")
    bids = []
    for name, price, by_officer, by_manager in BIDS:
        supplier = Supplier.objects.filter(name=name).first() or Supplier.objects.create(name=name)
        bid = bid_create(project=project, supplier=supplier, price=Decimal(price), by=officer)
        for person, (q, sv) in ((officer, by_officer), (manager, by_manager)):
            bid_score(bid=bid, by=person, scores={quality.pk: (q, ""), social_value.pk: (sv, "")})
        bids.append(bid)
    # The panel agrees; where the two evaluators differed, the note says why.
    agreed = {
        bids[0].pk: {quality.pk: (4, "Strong staffing model"), social_value.pk: (4, "Firm plan")},
        bids[1].pk: {quality.pk: (3, "Thin on outcomes"), social_value.pk: (4, "Agreed 4")},
        bids[2].pk: {
            quality.pk: (2, "Weak on safeguarding"),
            social_value.pk: (2, "No local supply chain"),
        },
    }
    for bid in bids:
        bid_moderate(bid=bid, by=officer, scores=agreed[bid.pk])
    award = review_create(
        author=officer,
        stage="G2",
        summary="Award the advocacy service to the top-ranked bidder.",
        project=project,
        report={
            "tender_outcome": "Three compliant bids, evaluated by a panel of two.",
            "recommended_supplier": bids[0].supplier,
            "award_value": bids[0].price,
            "contract_start": today + timedelta(days=240),
            "contract_end": today + timedelta(days=240 + 3 * 365 - 1),
            "contract_lead_director": None,
        },
    )
    _name_themes(award, AWARD_STATEMENTS, by=officer)
