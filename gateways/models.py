"""The forward plan and the Gateway 0 to 3 reviews, routed by the approval policy (DESIGN §2.1)."""

from datetime import date
from decimal import Decimal
from functools import cached_property

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django_fsm import ConcurrentTransitionMixin, FSMField, transition
from simple_history.models import HistoricalRecords

from contracts.models import DEFAULT_KIND, Contract
from performance.models import KpiDefinition, kpis_required
from procurement.act import Figures, Standing, standing
from procurement.cpv import validate_cpv_code
from procurement.fsm import ProtectedStateMixin
from procurement.models import (
    MONEY,
    PERCENT_VALIDATORS,
    ApprovalPolicy,
    ContractCategory,
    Directorate,
    GatewayStage,
    PlanTheme,
    WhoActs,
)
from procurement.numbers import figure
from procurement.thresholds import (
    KPIS_ABOVE,
    KPIS_REQUIRED,
    SOCIAL_VALUE_ABOVE,
    SOCIAL_VALUE_MINIMUM_PERCENT,
    pounds,
)
from socialvalue.models import CommitmentTerms

from . import stages
from .routing import route_is_current

WEIGHT = {"max_digits": 5, "decimal_places": 2}


class WeightingProblem(str):
    """A reason a weighting cannot go to the approvers, with the weighting form's field it is
    about ("quality", "weighting_justification", or "criteria:<group>" for a group's rows)."""

    field: str | None

    def __new__(cls, text: str, field: str | None = None):
        problem = super().__new__(cls, text)
        problem.field = field
        return problem


class ProcurementProject(models.Model):
    """A procurement on the forward plan."""

    reference = models.CharField(max_length=50, unique=True)
    title = models.CharField(max_length=250)
    description = models.TextField(blank=True)
    directorate = models.ForeignKey(Directorate, on_delete=models.PROTECT, related_name="projects")
    category = models.ForeignKey(
        ContractCategory, on_delete=models.PROTECT, null=True, blank=True, related_name="projects"
    )
    estimated_value = models.DecimalField(
        "estimated whole-life value",
        **MONEY,
        help_text="Including extension options: it decides the gateways and who approves them.",
    )
    estimated_vat = models.DecimalField(
        "VAT on the estimated value",
        **MONEY,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.00"))],
        help_text="Enter 0 where there is no VAT. Leave blank if not known: the standard rate is "
        "then assumed.",
    )
    procurement_began_on = models.DateField(
        "procurement began",
        null=True,
        blank=True,
        help_text="The day the procurement began (its first notice, or the first approach to "
        "suppliers): it decides the law and the thresholds that apply. Blank: the planned "
        "tender date, or today if none is planned.",
    )
    # What is to be bought, in the Common Procurement Vocabulary (procurement/cpv.py).
    cpv_code = models.CharField(
        "CPV code",
        max_length=10,
        blank=True,
        validators=[validate_cpv_code],
        help_text="The main CPV 2008 code of what is to be bought, like 45000000-7.",
    )
    is_core_service = models.BooleanField("core service", default=False)
    is_high_value_or_complex = models.BooleanField("high value or complex", default=False)
    planned_route = models.CharField(max_length=20, choices=Contract.Route.choices, blank=True)
    replaces = models.ForeignKey(
        Contract,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replacement_projects",
        help_text="The contract this procurement replaces, if any.",
    )
    key_decision_reference = models.CharField(max_length=100, blank=True)
    lead_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="led_projects"
    )
    planned_g0_date = models.DateField("Gateway 0 planned", null=True, blank=True)
    planned_g1_date = models.DateField("Gateway 1 planned", null=True, blank=True)
    planned_tender_date = models.DateField("tender planned", null=True, blank=True)
    planned_g2_date = models.DateField("Gateway 2 planned", null=True, blank=True)
    planned_award_date = models.DateField("award planned", null=True, blank=True)
    planned_start_date = models.DateField("contract start planned", null=True, blank=True)
    baseline_cost = models.DecimalField(
        **MONEY, null=True, blank=True, help_text="What the need costs now, per year."
    )
    expected_savings = models.DecimalField(
        **MONEY, null=True, blank=True, help_text="Savings expected over the contract's life."
    )
    suitable_for_sme = models.BooleanField(
        "suitable for small and medium-sized enterprises", default=False
    )
    suitable_for_vcse = models.BooleanField(
        "suitable for voluntary, community and social enterprises", default=False
    )
    contact_email = models.EmailField(
        "contact mailbox",
        blank=True,
        help_text="Where suppliers ask about it. Blank: the council's procurement mailbox.",
    )
    on_public_forward_plan = models.BooleanField(
        "publish on the forward plan",
        default=False,
        help_text="Show it on the public forward plan (if its value is over the figure the "
        "council publishes from): its title, category, value band, planned dates, suitability "
        "and contact mailbox.",
    )
    public_from = models.DateField(
        "shown publicly from",
        null=True,
        blank=True,
        help_text="The day it first appears on the public forward plan. Blank: as soon as it is "
        "published.",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["planned_start_date", "reference"]
        constraints = [
            models.CheckConstraint(
                condition=Q(estimated_value__gt=0), name="project_value_positive"
            ),
            models.CheckConstraint(
                condition=Q(estimated_vat__isnull=True) | Q(estimated_vat__gte=0),
                name="project_vat_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference}: {self.title}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("gateways:project", args=[self.pk])

    @cached_property
    def act(self) -> Standing:
        """Its standing under the law today, for its page and the API."""
        return self.act_standing(today=timezone.localdate())

    def act_standing(self, *, today: date, figures: Figures | None = None) -> Standing:
        """Its regime and threshold, from the day it began (or is planned to go to tender)."""
        began = self.procurement_began_on or self.planned_tender_date or today
        return standing(
            value=self.estimated_value,
            vat=self.estimated_vat,
            kind=self.category.threshold_kind if self.category else DEFAULT_KIND,
            began=began,
            began_assumed=self.procurement_began_on is None,
            figures=figures or Figures.load(),
        )


def _rule(name: str):
    """A review transition's ``permission``: the predicate ``name`` of ``gateways.rules`` itself,
    not ``has_perm``, which says yes to every superuser whatever the rule (only the author changes
    a report; only someone the step asks decides it)."""

    def held(instance: "GatewayReview", user) -> bool:
        from . import rules

        return bool(getattr(rules, name)(user, instance))

    held.__name__ = name
    return held


class GatewayReview(ProtectedStateMixin, ConcurrentTransitionMixin, models.Model):
    """A gateway report and its journey through the steps its policy gave it at submission."""

    class State(models.TextChoices):
        DRAFT = "draft", "Draft"
        IN_REVIEW = "in_review", "In review"
        RETURNED = "returned", "Returned for changes"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        WITHDRAWN = "withdrawn", "Withdrawn"

    project = models.ForeignKey(
        ProcurementProject, on_delete=models.PROTECT, null=True, blank=True, related_name="reviews"
    )
    contract = models.ForeignKey(
        Contract,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="gateway_reviews",
        help_text="For Gateway 3: the contract to extend or review.",
    )
    stage = models.CharField(max_length=2, choices=GatewayStage.choices)
    is_extension = models.BooleanField(default=False)
    summary = models.TextField(help_text="What the report asks the approvers to decide, and why.")
    # Gateway 0: the options appraised and the one recommended.
    options_appraised = models.JSONField(default=list, blank=True)
    recommended_option = models.CharField(max_length=20, blank=True)
    # Gateway 1: the procurement strategy.
    strategy_route = models.CharField(
        "procurement route", max_length=20, choices=Contract.Route.choices, blank=True
    )
    lots = models.TextField(blank=True)
    timetable = models.TextField(blank=True)
    risks = models.TextField(blank=True)
    social_value_approach = models.TextField(blank=True)
    # Gateway 1: the evaluation weighting (DESIGN §2.3), its sub-criteria (``criteria``), and the
    # category template it was measured against when the report was last saved.
    quality_weight = models.DecimalField(**WEIGHT, null=True, blank=True)
    price_weight = models.DecimalField(**WEIGHT, null=True, blank=True)
    social_value_weight = models.DecimalField(**WEIGHT, null=True, blank=True)
    template_category = models.ForeignKey(
        ContractCategory, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    template_quality_weight = models.DecimalField(**WEIGHT, null=True, blank=True)
    template_price_weight = models.DecimalField(**WEIGHT, null=True, blank=True)
    template_social_value_weight = models.DecimalField(**WEIGHT, null=True, blank=True)
    weighting_justification = models.TextField(
        "why the weighting departs from the category's template", blank=True
    )
    social_value_justification = models.TextField(
        "why social value is weighted below 10%", blank=True
    )
    score_scale_max = models.PositiveSmallIntegerField(
        "top of the scoring scale",
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text="Scores run from 0 to this.",
    )
    quality_threshold = models.DecimalField(
        "minimum quality score (% of the quality weight)",
        **WEIGHT,
        null=True,
        blank=True,
        validators=PERCENT_VALIDATORS,
    )
    # Gateway 2: the tender outcome and the recommended award.
    tender_outcome = models.TextField(blank=True)
    recommended_supplier = models.ForeignKey(
        "contracts.Supplier", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    award_value = models.DecimalField(
        "whole-life value of the award", **MONEY, null=True, blank=True
    )
    contract_start = models.DateField(null=True, blank=True)
    contract_end = models.DateField(null=True, blank=True)
    contract_lead_director = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recommendation_justification = models.TextField(
        "why the recommended bid is not the top-ranked one", blank=True
    )
    kpis_not_applicable_reason = models.TextField(
        "why KPIs cannot apply to the contract", blank=True
    )
    # Gateway 3 extension: the four tests of "retender rather than extend" (RBKC §4b), each with
    # its evidence, or an exception with its justification for the approver.
    extension_allowed_evidence = models.TextField(
        stages.EXTENSION_TEST_WORDS["extension_allowed_evidence"], blank=True
    )
    savings_negotiated = models.DecimalField(
        "the savings secured through negotiation", **MONEY, null=True, blank=True
    )
    savings_evidence = models.TextField(stages.EXTENSION_TEST_WORDS["savings_evidence"], blank=True)
    added_social_value = models.TextField(
        stages.EXTENSION_TEST_WORDS["added_social_value"], blank=True
    )
    performance_evidence = models.TextField(
        stages.EXTENSION_TEST_WORDS["performance_evidence"], blank=True
    )
    exception_justification = models.TextField(
        blank=True,
        help_text="Where a test cannot be shown, or for a direct award: why it should go ahead.",
    )
    # Gateway 2: an award more than the policy's tolerance above the Gateway 1 estimate.
    award_variance_explanation = models.TextField(
        "why the award is above the estimate approved at Gateway 1", blank=True
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="authored_reviews"
    )
    state = FSMField(default=State.DRAFT, choices=State.choices, protected=True)
    # The route, fixed at the first submission: a later policy never re-routes it.
    policy = models.ForeignKey(
        ApprovalPolicy, on_delete=models.PROTECT, null=True, blank=True, related_name="reviews"
    )
    tier_code = models.CharField(max_length=4, blank=True)
    value = models.DecimalField(**MONEY, null=True, blank=True)
    value_basis = models.CharField(
        max_length=300, blank=True, help_text="Which value routed the report, and why that one."
    )
    round = models.PositiveSmallIntegerField(
        default=0, help_text="How many times the report has been submitted."
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(project__isnull=False) | Q(contract__isnull=False),
                name="review_has_a_subject",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_stage_display()} for {self.subject}"

    # The report's parts for each gateway are declared in gateways/stages.py.
    Option = stages.Option
    EXTENSION_TESTS = stages.EXTENSION_TESTS

    def report_rows(self) -> list[stages.Row]:
        """The report's content for this gateway, as people read it."""
        return stages.report_rows(self)

    def report_missing(self) -> list[str]:
        """What this gateway's report must hold but does not yet."""
        return stages.report_missing(self)

    def kpis_missing(self, proposed: int) -> str:
        """Why a Gateway 2 award cannot go ahead for want of KPIs (Procurement Act 2023 s.52):
        over £5 million it proposes at least three, or records why KPIs cannot apply."""
        if self.stage != GatewayStage.G2 or not kpis_required(self.award_value):
            return ""
        if proposed >= KPIS_REQUIRED or self.kpis_not_applicable_reason.strip():
            return ""
        return (
            f"A contract over {pounds(KPIS_ABOVE)} needs at least {KPIS_REQUIRED} KPIs: propose "
            f"{KPIS_REQUIRED - proposed} more, or record why KPIs cannot apply"
        )

    @property
    def extension_tests_shown(self) -> list[dict[str, str]]:
        """A Gateway 3 extension's four tests in the strategy's words, each with the evidence
        the report shows for it (blank: not shown); none for any other report."""
        if not self.is_extension:
            return []
        return [
            {"test": words, "evidence": getattr(self, name)} for name, words in self.EXTENSION_TESTS
        ]

    def extension_tests_missing(self) -> list[str]:
        """The extension tests this report does not show evidence for, in the strategy's words."""
        return [words for name, words in self.EXTENSION_TESTS if not getattr(self, name).strip()]

    # --- Gateway 1: the evaluation weighting ----------------------------------------------

    @property
    def weights(self) -> tuple:
        return (self.quality_weight, self.price_weight, self.social_value_weight)

    @property
    def template_weights(self) -> tuple:
        return (
            self.template_quality_weight,
            self.template_price_weight,
            self.template_social_value_weight,
        )

    @property
    def departs_from_template(self) -> bool:
        return None not in self.weights and self.weights != self.template_weights

    @property
    def social_value_minimum_applies(self) -> bool:
        """Over £100,000 social value carries at least 10% (the value routed, once submitted)."""
        value = self.value
        if value is None and self.project_id:
            value = self.project.estimated_value
        return value is not None and value > SOCIAL_VALUE_ABOVE

    @property
    def social_value_below_minimum(self) -> bool:
        return (
            self.social_value_minimum_applies
            and self.social_value_weight is not None
            and self.social_value_weight < SOCIAL_VALUE_MINIMUM_PERCENT
        )

    def weighting_problems(self, criteria) -> list["WeightingProblem"]:
        """What stops this weighting (with its sub-criteria) going to the approvers, each naming
        the part of the weighting form it is about."""
        if self.template_category_id is None:
            return [
                WeightingProblem(
                    "Choose the project's category: its template is where the weighting starts"
                )
            ]
        if None in self.weights:
            missing = ("quality", "price", "social_value")[self.weights.index(None)]
            return [WeightingProblem("Enter the quality, price and social value weights", missing)]
        problems = []
        if sum(self.weights) != 100:
            problems.append(
                WeightingProblem(
                    f"The quality, price and social value weights must add up to 100; "
                    f"they add up to {figure(sum(self.weights))}",
                    "quality",
                )
            )
        for group, parent in (
            (EvaluationCriterion.Group.QUALITY, self.quality_weight),
            (EvaluationCriterion.Group.SOCIAL_VALUE, self.social_value_weight),
        ):
            weights = [c.weight for c in criteria if c.group == group]
            label = group.label.lower()
            if parent and not weights:
                problems.append(
                    WeightingProblem(f"Add at least one {label} sub-criterion", f"criteria:{group}")
                )
            elif sum(weights) != parent:
                problems.append(
                    WeightingProblem(
                        f"The {label} sub-criteria must add up to the {label} weight, "
                        f"{figure(parent)}; they add up to {figure(sum(weights))}",
                        f"criteria:{group}",
                    )
                )
        if self.departs_from_template and not self.weighting_justification.strip():
            problems.append(
                WeightingProblem(
                    "Explain why the weighting departs from the category's template "
                    f"({'/'.join(figure(w) for w in self.template_weights)} quality/price/social "
                    "value)",
                    "weighting_justification",
                )
            )
        if self.social_value_below_minimum and not self.social_value_justification.strip():
            problems.append(
                WeightingProblem(
                    f"Social value is weighted below {SOCIAL_VALUE_MINIMUM_PERCENT}% on a "
                    f"procurement over {pounds(SOCIAL_VALUE_ABOVE)}: record why, for the approver "
                    "to accept",
                    "social_value_justification",
                )
            )
        return problems

    # --- The route to market: a route without competition needs an accepted exception --------

    NON_COMPETITIVE_ROUTES = {Contract.Route.DIRECT_AWARD}

    @cached_property
    def approved_strategy(self) -> "GatewayReview | None":
        """The project's latest approved Gateway 1: its route and the value it was routed on."""
        if not self.project_id:
            return None
        return (
            self.project.reviews.filter(stage=GatewayStage.G1, state=self.State.APPROVED)
            .order_by("-decided_at", "-pk")
            .first()
        )

    @property
    def procurement_route(self) -> str:
        """Gateway 1's proposed route; for Gateway 2, the route approved at Gateway 1 (else the
        one planned for the project)."""
        if self.stage == GatewayStage.G1:
            return self.strategy_route
        if self.stage == GatewayStage.G2 and self.project_id:
            approved = self.approved_strategy
            return (approved and approved.strategy_route) or self.project.planned_route
        return ""

    @property
    def procurement_route_label(self) -> str:
        return dict(Contract.Route.choices).get(self.procurement_route, "")

    @property
    def without_competition(self) -> bool:
        return self.procurement_route in self.NON_COMPETITIVE_ROUTES

    # --- Gateway 2: the award against the estimate approved at Gateway 1 --------------------

    @property
    def approved_estimate(self) -> "Decimal | None":
        """The value the approved Gateway 1 was routed on; without one, the project's estimate."""
        if not self.project_id:
            return None
        approved = self.approved_strategy
        return (approved and approved.value) or self.project.estimated_value

    @property
    def award_variance(self) -> str:
        """The award's excess over the approved estimate under the report's route's policy."""
        return self.award_excess(policy=self.policy) if self.policy_id else ""

    def award_excess(self, *, policy: ApprovalPolicy) -> str:
        """How far the award is above the approved estimate, where that is more than the
        policy's tolerance; blank where it is within it."""
        estimate = self.approved_estimate
        if self.stage != GatewayStage.G2 or self.award_value is None or not estimate:
            return ""
        limit = estimate * (1 + policy.award_tolerance / 100)
        if self.award_value <= limit:
            return ""
        above = (self.award_value - estimate) / estimate * 100
        return (
            f"£{self.award_value:,.2f}, {above:.1f}% above the estimate of £{estimate:,.2f} "
            f"approved at Gateway 1 (the policy's tolerance is {figure(policy.award_tolerance)}%)"
        )

    @property
    def subject(self) -> "ProcurementProject | Contract":
        """What the report is about: a procurement project, or for Gateway 3 a contract."""
        return self.project or self.contract

    # The state machine (decision record 0003). A state changes only through these transitions
    # (the field is protected); each names its sources, the conditions the report must meet and
    # the permission of the person moving it (``gateways.rules``). The services call them and
    # record the decision, the history and the notification around them.

    def is_complete(self) -> bool:
        """The report holds everything its stage asks for."""
        return not self.report_missing()

    def is_routed(self) -> bool:
        """The report has its route: the policy and the tier it is decided under."""
        return self.policy_id is not None and bool(self.tier_code)

    def is_route_current(self) -> bool:
        """The report's value is still in the tier it was routed in."""
        return route_is_current(self)

    def has_kpis_needed(self) -> bool:
        """A Gateway 2 award proposes the KPIs it needs, or says why none apply."""
        return not self.kpis_missing(self.proposed_kpis.count())

    @transition(
        field=state,
        source=[State.DRAFT, State.RETURNED],
        target=State.IN_REVIEW,
        conditions=[is_complete, is_routed],
        permission=_rule("may_edit_report"),
    )
    def submit(self) -> None:
        """The author sends the report to its approvers."""

    @transition(
        field=state,
        source=State.IN_REVIEW,
        target=State.APPROVED,
        conditions=[is_route_current, has_kpis_needed],
        permission=_rule("may_decide"),
    )
    def approve(self) -> None:
        """The decision step approves the report."""

    @transition(
        field=state,
        source=State.IN_REVIEW,
        target=State.RETURNED,
        permission=_rule("may_decide"),
    )
    def return_for_changes(self) -> None:
        """A step (or a change of value that moves its route) sends the report back."""

    @transition(
        field=state,
        source=State.IN_REVIEW,
        target=State.REJECTED,
        permission=_rule("may_decide"),
    )
    def reject(self) -> None:
        """A step rejects the report, which ends it."""

    @transition(
        field=state,
        source=[State.DRAFT, State.IN_REVIEW, State.RETURNED],
        target=State.WITHDRAWN,
        permission=_rule("may_withdraw_report"),
    )
    def withdraw(self) -> None:
        """The author withdraws the report; it stays on record."""


class ReviewStep(models.Model):
    """A step of a review's route, copied from the policy when it was submitted."""

    review = models.ForeignKey(GatewayReview, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20)  # procurement.models.PolicyStep.Kind
    roles = models.JSONField(help_text="The names of the roles that may act (or each comment).")
    scoped_roles = models.JSONField(
        default=list,
        blank=True,
        help_text="Of those, the roles that act only for their own directorate or portfolio.",
    )
    consult_role = models.CharField(max_length=150, blank=True)
    refer_to_tier = models.CharField(max_length=4, blank=True)
    records_meeting = models.BooleanField(default=False)
    records_key_decision = models.BooleanField(default=False)
    target_days = models.PositiveSmallIntegerField(
        default=10, help_text="Working days the step should take before it is escalated."
    )
    is_active = models.BooleanField(
        default=True, help_text="False once a referral has replaced this step."
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["review", "order"]
        constraints = [
            models.UniqueConstraint(fields=["review", "order"], name="review_step_order_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.name}"

    @property
    def who_acts(self) -> WhoActs:
        return WhoActs.at(self.kind, self.roles)


class StepDecision(models.Model):
    """What one person did at one step of one round: never edited, never deleted."""

    class Outcome(models.TextChoices):
        APPROVED = "approved", "Approved"
        RECOMMENDED = "recommended", "Recommended for approval"
        COMMENTED = "commented", "Commented"
        REFERRED = "referred", "Referred to the Officer Board"
        RETURNED = "returned", "Returned for changes"
        REJECTED = "rejected", "Rejected"

    step = models.ForeignKey(ReviewStep, on_delete=models.PROTECT, related_name="decisions")
    round = models.PositiveSmallIntegerField()
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    role = models.CharField(max_length=150, help_text="The role the person acted in.")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="gateway_decisions"
    )
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="gateway_decisions_by_delegates",
    )
    reasons = models.TextField(blank=True)
    meeting_date = models.DateField(null=True, blank=True)
    minute_reference = models.CharField(max_length=100, blank=True)
    key_decision_reference = models.CharField(max_length=100, blank=True)
    consulted = models.CharField(
        max_length=200, blank=True, help_text="Who was consulted (the lead member), and when."
    )
    consulted_on = models.DateField(
        null=True, blank=True, help_text="When the consultation (with the lead member) took place."
    )
    consultation_notes = models.TextField(blank=True, help_text="What they said.")
    accepted_direct_award_exception = models.BooleanField(
        default=False,
        help_text="The approver accepted the exception recorded for a route without competition.",
    )
    accepted_social_value_exception = models.BooleanField(
        default=False,
        help_text="The approver accepted the justification for social value below 10%.",
    )
    decided_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["decided_at", "pk"]
        constraints = [
            # Nobody acts twice at the same step in the same round (the database's last word
            # when two requests race).
            models.UniqueConstraint(
                fields=["step", "round", "decided_by"], name="one_decision_per_person_per_step"
            ),
            # Each statutory consultee's role comments once a round.
            models.UniqueConstraint(
                fields=["step", "round", "role"],
                condition=Q(outcome="commented"),
                name="one_comment_per_role_per_step",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} by {self.decided_by} at {self.step}"

    @property
    def decided_by_display(self) -> str:
        if self.on_behalf_of_id:
            return f"{self.decided_by} on behalf of {self.on_behalf_of}"
        return str(self.decided_by)


class Delegation(models.Model):
    """Some of a person's gateway roles, given for a while to a colleague who holds them too:
    the delegate then acts for the delegator, in the delegator's scope, recorded as such."""

    delegator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="delegations_given"
    )
    delegate = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="delegations_received"
    )
    roles = models.JSONField(
        default=list, help_text="The names of the roles delegated: only these are handed over."
    )
    starts_on = models.DateField()
    ends_on = models.DateField()
    ended_at = models.DateTimeField(null=True, blank=True, help_text="Set when ended early.")
    reason = models.CharField(max_length=250)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="delegation_ends_after_start"
            ),
            models.CheckConstraint(
                condition=~Q(delegator=F("delegate")), name="delegation_to_someone_else"
            ),
        ]

    def __str__(self) -> str:
        roles = ", ".join(self.roles).lower() or "no roles"
        return f"{self.delegator} to {self.delegate} ({roles}), {self.starts_on} to {self.ends_on}"

    def is_active(self, *, today) -> bool:
        return self.ended_at is None and self.starts_on <= today <= self.ends_on


def report_attachment_path(instance: "ReportAttachment", filename: str) -> str:
    return f"gateways/{instance.review_id}/{filename}"


class ReportAttachment(models.Model):
    """A document attached to a gateway report (an options appraisal, a tender report...)."""

    review = models.ForeignKey(GatewayReview, on_delete=models.PROTECT, related_name="attachments")
    file = models.FileField(upload_to=report_attachment_path, max_length=300)
    original_name = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name


class EvaluationCriterion(models.Model):
    """A sub-criterion of quality or social value in a Gateway 1 weighting, with its weight."""

    class Group(models.TextChoices):
        QUALITY = "quality", "Quality"
        SOCIAL_VALUE = "social_value", "Social value"

    review = models.ForeignKey(GatewayReview, on_delete=models.PROTECT, related_name="criteria")
    group = models.CharField(max_length=20, choices=Group.choices)
    order = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=200)
    weight = models.DecimalField(**WEIGHT, validators=PERCENT_VALIDATORS)
    history = HistoricalRecords()

    class Meta:
        ordering = ["review", "order"]
        verbose_name_plural = "evaluation criteria"
        constraints = [
            models.UniqueConstraint(fields=["review", "order"], name="criterion_order_unique"),
            models.CheckConstraint(condition=Q(weight__gt=0), name="criterion_weight_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({figure(self.weight)}%)"


class Evaluator(models.Model):
    """A member of a procurement's evaluation panel, and their conflict of interest declaration."""

    class Declaration(models.TextChoices):
        PENDING = "pending", "Not yet declared"
        NO_CONFLICT = "no_conflict", "No conflict of interest"
        CONFLICT = "conflict", "Conflict of interest: removed from the panel"

    project = models.ForeignKey(
        ProcurementProject, on_delete=models.PROTECT, related_name="evaluators"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="evaluations"
    )
    declaration = models.CharField(
        max_length=20, choices=Declaration.choices, default=Declaration.PENDING
    )
    conflict_details = models.TextField(blank=True)
    declared_at = models.DateTimeField(null=True, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["project", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["project", "user"], name="one_place_on_a_panel"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_declaration_display().lower()})"

    @property
    def may_evaluate(self) -> bool:
        return self.declaration == self.Declaration.NO_CONFLICT


class Bid(models.Model):
    """A tender received for a procurement: who bid and at what whole-life price."""

    project = models.ForeignKey(ProcurementProject, on_delete=models.PROTECT, related_name="bids")
    supplier = models.ForeignKey(
        "contracts.Supplier", on_delete=models.PROTECT, related_name="bids"
    )
    price = models.DecimalField("whole-life price", **MONEY)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["project", "supplier__name"]
        constraints = [
            models.UniqueConstraint(fields=["project", "supplier"], name="one_bid_per_supplier"),
            models.CheckConstraint(condition=Q(price__gt=0), name="bid_price_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.supplier} at £{self.price:,.2f}"


class EvaluatorScore(models.Model):
    """One evaluator's own score of one bid against one criterion, before moderation."""

    bid = models.ForeignKey(Bid, on_delete=models.PROTECT, related_name="evaluator_scores")
    criterion = models.ForeignKey(
        EvaluationCriterion, on_delete=models.PROTECT, related_name="evaluator_scores"
    )
    evaluator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="evaluation_scores"
    )
    score = models.PositiveSmallIntegerField()
    comment = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["bid", "criterion__order", "evaluator"]
        constraints = [
            models.UniqueConstraint(
                fields=["bid", "criterion", "evaluator"], name="one_score_per_evaluator"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.score} from {self.evaluator} for {self.criterion.name}"


class ModeratedScore(models.Model):
    """The panel's agreed score of one bid against one criterion: the one that counts."""

    bid = models.ForeignKey(Bid, on_delete=models.PROTECT, related_name="moderated_scores")
    criterion = models.ForeignKey(
        EvaluationCriterion, on_delete=models.PROTECT, related_name="moderated_scores"
    )
    score = models.PositiveSmallIntegerField()
    note = models.TextField(
        blank=True, help_text="Why, where moderation changed an evaluator's score."
    )
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["bid", "criterion__order"]
        constraints = [
            models.UniqueConstraint(fields=["bid", "criterion"], name="one_moderated_score"),
        ]

    def __str__(self) -> str:
        return f"{self.score} for {self.criterion.name} (moderated)"


class ProposedKpi(KpiDefinition):
    """A KPI the Gateway 2 report proposes for the contract; it becomes the contract's at award."""

    review = models.ForeignKey(
        GatewayReview, on_delete=models.PROTECT, related_name="proposed_kpis"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["review", "pk"]


class ChosenMeasure(models.Model):
    """A social value measure a Gateway 1 strategy asks bidders to commit to."""

    review = models.ForeignKey(
        GatewayReview, on_delete=models.PROTECT, related_name="chosen_measures"
    )
    measure = models.ForeignKey(
        "socialvalue.Measure", on_delete=models.PROTECT, related_name="chosen_at_gateway_1"
    )
    order = models.PositiveSmallIntegerField()
    history = HistoricalRecords()

    class Meta:
        ordering = ["review", "order"]
        constraints = [
            models.UniqueConstraint(fields=["review", "measure"], name="measure_chosen_once"),
        ]

    def __str__(self) -> str:
        return str(self.measure)


class BidCommitment(CommitmentTerms):
    """What a bidder offers against one of the chosen measures; the winning bid's offers become
    the contract's social value plan at award."""

    bid = models.ForeignKey(Bid, on_delete=models.PROTECT, related_name="commitments")
    measure = models.ForeignKey(
        "socialvalue.Measure", on_delete=models.PROTECT, related_name="bid_commitments"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["bid", "measure__order"]
        constraints = [
            models.UniqueConstraint(fields=["bid", "measure"], name="one_offer_a_measure"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="offer_above_zero"),
        ]

    def __str__(self) -> str:
        return f"{self.bid.supplier}: {self.quantity} of {self.measure.code}"


class ThemeStatement(models.Model):
    """A Council Plan theme a report names (RBKC §4d): at Gateway 1, how the procurement
    addresses it; at Gateway 2, what the recommended award will deliver against it."""

    review = models.ForeignKey(
        GatewayReview, on_delete=models.PROTECT, related_name="theme_statements"
    )
    theme = models.ForeignKey(
        PlanTheme, on_delete=models.PROTECT, related_name="gateway_statements"
    )
    statement = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["review", "theme__order", "theme__name"]
        constraints = [
            models.UniqueConstraint(fields=["review", "theme"], name="theme_named_once_a_report"),
        ]

    def __str__(self) -> str:
        return f"{self.theme}: {self.statement}"
