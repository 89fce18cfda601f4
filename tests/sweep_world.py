"""The council the authorisation sweep visits: the demo council, plus a second side.

Every address that names an object is visited twice, with object **A** and object **B**:

- **A** belongs to Adult Social Care, the directorate of the sweep's procurement officer,
  contract manager and executive director: its contracts are managed by the contract manager and
  led by the director, its draft gateway report is the officer's. Where the object is personal (an
  API token, a notification), A is the visitor's own.
- **B** belongs to another directorate and to people outside the sweep (an officer and a director
  of Housing): the visitor holds it only through a council-wide role. Where the object is
  personal, B is someone else's.

docs/access.md declares, for each address and each role, what A and B answer.

For the decision addresses, ``decision_case`` makes a report of Adult Social Care waiting at a step
limited to the procurement's directorate, with someone of that role who may not take it and
someone who may.
"""

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from procurement.management.commands.seed_demo import PEOPLE
from procurement.models import Directorate, PlanTheme, User
from procurement.roles import Role
from training.models import Course

OURS = "asc"
DEMO_CONTRACTS = 30

# Text the sweep plants in objects only some roles may see; no other page may show it.
# (An object's own text ends in -A or -B.)
SECRET_DRAFT = "SWEEP-SECRET-DRAFT-REPORT"
SECRET_EVIDENCE = "SWEEP-SECRET-SUPPLIER-EVIDENCE"
SECRET_SCORE = "SWEEP-SECRET-PARTICIPANT-SCORE"
SECRET_TOKEN = "SWEEP-SECRET-TOKEN-NAME"
SECRET_NOTIFICATION = "SWEEP-SECRET-NOTIFICATION"


@dataclass
class World:
    users: dict[Role, User]
    outsider: User
    outside_director: User | None = None  # Housing's executive director
    objects: dict[str, tuple] = field(default_factory=dict)  # kind -> (A, B or None)
    personal: dict[str, dict[int, object]] = field(default_factory=dict)  # kind -> user pk -> obj
    secrets: list[tuple[str, object]] = field(default_factory=list)  # (text, may_see(user))


def _resilience(world: "World", users) -> None:
    """Supplier resilience's A and B: the supplier of our contract, with a plan on that contract,
    and a supplier none of our people works with, with a plan of its own."""
    from contracts.models import Supplier
    from contracts.services import resilience_plan_add

    ours = world.objects["contract"][0]
    theirs = Supplier.objects.create(name="Sweep outside supplier")
    world.objects["resilience_supplier"] = (ours.supplier, theirs)
    today = timezone.localdate()
    world.objects["resilience_plan"] = tuple(
        resilience_plan_add(
            kind="continuity",
            upload=_pdf("continuity-plan.pdf"),
            review_date=today + timedelta(days=90),
            reason="Sweep",
            by=users[Role.HEAD_OF_PROCUREMENT],
            today=today,
            **owner,
        )
        for owner in ({"contract": ours}, {"supplier": theirs})
    )


def _pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4\n%sweep\n", content_type="application/pdf")


def build() -> World:
    from contracts.models import Contract, Supplier
    from contracts.services import attachment_add
    from gateways.models import (
        Bid,
        Delegation,
        GatewayReview,
        ProcurementProject,
        ProposedKpi,
        ReportAttachment,
    )
    from gateways.services import project_create, review_attach, review_create
    from maturity.models import ActionItem, ActionPlan, Assessment, KeyArea, Score
    from opendata.selectors import notifiable
    from performance.models import Kpi, KpiDefinition, PerformanceException, ReviewAction
    from procurement.models import Notification
    from procurement.tokens import api_token_create
    from reporting.models import AnnualReport
    from reporting.services import (
        annual_report_build,
        annual_report_publish,
        report_years,
        social_value_review_publish,
    )
    from socialvalue.models import Commitment, DeliveryReturn, MeasureLibrary

    with override_settings(DEBUG=True):
        call_command("seed_demo", contracts=DEMO_CONTRACTS, stdout=io.StringIO())
    today = timezone.localdate()
    # Each role's visitor is the first demo person holding it (the demo has a second executive
    # director, of Housing, and a deputy lead member: they are not the sweep's visitors).
    emails: dict[Role, str] = {}
    for local, *_, roles in PEOPLE:
        emails.setdefault(roles[0], f"{local}@northmere.example")
    users = {role: User.objects.get(email=email) for role, email in emails.items()}
    housing = Directorate.objects.get(code="hsg")
    outsider = _outsider("owen", [Role.PROCUREMENT_OFFICER, Role.CONTRACT_MANAGER], housing)
    outside_director = _outsider("hilda", [Role.EXECUTIVE_DIRECTOR], housing)

    # Our contracts are the sweep's contract manager's and director's; everyone else's are the
    # outsiders'. (Test set-up, not the app: a plain update is fine here.)
    current = Contract.objects.exclude(contract_manager__is_active=False)
    current.filter(directorate__code=OURS).update(
        contract_manager=users[Role.CONTRACT_MANAGER], lead_director=users[Role.EXECUTIVE_DIRECTOR]
    )
    current.exclude(directorate__code=OURS).update(
        contract_manager=outsider, lead_director=outside_director
    )
    world = World(users=users, outsider=outsider, outside_director=outside_director)

    def pair(kind, queryset, ours="directorate__code"):
        a = queryset.filter(**{ours: OURS}).order_by("pk").first()
        b = queryset.exclude(**{ours: OURS}).order_by("pk").first()
        assert a is not None, f"the sweep has no A {kind}"
        world.objects[kind] = (a, b)

    pair("contract", Contract.objects.exclude(contract_manager__is_active=False))
    for contract in world.objects["contract"]:
        attachment_add(
            contract=contract,
            upload=_pdf("signed-contract.pdf"),
            kind="contract",
            by=users[Role.HEAD_OF_PROCUREMENT],
        )
    from contracts.models import ContractAttachment

    pair("contract_attachment", ContractAttachment.objects.all(), "contract__directorate__code")
    pair("kpi", Kpi.objects.all(), "contract__directorate__code")
    pair("action", ReviewAction.objects.all(), "review__contract__directorate__code")
    pair("exception", PerformanceException.objects.all(), "contract__directorate__code")
    pair("commitment", Commitment.objects.all(), "contract__directorate__code")
    returns = DeliveryReturn.objects.all()
    pair("return", returns, "commitment__contract__directorate__code")
    world.objects["evidence"] = world.objects["return"]
    for side, delivery_return in zip("AB", world.objects["return"], strict=True):
        delivery_return.attachment.save("evidence.pdf", _pdf("evidence.pdf"), save=False)
        delivery_return.attachment_name = "evidence.pdf"
        delivery_return.evidence = f"{SECRET_EVIDENCE}-{side}"
        delivery_return.save()
        contract = delivery_return.commitment.contract
        world.secrets.append(
            (
                delivery_return.evidence,
                lambda user, c=contract: user.has_perm("socialvalue.view_evidence", c),
            )
        )
    world.objects["supplier"] = (Supplier.objects.order_by("pk").first(), None)
    _resilience(world, users)

    # Their procurement: a Housing project with a draft report by their officer.
    their_project = project_create(
        fields={
            "reference": "HSG-SWEEP-1",
            "title": "Housing repairs and maintenance",
            "directorate": housing,
            "estimated_value": Decimal("900000"),
            "lead_officer": outsider,
        },
        by=outsider,
        reason="Planned",
    )
    review_create(author=outsider, stage="G0", summary="Housing repairs", project=their_project)
    pair("project", ProcurementProject.objects.all())
    # The public forward plan shows something (its table is audited by the every-page test).
    ProcurementProject.objects.filter(pk=world.objects["project"][0].pk).update(
        on_public_forward_plan=True, suitable_for_sme=True
    )
    template = Kpi.objects.order_by("pk").first()
    kpi_definition = {
        f.name: getattr(template, f.name) for f in KpiDefinition._meta.fields if f.name != "id"
    }
    drafts = GatewayReview.objects.filter(state="draft", project__isnull=False)
    pair("review", drafts.filter(stage="G0"), "project__directorate__code")
    # A Gateway 1 report still being written, for its weighting and social value measures.
    strategy = GatewayReview.objects.filter(stage="G1", state__in=["draft", "returned"])
    world.objects["strategy"] = (strategy.order_by("pk").first(), None)
    for side, review in zip("AB", world.objects["review"], strict=True):
        review.summary = f"{SECRET_DRAFT}-{side}"
        review.save()
        world.secrets.append(
            (review.summary, lambda user, r=review: user.has_perm("gateways.view_review", r))
        )
        ProposedKpi.objects.create(review=review, **kpi_definition)
        review_attach(review=review, upload=_pdf("options-appraisal.pdf"), by=review.author)
    pair("proposed_kpi", ProposedKpi.objects.all(), "review__project__directorate__code")
    pair("report_attachment", ReportAttachment.objects.all(), "review__project__directorate__code")
    world.objects["bid"] = (Bid.objects.order_by("pk").first(), None)
    # The procurement being evaluated, with its panel and bids.
    world.objects["tender"] = (world.objects["bid"][0].project, None)
    world.objects["delegation"] = (Delegation.objects.order_by("pk").first(), None)
    world.objects["library"] = (MeasureLibrary.objects.order_by("pk").first(), None)
    world.objects["plan_theme"] = (PlanTheme.objects.order_by("pk").first(), None)

    assessments = Assessment.objects.order_by("pk")
    world.objects["assessment"] = (
        assessments.filter(status=Assessment.Status.OPEN).first(),
        assessments.exclude(status=Assessment.Status.OPEN).first(),
    )
    world.objects["key_area"] = (KeyArea.objects.order_by("pk").first(), None)
    score = Score.objects.filter(participant__assessment=world.objects["assessment"][0]).first()
    score.evidence = SECRET_SCORE
    score.save()
    assessment = score.participant.assessment
    world.secrets.append(
        (SECRET_SCORE, lambda user: user.has_perm("maturity.view_scores", assessment))
    )
    world.objects["plan"] = (ActionPlan.objects.order_by("pk").first(), None)
    items = ActionItem.objects.order_by("pk")
    world.objects["item"] = (
        items.filter(owner=users[Role.PROCUREMENT_OFFICER]).first(),
        items.exclude(owner=users[Role.PROCUREMENT_OFFICER]).first(),
    )
    departed = User.objects.filter(is_active=False).first()
    world.objects["departed"] = (departed, None)
    world.objects["person"] = (users[Role.PROCUREMENT_OFFICER], None)
    world.objects["course"] = (Course.objects.order_by("pk").first(), None)

    # Personal things: each visitor's own API token and notification, and the outsider's.
    world.personal["token"] = {}
    world.personal["notification"] = {}
    example = Notification.objects.order_by("pk").first()
    for user in [*users.values(), outsider]:
        name = SECRET_TOKEN if user == outsider else "Reporting"
        token, _ = api_token_create(
            user=user, name=name, expires_on=today + timedelta(days=30), by=user
        )
        world.personal["token"][user.pk] = token
        notification = Notification.objects.create(
            kind=example.kind,
            subject_type=example.subject_type,
            subject_id=example.subject_id,
            key=f"sweep-{user.pk}",
            recipient=user,
            due_on=today,
            title=SECRET_NOTIFICATION if user == outsider else "Contract ending soon",
            email_subject="Contract ending soon",
            body_text="A contract you manage ends soon.",
        )
        world.personal["notification"][user.pk] = notification
    world.secrets.append((SECRET_TOKEN, lambda user: user == outsider))
    world.secrets.append(
        (
            SECRET_NOTIFICATION,
            lambda user: user == outsider or user.has_perm("procurement.view_notifications"),
        )
    )

    _review_queue(world, housing)

    report = AnnualReport.objects.create(
        year=report_years(today=today)[0],
        version=1,
        source="page",
        requested_by=users[Role.HEAD_OF_PROCUREMENT],
        reason="For the sweep",
    )
    report = annual_report_build(report_id=report.pk)
    # Published, so that its public addresses answer; a draft's are 404 (reporting/tests).
    annual_report_publish(report=report, by=users[Role.HEAD_OF_PROCUREMENT], reason="The sweep")
    world.objects["annual_report"] = (report, None)
    world.objects["social_value_review"] = (
        social_value_review_publish(
            year=report.year, by=users[Role.HEAD_OF_PROCUREMENT], reason="The sweep"
        ),
        None,
    )
    # A quarter signed off (A: members read it) and one in review (B: only those who review it).
    from assurance.models import QuarterlyReport

    quarters = QuarterlyReport.objects.order_by("-financial_year", "-quarter")
    world.objects["quarter"] = (
        quarters.get(status=QuarterlyReport.Status.SIGNED),
        quarters.get(status=QuarterlyReport.Status.IN_REVIEW),
    )
    items_to_notify = notifiable(today=today)
    world.objects["notifiable"] = (items_to_notify[0] if items_to_notify else None, None)
    _cpv_codes()
    return world


def _cpv_codes() -> None:
    """A few codes of the CPV 2008 list, so that the Find a CPV code page lists some."""
    from procurement.demo import cpv_codes_load

    cpv_codes_load(reason="The sweep")


def _review_queue(world: World, housing: Directorate) -> None:
    """The spend review queue's A and B: a payee waiting for its supplier, and a supplier's
    payments waiting for their contract, in Adult Social Care and in Housing."""
    from contracts.models import Contract
    from spend.matching import attribute_contracts
    from spend.models import Payment, PaymentImport, PaymentSource
    from spend.names import payee_key

    source, _ = PaymentSource.objects.get_or_create(name="The sweep's finance system")
    batch = PaymentImport.objects.create(source=source, filename="sweep.csv", reason="The sweep")
    ours = Directorate.objects.get(code=OURS)
    paid_on = timezone.localdate() - timedelta(days=20)
    payees, suppliers = [], []
    for side, directorate in (("A", ours), ("B", housing)):
        name = f"Sweep payee {side} Trading"
        payees.append(
            Payment.objects.create(
                source=source,
                batch=batch,
                transaction_ref=f"SWEEP-{side}-1",
                paid_on=paid_on,
                amount=Decimal("1200.00"),
                directorate=directorate,
                payee=name,
                payee_key=payee_key(name),
            )
        )
        contract = Contract.objects.filter(directorate=directorate).order_by("pk").first()
        suppliers.append(
            Payment.objects.create(
                source=source,
                batch=batch,
                transaction_ref=f"SWEEP-{side}-2",
                paid_on=paid_on,
                amount=Decimal("800.00"),
                directorate=directorate,
                payee=contract.supplier.name,
                payee_key=payee_key(contract.supplier.name),
                supplier=contract.supplier,
                supplier_match=Payment.SupplierMatch.NAME,
            )
        )
    attribute_contracts(Payment.objects.filter(batch=batch))
    # Waiting for an officer's choice of contract, whatever the rules found (test set-up).
    Payment.objects.filter(pk__in=[p.pk for p in suppliers]).update(
        contract=None, contract_match=Payment.ContractMatch.WAITING
    )
    world.objects["payee"] = tuple(payees)
    world.objects["waiting_supplier"] = tuple(suppliers)


# --- Decisions in and out of scope ---------------------------------------------------------------


@dataclass
class Attempt:
    """One person sending the case's decision: refused with ``refusal``, or (``refusal`` empty)
    taken. ``first`` runs before they send it (a delegation given in the meantime)."""

    person: User
    refusal: str = ""
    first: Callable[[], object] | None = None


@dataclass
class DecisionCase:
    """An Adult Social Care report waiting at a step whose role is scoped, and the same decision
    sent by someone of that role who may not take it here (``outside``), then by someone who may
    (``within``)."""

    review: object
    role: str  # the role the step is taken in
    decision: dict  # as the services take it: ``on_behalf_of`` a person
    outside: Attempt
    within: Attempt


SCOPE = (
    "This is a procurement of Adult Social Care and Health: as {role} you act at this step only "
    "for your own directorate or portfolio."
)
DECISION_CASES = ["tier_a_sign_off", "tier_b_lead_member", "tier_b_delegate"]


def decision_case(world: World, name: str) -> DecisionCase:
    """A new report for the case ``name`` (one of DECISION_CASES), taken by the demo's people
    through the services to the scoped step."""
    from gateways.services import delegation_create, review_decide, review_submit
    from gateways.tests.factories import (
        CONSULTATION,
        ProjectFactory,
        TierBProjectFactory,
        g1_draft,
    )
    from procurement.services import user_set_portfolio

    users = world.users
    officer = users[Role.PROCUREMENT_OFFICER]
    ours = officer.directorate
    housing = Directorate.objects.get(code="hsg")
    tier_b = name != "tier_a_sign_off"
    factory = TierBProjectFactory if tier_b else ProjectFactory
    review = g1_draft(officer, project=factory(directorate=ours, lead_officer=officer))
    review_submit(review=review, by=officer)
    review_decide(review=review, by=users[Role.BUSINESS_PARTNER], outcome="approved")
    if not tier_b:
        # Step 2: the executive director's sign-off, in consultation with the lead member.
        return DecisionCase(
            review=review,
            role=Role.EXECUTIVE_DIRECTOR.label,
            decision={"outcome": "approved", **CONSULTATION},
            outside=Attempt(world.outside_director, SCOPE.format(role="executive director")),
            within=Attempt(users[Role.EXECUTIVE_DIRECTOR]),
        )
    for role in (Role.CONSULTEE_LEGAL, Role.CONSULTEE_FINANCE, Role.CONSULTEE_COMMUNICATIONS):
        review_decide(review=review, by=users[role], outcome="commented", reasons="Content.")
    review_decide(
        review=review,
        by=users[Role.OFFICER_BOARD_MEMBER],
        outcome="recommended",
        meeting_date=timezone.localdate(),
        minute_reference="OB 2026/11 min 3",
    )

    def lead_member(local: str, directorate, portfolio, *also: Role) -> User:
        person = _outsider(local, [Role.LEAD_MEMBER, *also], directorate)
        user_set_portfolio(user=person, directorates=portfolio, by=None, reason="The sweep")
        return User.objects.get(pk=person.pk)

    decision = {"outcome": "approved", "key_decision_reference": "KD-SWEEP-1"}
    if name == "tier_b_lead_member":
        # Step 4: the Lead Member for the directorate's portfolio (or the Leadership Team).
        return DecisionCase(
            review=review,
            role=Role.LEAD_MEMBER.label,
            decision=decision,
            outside=Attempt(
                lead_member("lena", housing, [housing]), SCOPE.format(role="lead member")
            ),
            within=Attempt(users[Role.LEAD_MEMBER]),
        )
    # A lead member for Adult Social Care, also on the officer board, delegates only their board
    # role to a colleague who holds both roles for Housing: that colleague cannot act at step 4 on
    # their behalf until the lead member role is delegated too.
    board = Role.OFFICER_BOARD_MEMBER
    delegator = lead_member("larry", housing, [ours], board)
    delegate = lead_member("dora", housing, [housing], board)

    def delegate_roles(*roles: Role):
        return delegation_create(
            delegator=delegator,
            delegate=delegate,
            roles=[role.label for role in roles],
            starts_on=timezone.localdate(),
            ends_on=timezone.localdate() + timedelta(days=7),
            by=delegator,
            reason="Annual leave",
        )

    delegate_roles(board)
    return DecisionCase(
        review=review,
        role=Role.LEAD_MEMBER.label,
        decision={**decision, "on_behalf_of": delegator},
        outside=Attempt(
            delegate,
            f"{delegator} has not delegated to you today a role that can act at this step for "
            "this directorate.",
        ),
        within=Attempt(delegate, first=lambda: delegate_roles(Role.LEAD_MEMBER)),
    )


def _outsider(local: str, roles: list[Role], directorate: Directorate) -> User:
    from procurement.services import user_create

    return user_create(
        email=f"{local}@housing.example",
        first_name=local.title(),
        last_name="Outsider",
        directorate=directorate,
        roles=roles,
        password="an-outsider-password-2026",
        by=None,
        reason="The sweep's other side",
    )


def first_key_area():
    from maturity.models import KeyArea

    return KeyArea.objects.order_by("pk").first()


def ocid(contract) -> str:
    from opendata.ocds import ocid_for

    return ocid_for(contract.reference)
