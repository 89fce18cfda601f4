from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django_fsm import ConcurrentTransitionMixin, FSMField, transition
from simple_history.models import HistoricalRecords

from performance.models import financial_year_label
from procurement.fsm import ProtectedStateMixin

STALLED_AFTER = timedelta(minutes=30)


def report_path(instance: "AnnualReport", filename: str) -> str:
    return f"annual-reports/{instance.year}/{filename}"


class AnnualReport(ProtectedStateMixin, ConcurrentTransitionMixin, models.Model):
    """One build of the annual Audit & Transparency report for a financial year: a new version
    each time, never overwritten, with the file and the figures it was drawn from.

    A run is a record of what was produced, written only by its build; who asked for it and
    when are its own fields, so it keeps no separate history.

    Its state changes only by its transitions: queued, then building once a worker claims it,
    then ready with its file or failed; or failed while still queued when no worker could be
    asked. Saving a transition fails (``ConcurrentTransition``) if the state was changed since
    the version was read, so two workers never both build it.
    """

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        BUILDING = "building", "Building"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    class Source(models.TextChoices):
        SCHEDULE = "schedule", "The yearly schedule"
        PAGE = "page", "Asked for on the reports page"
        COMMAND = "command", "The build_annual_report command"

    year = models.PositiveSmallIntegerField(
        help_text="The financial year, by the year it starts: 2025 for 2025/26."
    )
    version = models.PositiveSmallIntegerField()
    state = FSMField(max_length=10, choices=State.choices, default=State.QUEUED, protected=True)
    source = models.CharField(max_length=10, choices=Source.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty for the schedule and the command.",
    )
    reason = models.CharField("why it was built", max_length=250, blank=True)
    requested_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Per cent done.")
    stage = models.CharField(max_length=100, blank=True, help_text="What the build is doing.")
    file = models.FileField(upload_to=report_path, max_length=300, blank=True)
    pages = models.PositiveIntegerField(null=True, blank=True)
    figures = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-year", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["year", "version"], name="one_report_a_version"),
            # The schedule builds each year once, however often beat or a retry runs it.
            models.UniqueConstraint(
                fields=["year"], condition=Q(source="schedule"), name="one_scheduled_report_a_year"
            ),
        ]

    def __str__(self) -> str:
        return f"Annual report {self.year_label}, version {self.version}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("reporting:annual_report", args=[self.pk])

    @property
    def year_label(self) -> str:
        return financial_year_label(self.year)

    @property
    def file_name(self) -> str:
        end = f"{(self.year + 1) % 100:02d}"
        return f"audit-and-transparency-report-{self.year}-{end}-v{self.version}.pdf"

    @property
    def is_finished(self) -> bool:
        return self.state in (self.State.READY, self.State.FAILED)

    def progress_words(self, *, worker_running: bool) -> str:
        """How far the build has gone, naming the year, in words for the page that follows it."""
        what = f"the {self.year_label} report, version {self.version}"
        if self.state == self.State.QUEUED:
            if not worker_running:
                return (
                    f"Waiting: background work is not running, so {what} will not be built "
                    "until it is"
                )
            return f"Waiting for the background worker to start {what}"
        if self.state == self.State.BUILDING:
            stage = f" ({self.stage[0].lower()}{self.stage[1:]})" if self.stage else ""
            return f"Building {what}: {self.progress}% done{stage}"
        return f"{self.get_state_display()}: {what}"

    def has_file(self) -> bool:
        """Whether the PDF is stored."""
        return bool(self.file)

    @transition(field=state, source=State.QUEUED, target=State.BUILDING)
    def start(self) -> None:
        """A worker claims the version to build it."""
        self.started_at, self.progress, self.stage = timezone.now(), 0, "Starting"

    @transition(field=state, source=State.BUILDING, target=State.READY, conditions=[has_file])
    def finish(self) -> None:
        """The build stored its PDF: the version is ready to download."""
        self.progress, self.stage, self.finished_at = 100, "Ready", timezone.now()

    @transition(field=state, source=State.BUILDING, target=State.FAILED)
    def fail(self, *, error: str) -> None:
        """The build stopped with ``error``."""
        self.finished_at, self.error = timezone.now(), error

    @transition(field=state, source=State.QUEUED, target=State.FAILED)
    def drop(self, *, error: str) -> None:
        """No worker could be asked to build it: it ends, saying why, without being built."""
        self.finished_at, self.error = timezone.now(), error

    @property
    def is_stalled(self) -> bool:
        """Still building long after any build takes: its worker stopped (a new version is
        the remedy; this one is never taken up again)."""
        return (
            self.state == self.State.BUILDING
            and self.started_at is not None
            and timezone.now() - self.started_at > STALLED_AFTER
        )


class PublishedYear(models.Model):
    """A financial year the council has published something for: by whom and when."""

    year = models.PositiveSmallIntegerField(
        unique=True, help_text="The financial year, by the year it starts: 2025 for 2025/26."
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField()

    class Meta:
        abstract = True
        ordering = ["-year"]

    @property
    def year_label(self) -> str:
        return financial_year_label(self.year)


class PublishedReport(PublishedYear):
    """The version of a year's annual report the public reads: one a year, chosen by the head
    of procurement. Publishing another version of the year supersedes it (its history keeps
    which version was public, who published it, when and why); every other version stays
    internal."""

    report = models.ForeignKey(AnnualReport, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta(PublishedYear.Meta):
        pass

    def __str__(self) -> str:
        return f"Published: {self.report}"


class PublishedSocialValueReview(PublishedYear):
    """A financial year whose social value review (Worcestershire §5.4: committed against
    delivered by theme) the council has published: the head of procurement chooses, and its
    history keeps who, when and why. Years not here stay internal."""

    history = HistoricalRecords()

    class Meta(PublishedYear.Meta):
        pass

    def __str__(self) -> str:
        return f"Social value review {self.year_label}, published"


class ContractFigureDay(models.Model):
    """A day whose contract figures are kept in ``ContractFigure`` (reporting/summary.py): the
    financial year (by the year it starts) and its as-at day. Derived data, a cache of the
    register kept exact by its writes: no history of its own."""

    year = models.PositiveIntegerField()
    as_at = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["year", "as_at"], name="contract_figure_day_unique")
        ]

    def __str__(self) -> str:
        return f"Contract figures of {financial_year_label(self.year)} on {self.as_at}"


class ContractFigure(models.Model):
    """One contract figure's count or sum (``name``, as ``running__count``) on a kept day, for
    one directorate, category, contract manager and lead director (0: none). Derived data, kept
    exact by the register's writes (reporting/summary.py): no history of its own."""

    year = models.PositiveIntegerField()
    as_at = models.DateField()
    directorate_id = models.PositiveIntegerField()
    category_id = models.PositiveIntegerField()
    contract_manager_id = models.PositiveIntegerField(default=0)
    lead_director_id = models.PositiveIntegerField(default=0)
    name = models.CharField(max_length=40)
    value = models.DecimalField(max_digits=20, decimal_places=2)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "year",
                    "as_at",
                    "directorate_id",
                    "category_id",
                    "contract_manager_id",
                    "lead_director_id",
                    "name",
                ],
                name="contract_figure_unique",
            )
        ]
        indexes = [
            # A home page reads the figures of today of one person (reporting.summary).
            models.Index(fields=["as_at", "contract_manager_id"], name="contract_figure_manager"),
            models.Index(fields=["as_at", "lead_director_id"], name="contract_figure_lead"),
        ]

    def __str__(self) -> str:
        return f"{self.name} on {self.as_at}: {self.value}"
