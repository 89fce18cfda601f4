"""A small council, worked by hand, for the financial year 2025/26 (1 April 2025 to 31 March
2026), seen on 1 June 2026, so positions are taken on 31 March 2026. Every figure the dashboard
and the annual report give for it is worked out in the comments here and asserted in the tests.

Contracts (whole-life value, annual value):
- C1 Adults, SME, £2,000,000 (£400,000), 01/04/2024 to 31/03/2028: running, key, £100,000 of
  savings planned.
- C2 Adults, VCSE, £200,000 (£50,000), starts 01/04/2025 (the year's first day): running,
  awarded in the year, a direct award, its review due 30/03/2026 so overdue on 31/03/2026.
- C3 Place, large, £600,000 (£150,000), starts 31/03/2026 (the year's last day): running,
  awarded in the year, rated high risk so key, no contract manager.
- C4 Place, £80,000, starts 01/04/2026 (the next year's first day): not running, not awarded.
- C5 Place, SME, £30,000, ended 30/03/2026 and not ended on the register: past its end.
- C6 Adults, £120,000 (£60,000), 31/03/2025 to 31/03/2026: running on its last day, inside its
  lead time with nothing planned, its manager has left.
- C7 Adults, £50,000, terminated 01/10/2025.

So on 31/03/2026: 4 running (C1, C2, C3, C6) worth £2,920,000 (£660,000 a year); Adults 3
(£2,320,000), Place 1 (£600,000); key 2 (C1, C3); SMEs hold £400,000 of £660,000 a year (61%),
VCSEs £50,000 (8%); 2 awarded (C2, C3) worth £800,000, VCSE 1 (50%, 25% of the value), SME 0;
1 direct award (£200,000); no plan 1 (C6); overdue reviews 1 (C2); past end 1 (C5); no current
manager 2 (C3, C6); savings planned on 1 running contract (C1, £100,000).
"""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from contracts.models import Contract
from contracts.tests.factories import ContractOverFiftyThousandFactory, SupplierFactory
from gateways.models import GatewayReview
from gateways.tests.factories import ProjectFactory
from maturity.models import ActionItem, ActionPlan
from maturity.services import assessment_close
from maturity.tests.factories import agree_all, assessment
from performance.models import PerformanceException, PerformanceReview, Saving
from performance.tests.factories import KpiFactory
from procurement.roles import Role
from procurement.tests.factories import DirectorateFactory, UserFactory
from socialvalue.models import Commitment, DeliveryReturn, Measure
from socialvalue.tests.factories import library

LONDON = ZoneInfo("Europe/London")
YEAR = 2025
TODAY = date(2026, 6, 1)
AS_AT = date(2026, 3, 31)


def london(*parts) -> datetime:
    return datetime(*parts, tzinfo=LONDON)


def _contract(reference, directorate, supplier, value, annual, start, end, **fields):
    return ContractOverFiftyThousandFactory(
        reference=reference,
        directorate=directorate,
        supplier=supplier,
        whole_life_value=Decimal(value),
        annual_value=Decimal(annual) if annual else None,
        start_date=start,
        end_date=end,
        **fields,
    )


def _review(author, stage, state, *, submitted=None, decided=None, **fields):
    return GatewayReview.objects.create(
        author=author,
        stage=stage,
        state=state,
        summary=f"{stage} report",
        submitted_at=submitted,
        decided_at=decided,
        **fields,
    )


def build() -> dict:
    adults = DirectorateFactory(name="Adults", code="adults")
    place = DirectorateFactory(name="Place", code="place")
    sme = SupplierFactory(name="Small Ltd", is_sme=True)
    vcse = SupplierFactory(name="Community Trust", is_vcse=True)
    large = SupplierFactory(name="Large plc")
    head = UserFactory(roles=[Role.HEAD_OF_PROCUREMENT], directorate=adults)
    officer = UserFactory(roles=[Role.PROCUREMENT_OFFICER], directorate=adults)
    leaver = UserFactory(roles=[Role.CONTRACT_MANAGER], is_active=False)

    c1 = _contract(
        "C1",
        adults,
        sme,
        "2000000",
        "400000",
        date(2024, 4, 1),
        date(2028, 3, 31),
        planned_savings=Decimal("100000"),
        review_date=date(2026, 6, 30),
    )
    c2 = _contract(
        "C2",
        adults,
        vcse,
        "200000",
        "50000",
        date(2025, 4, 1),
        date(2027, 3, 31),
        procurement_route=Contract.Route.DIRECT_AWARD,
        review_date=date(2026, 3, 30),
    )
    c3 = _contract(
        "C3",
        place,
        large,
        "600000",
        "150000",
        date(2026, 3, 31),
        date(2029, 3, 31),
        risk_rating=Contract.Risk.HIGH,
        contract_manager=None,
    )
    c4 = _contract("C4", place, large, "80000", "80000", date(2026, 4, 1), date(2028, 3, 31))
    c5 = _contract("C5", place, sme, "30000", None, date(2023, 4, 1), date(2026, 3, 30))
    c6 = _contract(
        "C6",
        adults,
        large,
        "120000",
        "60000",
        date(2025, 3, 31),
        date(2026, 3, 31),
        contract_manager=leaver,
    )
    c7 = _contract(
        "C7",
        adults,
        large,
        "50000",
        None,
        date(2024, 1, 1),
        date(2027, 1, 1),
        terminated_on=date(2025, 10, 1),
    )

    # The forward plan. P1 and P2 were planned to start in the year; P1 was awarded in it, P2's
    # award came at 00:30 on 1 April 2026, after the year. Next 18 months from 31/03/2026 (to
    # 30/09/2027): P2 (starting on 31/03/2026 itself) and P3, worth £2,300,000; P3 has a key
    # decision. P4 starts on 01/10/2027, a day too late.
    p1 = ProjectFactory(
        reference="P1",
        directorate=adults,
        planned_start_date=date(2025, 10, 1),
        estimated_value=Decimal("500000"),
    )
    p2 = ProjectFactory(
        reference="P2",
        directorate=place,
        planned_start_date=date(2026, 3, 31),
        estimated_value=Decimal("2000000"),
    )
    ProjectFactory(
        reference="P3",
        directorate=place,
        planned_start_date=date(2026, 4, 1),
        estimated_value=Decimal("300000"),
        key_decision_reference="KD-2026-01",
    )
    ProjectFactory(
        reference="P4",
        directorate=adults,
        planned_start_date=date(2027, 10, 1),
        estimated_value=Decimal("100000"),
    )

    # Gateway reports. Decided in the year: R1 (G2 approved, 5 working days), R2 (G2 rejected at
    # 23:30 on 31 March, British Summer Time: 21 working days), R5 and R6 (G3 extensions
    # approved, 10 and 5 working days): 4 decided, 3 approved, 1 rejected; median 7.5 days.
    # R3 (approved at 00:30 on 1 April 2026) is the next year's. R4 awaits a decision; R7 was
    # withdrawn and R8 returned in the year. R5 showed all four extension tests; R6 two, and
    # went ahead on an exception justification.
    State = GatewayReview.State
    reviews = {
        "R1": _review(
            officer,
            "G2",
            State.APPROVED,
            project=p1,
            submitted=london(2025, 4, 1, 9),
            decided=london(2025, 4, 8, 10),
        ),
        "R2": _review(
            officer,
            "G2",
            State.REJECTED,
            project=p2,
            submitted=london(2026, 3, 2, 9),
            decided=london(2026, 3, 31, 23, 30),
        ),
        "R3": _review(
            officer,
            "G2",
            State.APPROVED,
            project=p2,
            submitted=london(2026, 3, 2, 9),
            decided=london(2026, 4, 1, 0, 30),
        ),
        "R4": _review(officer, "G0", State.IN_REVIEW, project=p1, submitted=london(2026, 5, 1)),
        "R5": _review(
            officer,
            "G3",
            State.APPROVED,
            contract=c1,
            is_extension=True,
            submitted=london(2025, 9, 1, 9),
            decided=london(2025, 9, 15, 12),
            extension_allowed_evidence="Clause 4.2 allows two years",
            savings_evidence="3% off the rates",
            added_social_value="Two apprentices",
            performance_evidence="Good for two years",
        ),
        "R6": _review(
            officer,
            "G3",
            State.APPROVED,
            contract=c2,
            is_extension=True,
            submitted=london(2025, 9, 24, 9),
            decided=london(2025, 10, 1, 9),
            extension_allowed_evidence="Clause 7",
            performance_evidence="Approaching target",
            exception_justification="The market is not ready to tender",
        ),
        "R7": _review(
            officer,
            "G1",
            State.WITHDRAWN,
            project=p1,
            submitted=london(2025, 5, 1, 9),
            decided=london(2025, 6, 1, 9),
        ),
        "R8": _review(
            officer,
            "G1",
            State.RETURNED,
            project=p1,
            submitted=london(2025, 6, 10, 9),
            decided=london(2025, 7, 1, 9),
        ),
    }

    # Savings for 2025/26: £30,000 + £5,000 on C1 and £10,000 on C2 (£45,000 on 2 contracts).
    # On C1, which has savings planned, £20,000 in 2024/25 as well: £55,000 of £100,000 (55%).
    for contract, year, cashable, non_cashable in (
        (c1, 2025, "30000", "5000"),
        (c2, 2025, "10000", "0"),
        (c1, 2024, "20000", "0"),
        (c1, 2026, "99999", "0"),
    ):
        Saving.objects.create(
            contract=contract,
            financial_year=year,
            cashable=Decimal(cashable),
            non_cashable=Decimal(non_cashable),
            recorded_by=head,
        )

    # Exceptions open on 31/03/2026: E1 and E3 (closed only on 10/04/2026): 2.
    for contract, opened, closed in (
        (c1, date(2026, 1, 10), None),
        (c3, date(2025, 5, 1), date(2026, 2, 1)),
        (c2, date(2026, 2, 1), date(2026, 4, 10)),
        (c1, date(2026, 4, 2), None),
    ):
        PerformanceException.objects.create(
            contract=contract,
            kpi=KpiFactory(contract=contract),
            reason="Missed the target",
            opened_on=opened,
            closed_on=closed,
            status=(
                PerformanceException.Status.CLOSED if closed else PerformanceException.Status.OPEN
            ),
        )

    # Performance reviews of key contracts held in the year: C1 good (01/06/2025) and requires
    # improvement (31/03/2026, its latest by the year's end). C3's first review is on
    # 01/04/2026, after the year, so C3 was not reviewed in it. C2 is not a key contract.
    Rating = PerformanceReview.Rating
    for contract, held, rating in (
        (c1, date(2025, 6, 1), Rating.GOOD),
        (c1, date(2026, 3, 31), Rating.REQUIRES_IMPROVEMENT),
        (c3, date(2026, 4, 1), Rating.GOOD),
        (c2, date(2025, 7, 1), Rating.INADEQUATE),
    ):
        PerformanceReview.objects.create(
            contract=contract, held_on=held, rating=rating, narrative="Reviewed", recorded_by=head
        )

    # Social value: 100 hours (at £10) due by 31/03/2026 on C1, 40 delivered and verified and 10
    # awaiting checking: £1,000 committed, £400 delivered. A commitment due on 01/04/2026 is the
    # next year's (on C2).
    hours = Measure.objects.get(library=library(theme="Skills and employment"), code="HRS")
    for contract, quantity, target in (
        (c1, "100", date(2026, 3, 31)),
        (c2, "500", date(2026, 4, 1)),
    ):
        commitment = Commitment.objects.create(
            contract=contract,
            measure=hours,
            quantity=Decimal(quantity),
            target_date=target,
            source=Commitment.Source.AWARD,
            created_by=head,
        )
        if quantity == "100":
            for delivered, status, quarter in (
                ("40", "verified", date(2025, 10, 1)),
                ("10", "awaiting", date(2026, 1, 1)),
            ):
                DeliveryReturn.objects.create(
                    commitment=commitment,
                    period_start=quarter,
                    period_end=date(quarter.year, quarter.month + 2, 28),
                    quantity=Decimal(delivered),
                    evidence="Timesheets",
                    status=status,
                    recorded_by=head,
                )

    # Maturity: 2024/25 agreed at 1 (target 2), 2025/26 at 2 (target 3), both closed: every
    # theme is at 2.0 against 3.0, up 1.0. 2026/27, also closed, is after the year. The action
    # plan for 2025/26 has 3 actions: 1 delivered, 1 ongoing past its timescale (01/01/2026),
    # 1 not started due 31/12/2026.
    older = assessment(by=head, participants=[head], year=2024, name="NPS 2024")
    agree_all(older, head, 1, 2)
    assessment_close(assessment=older, by=head)
    closed = assessment(by=head, participants=[head], year=2025, name="NPS 2025")
    agree_all(closed, head, 2, 3)
    assessment_close(assessment=closed, by=head)
    later = assessment(by=head, participants=[head], year=2026, name="NPS 2026")
    agree_all(later, head, 4, 5)
    assessment_close(assessment=later, by=head)
    plan = ActionPlan.objects.create(name="Maturity 2025", assessment=closed, created_by=head)
    for number, status, due in (
        (1, ActionItem.Status.DELIVERED, date(2025, 12, 1)),
        (2, ActionItem.Status.ONGOING, date(2026, 1, 1)),
        (3, ActionItem.Status.NOT_STARTED, date(2026, 12, 31)),
    ):
        ActionItem.objects.create(
            plan=plan,
            number=number,
            kind=ActionItem.Kind.RECOMMENDATION,
            recommendation="Close the gap",
            actions="Train",
            owner=head,
            due_by=due,
            status=status,
        )
    return {
        "adults": adults,
        "place": place,
        "head": head,
        "contracts": {c.reference: c for c in (c1, c2, c3, c4, c5, c6, c7)},
        "reviews": reviews,
        "assessment": closed,
    }
