"""The forward plan and the Gateway 0 to 3 reviews, routed by the approval policy (DESIGN §2.1)."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django_fsm import ConcurrentTransitionMixin, FSMField, transition
from simple_history.models import HistoricalRecords

from contracts.models import Contract
from procurement.models import MONEY, ApprovalPolicy, ContractCategory, Directorate, GatewayStage


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
    history = HistoricalRecords()

    class Meta:
        ordering = ["planned_start_date", "reference"]
        constraints = [
            models.CheckConstraint(
                condition=Q(estimated_value__gt=0), name="project_value_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference}: {self.title}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("gateways:project", args=[self.pk])


class GatewayReview(ConcurrentTransitionMixin, models.Model):
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
    # Gateway 3 extension: the four tests of "retender rather than extend" (RBKC §4b), each with
    # its evidence, or an exception with its justification for the approver.
    extension_allowed_evidence = models.TextField(
        "the contract can be extended by time and value", blank=True
    )
    savings_negotiated = models.DecimalField(**MONEY, null=True, blank=True)
    savings_evidence = models.TextField("savings negotiated", blank=True)
    added_social_value = models.TextField("added social value for the extension period", blank=True)
    performance_evidence = models.TextField(
        "satisfactory performance in the initial period", blank=True
    )
    exception_justification = models.TextField(
        blank=True,
        help_text="Where a test cannot be shown, or for a direct award: why it should go ahead.",
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

    class Option(models.TextChoices):
        IN_HOUSE = "in_house", "Provide it in-house"
        GRANT = "grant", "Fund it by grant"
        EXTERNAL = "external", "Buy it from an external provider"
        SHARED = "shared", "Share a service with another council"
        MIXED = "mixed", "A mix of these"

    # What each gateway's report must hold before it is submitted (Gateway 3: see below).
    REQUIRED_BY_STAGE = {
        "G0": (
            ("options_appraised", "the options appraised"),
            ("recommended_option", "the recommended option"),
        ),
        "G1": (
            ("strategy_route", "the procurement route"),
            ("timetable", "the timetable"),
            ("risks", "the risks"),
            ("social_value_approach", "the social value approach"),
        ),
        "G2": (
            ("tender_outcome", "the tender outcome"),
            ("recommended_supplier", "the recommended supplier"),
            ("award_value", "the whole-life value of the award"),
            ("contract_start", "the contract's start"),
            ("contract_end", "the contract's end"),
            ("contract_lead_director", "the contract's lead director"),
        ),
    }

    def report_rows(self) -> list[tuple[str, str]]:
        """The report's content for this gateway, as people read it."""
        option = dict(self.Option.choices)
        rows = {
            "G0": [
                ("Options appraised", "; ".join(option.get(o, o) for o in self.options_appraised)),
                ("Recommended option", option.get(self.recommended_option, "")),
            ],
            "G1": [
                ("Procurement route", self.get_strategy_route_display()),
                ("Lots", self.lots),
                ("Timetable", self.timetable),
                ("Risks", self.risks),
                ("Social value approach", self.social_value_approach),
            ],
            "G2": [
                ("Tender outcome", self.tender_outcome),
                ("Recommended supplier", str(self.recommended_supplier or "")),
                (
                    "Whole-life value of the award",
                    f"£{self.award_value:,.2f}" if self.award_value else "",
                ),
                (
                    "Contract term",
                    f"{self.contract_start:%d/%m/%Y} to {self.contract_end:%d/%m/%Y}"
                    if self.contract_start and self.contract_end
                    else "",
                ),
                ("Lead director", str(self.contract_lead_director or "")),
            ],
        }
        return rows.get(self.stage, [])

    def report_missing(self) -> list[str]:
        """What this gateway's report must hold but does not yet."""
        required = self.REQUIRED_BY_STAGE.get(self.stage, ())
        return [label for name, label in required if not getattr(self, name)]

    EXTENSION_TESTS = (
        ("extension_allowed_evidence", "The contract can be extended by time and value"),
        ("savings_evidence", "The savings negotiated"),
        ("added_social_value", "The added social value for the extension period"),
        ("performance_evidence", "Satisfactory performance in the initial period"),
    )

    @property
    def extension_evidence(self) -> list[tuple[str, str]]:
        return [(name, getattr(self, name)) for name, _ in self.EXTENSION_TESTS]

    def extension_tests_missing(self) -> list[str]:
        """The extension tests this report does not show evidence for."""
        return [label for name, label in self.EXTENSION_TESTS if not getattr(self, name).strip()]

    @property
    def subject(self) -> "ProcurementProject | Contract":
        """What the report is about: a procurement project, or for Gateway 3 a contract."""
        return self.project or self.contract

    # Thin transitions: the services around them check who may act and record the decision.

    @transition(field=state, source=[State.DRAFT, State.RETURNED], target=State.IN_REVIEW)
    def submit(self) -> None:
        pass

    @transition(field=state, source=State.IN_REVIEW, target=State.APPROVED)
    def approve(self) -> None:
        pass

    @transition(field=state, source=State.IN_REVIEW, target=State.RETURNED)
    def return_for_changes(self) -> None:
        pass

    @transition(field=state, source=State.IN_REVIEW, target=State.REJECTED)
    def reject(self) -> None:
        pass

    @transition(
        field=state,
        source=[State.DRAFT, State.IN_REVIEW, State.RETURNED],
        target=State.WITHDRAWN,
    )
    def withdraw(self) -> None:
        pass


class ReviewStep(models.Model):
    """A step of a review's route, copied from the policy when it was submitted."""

    review = models.ForeignKey(GatewayReview, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20)  # procurement.models.PolicyStep.Kind
    roles = models.JSONField(help_text="The names of the roles that may act (or each comment).")
    consult_role = models.CharField(max_length=150, blank=True)
    refer_to_tier = models.CharField(max_length=4, blank=True)
    records_meeting = models.BooleanField(default=False)
    records_key_decision = models.BooleanField(default=False)
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
    consultation_notes = models.TextField(blank=True, help_text="What they said.")
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
    """A person's gateway approvals given to a colleague holding the same role, for a while."""

    delegator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="delegations_given"
    )
    delegate = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="delegations_received"
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
        return f"{self.delegator} to {self.delegate}, {self.starts_on} to {self.ends_on}"

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
