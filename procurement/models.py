"""People and the reference data every other part of the service is governed by."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager, Group
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import F, Q
from django.dispatch import Signal
from django.utils import timezone
from simple_history.models import HistoricalRecords

from .caching import cached
from .dates import date_and_time, long_date
from .roles import Role

MONEY = {"max_digits": 14, "decimal_places": 2}
PERCENT_VALIDATORS = [MinValueValidator(0), MaxValueValidator(100)]

# Sent with ``user`` in the transaction that stores a new (or a disabled) password, whichever way
# it was set: their password change page, a reset link, the admin, or ``manage.py changepassword``.
password_replaced = Signal()


class Directorate(models.Model):
    name = models.CharField(max_length=120, unique=True)
    code = models.SlugField(max_length=20, unique=True, help_text="A short code, such as ASC.")
    business_partner = models.ForeignKey(
        "procurement.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="partnered_directorates",
        limit_choices_to={"groups__name": Role.BUSINESS_PARTNER.label, "is_active": True},
        help_text="The central team's business partner for this directorate: they receive its "
        "renewal alerts. Without one, the heads of procurement do.",
    )
    is_active = models.BooleanField(default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class UserManager(BaseUserManager["User"]):
    """Users sign in with their work email address; there is no separate username."""

    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra_fields) -> "User":
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra_fields) -> "User":
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email: str, password: str | None = None, **extra_fields) -> "User":
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A council officer or member. Roles are the Django groups they belong to."""

    username = None
    email = models.EmailField("email address", unique=True)
    job_title = models.CharField(max_length=120, blank=True)
    directorate = models.ForeignKey(
        Directorate, on_delete=models.PROTECT, null=True, blank=True, related_name="users"
    )
    portfolio = models.ManyToManyField(
        Directorate,
        blank=True,
        related_name="portfolio_holders",
        help_text="For a Lead Member: the directorates they answer for. Their decisions at a "
        "gateway step limited to its own directorate are for these.",
    )
    # Password hashes and sign-in times are not governed data and stay out of the history.
    history = HistoricalRecords(
        excluded_fields=["password", "last_login"], m2m_fields=["groups", "portfolio"]
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []
    # True between set_unusable_password() and the save that stores it.
    _password_disabled = False

    class Meta:
        ordering = ["last_name", "first_name", "email"]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    def save(self, *args, **kwargs):
        # Every way of setting a password ends here, after set_password() (or
        # set_unusable_password()); a hash upgraded at sign-in is not a new password.
        update_fields = kwargs.get("update_fields")
        replaced = (
            not self._state.adding
            and (self._password is not None or self._password_disabled)
            and (update_fields is None or "password" in update_fields)
        )
        if not replaced:
            return super().save(*args, **kwargs)
        with transaction.atomic():
            super().save(*args, **kwargs)
            password_replaced.send(sender=type(self), user=self)
        self._password_disabled = False

    def set_unusable_password(self) -> None:
        super().set_unusable_password()
        self._password_disabled = True

    @property
    def roles(self) -> frozenset[Role]:
        """The roles this user holds, read once per request and kept on the instance, and kept in
        the page cache until the data changes (a change of groups is a write)."""
        if not self.is_active or self.pk is None:
            return frozenset()
        found = getattr(self, "_roles_cache", None)
        if found is None:
            found = cached(
                "roles",
                self.pk,
                build=self._roles_held,
                reads=("auth.group", "procurement.user_groups"),
            )
            self._roles_cache = found
        return found

    def _roles_held(self) -> frozenset[Role]:
        names = self.groups.values_list("name", flat=True)
        return frozenset(r for r in map(Role.from_group_name, names) if r is not None)

    def role_labels(self) -> list[str]:
        return sorted(role.label for role in self.roles)

    @property
    def answers_for(self) -> frozenset[int]:
        """The directorates this person answers for as a Lead Member: their own and their
        portfolio. Read once per instance (a prefetched ``portfolio`` costs no query)."""
        found = getattr(self, "_answers_for_cache", None)
        if found is None:
            own = {self.directorate_id} if self.directorate_id else set()
            portfolio = {d.pk for d in self.portfolio.all()} if self.pk else set()
            found = self._answers_for_cache = frozenset(own | portfolio)
        return found


class ContractCategory(models.Model):
    """A category of spend with its default evaluation weighting (RBKC §4a, DESIGN §2.3)."""

    name = models.CharField(max_length=120, unique=True)
    description = models.TextField(blank=True)
    quality_weight = models.PositiveSmallIntegerField(validators=PERCENT_VALIDATORS)
    price_weight = models.PositiveSmallIntegerField(validators=PERCENT_VALIDATORS)
    social_value_weight = models.PositiveSmallIntegerField(validators=PERCENT_VALIDATORS)
    is_active = models.BooleanField(default=True)
    # Which of the Act's thresholds its contracts are measured against (goods and services, works,
    # or light-touch services such as social care): the values of ``Threshold.Kind``.
    threshold_kind = models.CharField(
        "kind of contract under the Procurement Act",
        max_length=30,
        choices=[
            ("goods_services", "Goods and services"),
            ("works", "Works"),
            ("light_touch", "Light-touch services"),
        ],
        default="goods_services",
        help_text="Light-touch services (such as health, social and education services) have "
        "their own threshold and rules.",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "contract categories"
        constraints = [
            models.CheckConstraint(
                condition=Q(quality_weight__lte=100)
                & Q(price_weight__lte=100)
                & Q(social_value_weight__lte=100)
                & Q(
                    quality_weight=100 - F("price_weight") - F("social_value_weight"),
                ),
                name="category_weights_sum_to_100",
                violation_error_message=(
                    "Quality, price and social value weights must add up to 100."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        weights = (self.quality_weight, self.price_weight, self.social_value_weight)
        if None not in weights and sum(weights) != 100:
            raise ValidationError(
                f"Quality, price and social value weights must add up to 100; "
                f"they add up to {sum(weights)}."
            )


class GatewayStage(models.TextChoices):
    G0 = "G0", "Gateway 0: business case and options"
    G1 = "G1", "Gateway 1: procurement strategy"
    G2 = "G2", "Gateway 2: permission to award"
    G3 = "G3", "Gateway 3: performance review and extension"


class ApprovalPolicy(models.Model):
    """The routing rules for gateways, in force from a date (DESIGN §2.1).

    A gateway is routed by the policy in force on the day it is submitted. A policy that has come
    into force is never edited: a change is a new policy with a later effective date.
    """

    name = models.CharField(max_length=200)
    effective_from = models.DateField(unique=True)
    gateway_threshold = models.DecimalField(
        **MONEY,
        validators=[MinValueValidator(Decimal("0"))],
        help_text="At or below this whole-life value no gateway is required.",
    )
    award_tolerance = models.DecimalField(
        "award tolerance (%)",
        max_digits=5,
        decimal_places=2,
        default=Decimal("10.00"),
        validators=PERCENT_VALIDATORS,
        help_text="A Gateway 2 award more than this percentage above the estimate approved at "
        "Gateway 1 needs an explanation, which the approvers see.",
    )
    key_decision_above = models.DecimalField(
        "key decision above",
        **MONEY,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text="A procurement above this whole-life value is a key decision: its gateway "
        "decision records the key-decision reference in every tier. Blank: only where a step "
        "records one.",
    )
    notes = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-effective_from"]
        verbose_name_plural = "approval policies"

    def __str__(self) -> str:
        return f"{self.name} (from {long_date(self.effective_from)})"

    def clean(self) -> None:
        today = timezone.localdate()
        if self._state.adding and self.effective_from and self.effective_from <= today:
            raise ValidationError(
                {
                    "effective_from": "A new policy must start after today: gateways already "
                    "submitted keep the route of the policy in force when they were submitted."
                }
            )
        if self.pk and self.has_come_into_force(today=today):
            raise ValidationError("This policy has come into force and cannot be changed.")

    def has_come_into_force(self, *, today: date) -> bool:
        return self.effective_from <= today

    def tier_for(self, value: Decimal) -> "PolicyTier | None":
        """The tier whose value band holds ``value``; ``None`` at or below the threshold."""
        if value <= self.gateway_threshold:
            return None
        return next((tier for tier in self.tiers.all() if tier.holds(value)), None)


class PolicyTier(models.Model):
    """A value band of a policy: "over £100k up to £1.5m" is above 100,000 and up to 1,500,000."""

    policy = models.ForeignKey(ApprovalPolicy, on_delete=models.CASCADE, related_name="tiers")
    code = models.CharField(max_length=4, help_text="For example A or B.")
    name = models.CharField(max_length=200)
    value_above = models.DecimalField(
        **MONEY, help_text="The tier starts above this whole-life value (exclusive)."
    )
    value_up_to = models.DecimalField(
        **MONEY,
        null=True,
        blank=True,
        help_text="The tier ends at this whole-life value (inclusive). Blank: no upper limit.",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["policy", "value_above"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "code"], name="tier_code_unique_in_policy"),
            models.CheckConstraint(
                condition=Q(value_up_to__isnull=True) | Q(value_up_to__gt=F("value_above")),
                name="tier_band_not_empty",
                violation_error_message="The upper limit must be above the lower limit.",
            ),
        ]

    def __str__(self) -> str:
        return f"Tier {self.code}: {self.name}"

    def clean(self) -> None:
        if self.policy_id and self.policy.has_come_into_force(today=timezone.localdate()):
            raise ValidationError(
                "This policy has come into force: its tiers cannot be added to or changed. "
                "Copy it as a new policy instead."
            )

    def holds(self, value: Decimal) -> bool:
        return value > self.value_above and (self.value_up_to is None or value <= self.value_up_to)


class PolicyGateway(models.Model):
    """Which gateways a tier needs, and in which circumstances."""

    class Condition(models.TextChoices):
        ALWAYS = "always", "Always"
        HIGH_VALUE_OR_COMPLEX = "high_value_or_complex", "When flagged high value or complex"
        CORE_SERVICE = "core_service", "When the procurement is a core service"
        EXTENSION_OR_KEY_REVIEW = (
            "extension_or_key_review",
            "For an extension, or the performance review of a key contract",
        )

    tier = models.ForeignKey(PolicyTier, on_delete=models.CASCADE, related_name="gateways")
    stage = models.CharField(max_length=2, choices=GatewayStage.choices)
    condition = models.CharField(max_length=30, choices=Condition.choices)
    history = HistoricalRecords()

    class Meta:
        ordering = ["tier", "stage"]
        constraints = [
            models.UniqueConstraint(fields=["tier", "stage"], name="gateway_once_per_tier"),
        ]

    def __str__(self) -> str:
        return f"{self.get_stage_display()}: {self.get_condition_display().lower()}"

    def applies(self, *, high_value_or_complex: bool, core_service: bool, extension: bool) -> bool:
        match self.condition:
            case self.Condition.ALWAYS:
                return True
            case self.Condition.HIGH_VALUE_OR_COMPLEX:
                return high_value_or_complex
            case self.Condition.CORE_SERVICE:
                return core_service
            case self.Condition.EXTENSION_OR_KEY_REVIEW:
                return extension
        return False


class PolicyStep(models.Model):
    """One step a gateway report passes through in a tier, in order: who acts, what they record."""

    class Kind(models.TextChoices):
        CHECK = "check", "Review"
        CONSULTATION = "consultation", "Comments from each consultee"
        RECOMMENDATION = "recommendation", "Board recommendation"
        DECISION = "decision", "Decision"

    tier = models.ForeignKey(PolicyTier, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    roles = models.ManyToManyField(
        Group,
        related_name="policy_steps",
        help_text="Who may act at this step. For a consultation, each of these roles comments.",
    )
    scoped_roles = models.ManyToManyField(
        Group,
        blank=True,
        related_name="scoped_at_policy_steps",
        verbose_name="roles acting for their own directorate only",
        help_text="Of the roles above, those who act only on procurements of their own "
        "directorate (a Lead Member: the directorates of their portfolio). The others act "
        "council-wide.",
    )
    consult_role = models.ForeignKey(
        Group,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="consulted_at_steps",
        help_text="A role the decider must consult, recording who, when and what they said.",
    )
    may_refer_to = models.ForeignKey(
        PolicyTier,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals_from",
        help_text="This step may refer the report to another tier's steps (the Officer Board).",
    )
    records_meeting = models.BooleanField(
        default=False, help_text="The step records a meeting date and minute reference."
    )
    records_key_decision = models.BooleanField(
        default=False, help_text="The step records the key-decision reference."
    )
    target_days = models.PositiveSmallIntegerField(
        default=10, help_text="Working days the step should take before it is escalated."
    )
    history = HistoricalRecords(m2m_fields=["roles", "scoped_roles"])

    class Meta:
        ordering = ["tier", "order"]
        constraints = [
            models.UniqueConstraint(fields=["tier", "order"], name="step_order_unique_in_tier"),
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.name}"

    @property
    def who_acts(self) -> "WhoActs":
        return WhoActs.at(self.kind, [role.name for role in self.roles.all()])


@dataclass(frozen=True)
class WhoActs:
    """Who must act at a step for it to be done: ``ALL`` of its roles, each once (at a
    consultation each statutory consultee comments, RBKC §7), or ``ANY`` one of them for all.
    The engine (gateways.progress) and every page and JSON naming a step's people read it."""

    ALL: ClassVar[str] = "all"
    ANY: ClassVar[str] = "any"

    must: str
    roles: tuple[str, ...]

    @classmethod
    def at(cls, kind: str, roles: Iterable[str]) -> "WhoActs":
        """Who acts at a step of ``kind`` open to ``roles``."""
        must = cls.ALL if kind == PolicyStep.Kind.CONSULTATION else cls.ANY
        return cls(must, tuple(sorted(roles)))

    def __str__(self) -> str:
        """How a page says it: "each of A, B and C", "any one of A or B", or the one role."""
        if len(self.roles) < 2:
            return "".join(self.roles)
        if self.must == self.ALL:
            return f"each of {', '.join(self.roles[:-1])} and {self.roles[-1]}"
        return f"any one of {', '.join(self.roles[:-1])} or {self.roles[-1]}"

    def as_json(self) -> dict:
        return {"must": self.must, "roles": list(self.roles)}


class Notification(models.Model):
    """One email the service sends, claimed in this ledger before it goes.

    The unique key (kind, subject, lead time or period, recipient) is the claim: a second run of a
    job, a retry, a second worker or beat, or an operator's manual re-run finds the row already
    there and sends nothing. A row moves pending → sending → sent, or to failed, retried with
    back-off until sent or an administrator gives up on it (docs/decisions/0018).
    """

    class Kind(models.TextChoices):
        RENEWAL = "renewal", "Renewal alert"
        ESCALATION_DIGEST = "escalation_digest", "Weekly escalations"
        GATEWAY_STEP = "gateway_step", "Gateway report for decision"
        GATEWAY_OUTCOME = "gateway_outcome", "Gateway decision"
        SPEND_THRESHOLD = "spend_threshold", "Contract spend passed a share of its value"
        HEALTH_CHECK = "health_check", "Supplier health check overdue"
        QUARTERLY_ASSURANCE = "quarterly_assurance", "Quarterly assurance"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    kind = models.CharField(max_length=30, choices=Kind.choices)
    # What it is about: a contract for a renewal alert, the recipient for their digest.
    subject_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.PROTECT, related_name="+"
    )
    subject_id = models.PositiveBigIntegerField()
    # The lead time and end date ("6m:2027-06-30") or the period ("2026-W49") it is for.
    key = models.CharField(max_length=60)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="notifications"
    )
    # Why this person: "Contract manager", "Business partner", "Lead director (manager left)".
    recipient_role = models.CharField(max_length=100, blank=True)
    due_on = models.DateField(help_text="The day it fell due; a missed day is caught up later.")
    title = models.CharField(max_length=300, help_text="One line, for lists.")
    link = models.CharField(max_length=300, blank=True)
    email_subject = models.CharField(max_length=250)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    # The run that created the row, then the delivery that took it: only its holder sends it.
    claim = models.UUIDField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "subject_type", "subject_id", "key", "recipient"],
                name="notification_claimed_once",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="notification_delivery"),
            models.Index(fields=["claim"], name="notification_claim"),
            models.Index(fields=["subject_type", "subject_id"], name="notification_subject"),
            models.Index(fields=["recipient", "kind", "-created_at"], name="notification_mine"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.recipient_id}: {self.title}"


class NotificationItem(models.Model):
    """Something a digest told its recipient about, so the thing's own page can show it."""

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="items")
    subject_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.PROTECT, related_name="+"
    )
    subject_id = models.PositiveBigIntegerField()
    category = models.CharField(max_length=60)
    title = models.CharField(max_length=300)

    class Meta:
        ordering = ["notification", "pk"]
        indexes = [
            models.Index(fields=["subject_type", "subject_id"], name="notification_item_subject")
        ]

    def __str__(self) -> str:
        return self.title


class ApiToken(models.Model):
    """A personal token a system uses to call the API as its owner, with the owner's roles and
    nothing more. Only a hash of it is kept: the token itself is shown once, when it is made."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(
        max_length=100, help_text="What uses it, for example the finance system."
    )
    prefix = models.CharField(
        max_length=12, help_text="The token's first characters, to tell it by."
    )
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_on = models.DateField(help_text="It stops working at the end of this day.")
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    # When it was last used is kept up to date on each call, not as a change to the token.
    history = HistoricalRecords(excluded_fields=["last_used_at"])

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def is_usable_on(self, day) -> bool:
        return self.revoked_at is None and day <= self.expires_on and self.user.is_active


class SignInAttempt(models.Model):
    """Every attempt to sign in, kept for audit and to lock out guessing: written once by the
    sign-in checks (procurement/lockout.py), never changed."""

    email = models.CharField(max_length=254, help_text="As typed, in lower case.")
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    succeeded = models.BooleanField()
    locked_out = models.BooleanField(default=False, help_text="Refused because of the lockout.")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["email", "at"], name="sign_in_attempt_email_at"),
            models.Index(fields=["ip_address", "at"], name="sign_in_attempt_ip_at"),
        ]

    def __str__(self) -> str:
        outcome = "signed in" if self.succeeded else "refused"
        return f"{self.email} {outcome} at {date_and_time(self.at)}"


class ImportMapping(models.Model):
    """What each column of a council's file holds, and what its values mean, saved by name so
    that the next file from the same system maps itself.

    ``columns``: each heading (as compared: lower case, letters and digits) to the attribute it
    holds, or "" for a column that holds nothing to import. ``values``: for a column whose
    values name something of the council's (a directorate, a procurement route), each value as
    compared to what it names.
    """

    kind = models.CharField(max_length=40, help_text="What the files hold: contracts, measures.")
    name = models.CharField(max_length=100)
    columns = models.JSONField(default=dict, blank=True)
    values = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "name"], name="import_mapping_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


class ImportRun(models.Model):
    """One file on its way in: checked in the background, mapped, then imported all or nothing.

    The check's findings are kept here, so the preview is read, not worked out again, on each
    visit, and the page survives a reload. Progress while a step runs is in the cache.
    """

    class State(models.TextChoices):
        CHECKING = "checking", "Checking"
        CHECKED = "checked", "Checked"
        IMPORTING = "importing", "Importing"
        IMPORTED = "imported", "Imported"
        REFUSED = "refused", "Not imported"

    token = models.CharField(max_length=40, unique=True)
    kind = models.CharField(max_length=40)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="import_runs"
    )
    path = models.CharField(max_length=300, help_text="Where the uploaded file is stored.")
    filename = models.CharField(max_length=255)
    state = models.CharField(max_length=20, choices=State.choices, default=State.CHECKING)
    mapping = models.JSONField(default=dict, blank=True)
    mapping_name = models.CharField(max_length=100, blank=True)
    # What the upload asked besides the file (for payments, the finance system they come from):
    # given to the import's check and run as keyword arguments.
    options = models.JSONField(default=dict, blank=True)
    result = models.JSONField(default=dict, blank=True)
    file_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_state_display()})"

    @property
    def is_running(self) -> bool:
        return self.state in (self.State.CHECKING, self.State.IMPORTING)


class ExportJob(models.Model):
    """One export asked for, and by whom: the log of who exported what. An export too large
    to stream is written here in the background to private storage, for the person who asked
    alone to download; its file is deleted a day later (``ExportJob.KEPT_FOR``), the record
    kept. Not governed data: nothing here is history of the register."""

    class State(models.TextChoices):
        STREAMED = "streamed", "Downloaded at once"
        PREPARING = "preparing", "Being prepared"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"
        EXPIRED = "expired", "Expired"

    token = models.CharField(max_length=40, unique=True)
    kind = models.CharField(max_length=40, help_text="What was exported: a registered kind.")
    format = models.CharField(max_length=10)
    QUERY_LENGTH = 2000
    query = models.CharField(
        max_length=QUERY_LENGTH,
        blank=True,
        help_text="The search and filters, as the page's address had.",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="export_jobs"
    )
    filename = models.CharField(max_length=255)
    path = models.CharField(max_length=300, blank=True, help_text="Where the file is stored.")
    state = models.CharField(max_length=20, choices=State.choices, default=State.PREPARING)
    rows = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["state", "created_at"])]

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_state_display()})"


class DatedFigure(models.Model):
    """A figure of the law, of a kind, in force from a date: a new figure is a new row from its
    date, and the one that applies on a day is the latest in force by then (decision record
    0050). Each kind of figure names its ``kind`` choices and the field holding the figure."""

    effective_from = models.DateField(help_text="The day the figure comes into force.")
    figure_field: ClassVar[str]

    class Meta:
        abstract = True
        ordering = ["kind", "-effective_from"]

    @classmethod
    def by_kind(cls) -> dict[str, list[tuple[date, Decimal]]]:
        """Every figure, by kind, earliest first, read in one query."""
        found: dict[str, list[tuple[date, Decimal]]] = {}
        rows = cls.objects.order_by("effective_from").values_list(
            "kind", "effective_from", cls.figure_field
        )
        for kind, since, figure in rows:
            found.setdefault(kind, []).append((since, figure))
        return found


class Threshold(DatedFigure):
    """A figure of the Procurement Act 2023 (or the 2015 Regulations before it), including VAT,
    in force from a date: the one that applies is the one in force when the procurement began."""

    class Kind(models.TextChoices):
        GOODS_SERVICES = "goods_services", "Goods and services (sub-central authorities)"
        WORKS = "works", "Works"
        LIGHT_TOUCH = "light_touch", "Light-touch services"
        BELOW_THRESHOLD_NOTICE = "below_threshold_notice", "Below-threshold contract notices"

    kind = models.CharField(max_length=30, choices=Kind.choices)
    value_including_vat = models.DecimalField(
        "value including VAT",
        **MONEY,
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text="A contract of this value or more is at or above the threshold.",
    )
    history = HistoricalRecords()
    figure_field = "value_including_vat"

    class Meta(DatedFigure.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "effective_from"],
                name="threshold_kind_effective_from_unique",
                violation_error_message="This threshold already has a figure from that day",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} from {long_date(self.effective_from)}"


class ChangeLimit(DatedFigure):
    """How far a modification may change a contract before it needs a contract change notice
    (Procurement Act 2023, sections 74 and 75), as a percentage, in force from a date."""

    class Kind(models.TextChoices):
        VALUE = "value", "Value of goods or services (up or down)"
        WORKS_VALUE = "works_value", "Value of works (up or down)"
        TERM = "term", "Term (on the maximum term provided for at award)"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    percent = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        validators=PERCENT_VALIDATORS,
        help_text="A change of more than this percentage needs a notice.",
    )
    history = HistoricalRecords()
    figure_field = "percent"

    class Meta(DatedFigure.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "effective_from"],
                name="change_limit_kind_effective_from_unique",
                violation_error_message="This limit already has a figure from that day",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.percent}% from {long_date(self.effective_from)}"


class PipelineYear(models.Model):
    """Whether the council expects to pay more than the pipeline figure under public contracts in
    a financial year (1 April to 31 March), which obliges it to publish a pipeline notice."""

    year_starting = models.PositiveSmallIntegerField(
        "financial year starting in",
        unique=True,
        help_text="The calendar year of its 1 April: 2026 for 2026 to 2027.",
    )
    expects_spend_over_threshold = models.BooleanField(
        "expects to pay more than the pipeline figure",
        default=False,
        help_text="Procurement Act 2023, section 93: the council publishes a pipeline notice "
        "for a year in which it expects to pay more than this under public contracts.",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-year_starting"]

    def __str__(self) -> str:
        return f"{self.year_starting} to {self.year_starting + 1}"


class CpvCode(models.Model):
    """A code of the Common Procurement Vocabulary (CPV 2008) with its English description,
    loaded by an administrator from the official list (procurement/cpv.py reads and checks
    codes against it)."""

    code = models.CharField(
        "CPV code",
        max_length=10,
        unique=True,
        help_text="Eight digits, a hyphen and the check digit, like 45000000-7.",
    )
    description = models.TextField()
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = "CPV code"

    def __str__(self) -> str:
        return f"{self.code} {self.description}"

    @property
    def digits(self) -> str:
        """The eight digits without the check digit."""
        return self.code[:8]


class PlanTheme(models.Model):
    """A cross-cutting theme of the council's plan (RBKC §4d: community involvement, narrowing
    the gap, prevention and early intervention) that procurement strategies address and contract
    management reports against. Retired, never deleted, when a new plan replaces it: the
    strategies and reviews that named it keep it."""

    name = models.CharField(max_length=120, unique=True)
    description = models.TextField(
        blank=True, help_text="What the plan means by it, for the officers who address it."
    )
    order = models.PositiveSmallIntegerField(
        default=0, help_text="Where it comes in lists of the themes."
    )
    is_active = models.BooleanField(
        "in the current plan",
        default=True,
        help_text="Only themes in the current plan can be named in new strategies and reviews.",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "name"]
        verbose_name = "Council Plan theme"

    def __str__(self) -> str:
        return self.name
