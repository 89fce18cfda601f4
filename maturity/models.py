"""The National Procurement Strategy maturity self-assessment (DESIGN §2.5): the framework (themes,
key areas, each key area's high-level principle and its specific behaviours, each described at five
levels), the council's yearly assessments against it, and the improvement action plans that follow
(Kent's recommendation tracker).

The framework is reference data loaded from the toolkit and never edited in the service. In an
assessment each participant scores every behaviour at its current level with evidence; the central
team then agrees one current and one target level per behaviour. Results are worked out from the
agreed levels, never stored.
"""

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django_fsm import RETURN_VALUE, FSMField, transition
from simple_history.models import HistoricalRecords

from performance.models import financial_year_label
from procurement.dates import long_date
from procurement.fsm import ProtectedStateMixin, object_permission
from procurement.models import User


class Level(models.IntegerChoices):
    MINIMUM = 1, "Minimum"
    DEVELOPING = 2, "Developing"
    MATURE = 3, "Mature"
    LEADER = 4, "Leader"
    INNOVATOR = 5, "Innovator"


# The framework the project ships (loaded by a migration from the NPS 2018 toolkit).
NPS_2018 = "nps-2018"
# Participants' levels this far apart or more (Minimum and Mature, say) need a conversation.
WIDE_SPREAD = 2


class Framework(models.Model):
    """One maturity model, as published (the NPS 2018 toolkit)."""

    slug = models.SlugField(unique=True)
    title = models.CharField(max_length=300)
    introduction = models.TextField(blank=True)
    source = models.CharField(max_length=500, blank=True)
    history = HistoricalRecords()

    def __str__(self) -> str:
        return self.title


class Theme(models.Model):
    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="themes")
    number = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=200)
    history = HistoricalRecords()

    class Meta:
        ordering = ["framework", "number"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "number"], name="one_theme_a_number"),
        ]

    def __str__(self) -> str:
        return self.name


class Descriptors(models.Model):
    """What a statement looks like at each of the five levels."""

    minimum = models.TextField()
    developing = models.TextField()
    mature = models.TextField()
    leader = models.TextField()
    innovator = models.TextField()

    class Meta:
        abstract = True

    def descriptor(self, level: int) -> str:
        return getattr(self, Level(level).name.lower())

    def descriptors(self) -> list[tuple[Level, str]]:
        return [(level, self.descriptor(level)) for level in Level]


class KeyArea(Descriptors):
    """A key area of the strategy; its five descriptors are its high-level principle."""

    theme = models.ForeignKey(Theme, on_delete=models.PROTECT, related_name="key_areas")
    number = models.PositiveSmallIntegerField(help_text="Numbered through the whole framework.")
    name = models.CharField(max_length=200)
    description = models.TextField()
    help = models.TextField(blank=True)
    notes = models.TextField(blank=True, help_text="The toolkit's footnotes, one a line.")
    history = HistoricalRecords()

    class Meta:
        ordering = ["theme__framework", "number"]
        constraints = [
            models.UniqueConstraint(fields=["theme", "number"], name="one_key_area_a_number"),
        ]

    def __str__(self) -> str:
        return self.name


class Behaviour(Descriptors):
    """A specific behaviour of a key area: what a council scores itself against."""

    key_area = models.ForeignKey(KeyArea, on_delete=models.PROTECT, related_name="behaviours")
    code = models.CharField(max_length=10, help_text="Key area and position, for example 4.1.")
    number = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=200)
    history = HistoricalRecords()

    class Meta:
        ordering = ["key_area__number", "number"]
        constraints = [
            models.UniqueConstraint(fields=["key_area", "number"], name="one_behaviour_a_number"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Assessment(ProtectedStateMixin, models.Model):
    """A self-assessment for a financial year: open while participants score it and the central
    team agrees levels; closed once every behaviour is agreed, after which it never changes.

    Its status changes only by its one transition, ``close``.
    """

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="assessments")
    name = models.CharField(max_length=200)
    year = models.PositiveSmallIntegerField(
        "financial year", help_text="The year it starts: 2026 for 2026/27."
    )
    status = FSMField(max_length=10, choices=Status.choices, default=Status.OPEN, protected=True)
    score_by = models.DateField(null=True, blank=True, help_text="When participants should finish.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-year", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["name", "year"], name="one_assessment_a_name_a_year"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.year_label})"

    @property
    def year_label(self) -> str:
        return financial_year_label(self.year)

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    def unagreed_count(self) -> int:
        """How many behaviours of its framework have no agreed levels yet."""
        behaviours = Behaviour.objects.filter(key_area__theme__framework=self.framework_id)
        return behaviours.exclude(
            pk__in=AgreedLevel.objects.filter(assessment=self).values("behaviour")
        ).count()

    def every_behaviour_agreed(self) -> bool:
        """Whether every behaviour of its framework has agreed levels."""
        return not self.unagreed_count()

    @transition(
        field=status,
        source=Status.OPEN,
        target=Status.CLOSED,
        conditions=[every_behaviour_agreed],
        permission=object_permission("maturity.manage_assessment"),
    )
    def close(self, *, by: User) -> None:
        """The central team closes it once every behaviour is agreed: its results are final."""
        self.closed_by, self.closed_at = by, timezone.now()


class Participant(models.Model):
    """An officer asked to score the assessment."""

    assessment = models.ForeignKey(
        Assessment, on_delete=models.PROTECT, related_name="participants"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["assessment", "user__last_name", "user__first_name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "user"], name="one_participant_a_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.assessment}"


class Score(models.Model):
    """A participant's view of where the council is on a behaviour, and why."""

    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="scores")
    behaviour = models.ForeignKey(Behaviour, on_delete=models.PROTECT, related_name="+")
    level = models.PositiveSmallIntegerField(choices=Level.choices)
    evidence = models.TextField()
    history = HistoricalRecords()

    class Meta:
        ordering = ["participant", "behaviour__key_area__number", "behaviour__number"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "behaviour"], name="one_score_a_behaviour"
            ),
            models.CheckConstraint(condition=Q(level__gte=1, level__lte=5), name="score_a_level"),
        ]

    def __str__(self) -> str:
        return f"{self.behaviour.code}: {self.get_level_display()}"


class AgreedLevel(models.Model):
    """The central team's consolidated current level for a behaviour and the level the council
    means to reach."""

    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="agreed")
    behaviour = models.ForeignKey(Behaviour, on_delete=models.PROTECT, related_name="+")
    current = models.PositiveSmallIntegerField("current level", choices=Level.choices)
    target = models.PositiveSmallIntegerField("target level", choices=Level.choices)
    rationale = models.TextField(blank=True)
    agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    agreed_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["assessment", "behaviour__key_area__number", "behaviour__number"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "behaviour"], name="one_agreed_level_a_behaviour"
            ),
            models.CheckConstraint(
                condition=Q(
                    current__gte=1, current__lte=5, target__lte=5, target__gte=F("current")
                ),
                name="target_at_or_above_current",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.behaviour.code}: {self.get_current_display()} to {self.get_target_display()}"

    @property
    def gap(self) -> int:
        return self.target - self.current


class ActionPlan(models.Model):
    """An improvement plan tracked to delivery, such as a committee's recommendations or the
    response to an assessment's gaps."""

    name = models.CharField(max_length=200, unique=True)
    assessment = models.ForeignKey(
        Assessment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="action_plans",
        help_text="The assessment whose gaps it answers, if any.",
    )
    description = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.name


class ActionItem(ProtectedStateMixin, models.Model):
    """A line of the tracker: a recommendation or a maturity gap, the actions proposed, who owns
    them, by when, and where they stand.

    Where it stands changes only with a progress note (``move_to``), to any of the three
    statuses: a tracker records what happened, which may be a delivered action reopened.
    """

    class Kind(models.TextChoices):
        RECOMMENDATION = "recommendation", "Recommendation"
        GAP = "gap", "Maturity gap"

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        ONGOING = "ongoing", "Ongoing"
        DELIVERED = "delivered", "Delivered"

    plan = models.ForeignKey(ActionPlan, on_delete=models.PROTECT, related_name="items")
    number = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=20, choices=Kind.choices)
    recommendation = models.TextField("recommendation or gap")
    behaviour = models.ForeignKey(
        Behaviour, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    key_areas = models.ManyToManyField(KeyArea, blank=True, related_name="+")
    actions = models.TextField("proposed actions")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    due_by = models.DateField("timescale")
    status = FSMField(
        max_length=20, choices=Status.choices, default=Status.NOT_STARTED, protected=True
    )
    history = HistoricalRecords(m2m_fields=[key_areas])

    class Meta:
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="one_item_a_number"),
            models.CheckConstraint(
                condition=Q(kind="recommendation") | Q(behaviour__isnull=False),
                name="gap_names_its_behaviour",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.recommendation[:60]}"

    @property
    def reference(self) -> str:
        return f"R{self.number}"

    def is_overdue(self, today: date) -> bool:
        return self.status != self.Status.DELIVERED and self.due_by < today

    @transition(
        field=status,
        source="*",
        target=RETURN_VALUE(*Status.values),
        permission=object_permission("maturity.update_action"),
    )
    def move_to(self, status: str) -> str:
        """Where the action now stands, as its latest progress note says: its owner or the
        central team records it."""
        return status


class ProgressNote(models.Model):
    """What has happened on an action, dated: the tracker's "progress to date"."""

    item = models.ForeignKey(ActionItem, on_delete=models.PROTECT, related_name="progress")
    noted_on = models.DateField()
    text = models.TextField()
    status = models.CharField(
        "status after this update", max_length=20, choices=ActionItem.Status.choices
    )
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    written_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["item", "noted_on", "pk"]

    def __str__(self) -> str:
        return f"{self.item.reference} {long_date(self.noted_on)}"
