"""Quarterly performance assurance (Cotswold §4): each financial quarter the central team compiles
the performance report, the Head of Paid Service reviews it, may challenge it, and signs it off
with a statement of assurance or otherwise; the Chief Finance Officer signs its financial figures.

The report's figures are frozen when it is compiled (``figures``), and each signature keeps a copy
of the figures it was given, so a later change to the register never changes a signed quarter.
A signed quarter re-opened for a correction starts a new version; the earlier signatures are kept,
marked superseded, so the correction is visible as one.
"""

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django_fsm import FSMField, transition
from simple_history.models import HistoricalRecords

from procurement.dates import QUARTERS, long_date, quarter_end, quarter_label, quarter_start
from procurement.fsm import ProtectedStateMixin, object_permission


class QuarterlyReport(ProtectedStateMixin, models.Model):
    """One financial quarter's performance report and its way to a signed statement of
    assurance. Its status changes only by its transitions."""

    class Status(models.TextChoices):
        COMPILED = "compiled", "Compiled, not yet submitted"
        IN_REVIEW = "in_review", "In review"
        CHALLENGED = "challenged", "Challenged: waiting for the central team's answer"
        SIGNED = "signed", "Signed off"

    financial_year = models.PositiveSmallIntegerField(
        help_text="The year the financial year starts in: 2026 for 2026/27."
    )
    quarter = models.PositiveSmallIntegerField(choices=[(q, f"Quarter {q}") for q in QUARTERS])
    status = FSMField(
        max_length=20, choices=Status.choices, default=Status.COMPILED, protected=True
    )
    # 1, and one more each time a signed quarter is re-opened to be corrected.
    version = models.PositiveSmallIntegerField(default=1)
    as_at = models.DateField(help_text="The day the figures describe: the quarter's last day.")
    figures = models.JSONField(default=dict)
    compiled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    compiled_at = models.DateTimeField()
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-financial_year", "-quarter"]
        constraints = [
            models.UniqueConstraint(
                fields=["financial_year", "quarter"], name="one_report_a_quarter"
            ),
            models.CheckConstraint(
                condition=Q(quarter__gte=1) & Q(quarter__lte=4), name="quarter_one_to_four"
            ),
        ]

    def __str__(self) -> str:
        return self.label

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("assurance:detail", args=[self.pk])

    @property
    def label(self) -> str:
        return quarter_label(self.financial_year, self.quarter)

    @property
    def short_label(self) -> str:
        return f"Q{self.quarter} {self.financial_year}/{(self.financial_year + 1) % 100:02d}"

    @property
    def start(self) -> date:
        return quarter_start(self.financial_year, self.quarter)

    @property
    def end(self) -> date:
        return quarter_end(self.financial_year, self.quarter)

    @property
    def is_signed(self) -> bool:
        return self.status == self.Status.SIGNED

    def prepared_by(self) -> set[int]:
        """Everyone who compiled or submitted this version, a recompile or resubmission before
        included (from its history): none of them may challenge or sign it."""
        earlier = self.history.filter(version=self.version).values_list(
            "compiled_by_id", "submitted_by_id"
        )
        return {
            pk
            for pair in [*earlier, (self.compiled_by_id, self.submitted_by_id)]
            for pk in pair
            if pk
        }

    def current_sign_off(self, kind: str) -> "SignOff | None":
        """This version's signature of ``kind`` not superseded (reads prefetched sign-offs)."""
        for sign_off in self.sign_offs.all():
            if sign_off.version == self.version and sign_off.kind == kind and sign_off.is_current:
                return sign_off
        return None

    def has_finance_sign_off(self) -> bool:
        """Whether the Chief Finance Officer has signed this version's financial figures."""
        return self.current_sign_off(SignOff.Kind.FINANCE) is not None

    def lacks_finance_sign_off(self) -> bool:
        return not self.has_finance_sign_off()

    @transition(
        field=status,
        source=Status.COMPILED,
        target=Status.IN_REVIEW,
        permission=object_permission("assurance.submit_report"),
    )
    def submit(self, *, by, at) -> None:
        """The central team submits the compiled report to the Head of Paid Service."""
        self.submitted_by, self.submitted_at = by, at

    @transition(
        field=status,
        source=Status.CHALLENGED,
        target=Status.IN_REVIEW,
        permission=object_permission("assurance.submit_report"),
    )
    def resubmit(self, *, by, at) -> None:
        """The central team answers the challenge and submits the report again."""
        self.submitted_by, self.submitted_at = by, at

    @transition(
        field=status,
        source=Status.IN_REVIEW,
        target=Status.CHALLENGED,
        permission=object_permission("assurance.challenge_report"),
    )
    def challenge(self) -> None:
        """A reviewer asks the central team a question or for a correction."""

    @transition(
        field=status,
        source=Status.IN_REVIEW,
        target=Status.IN_REVIEW,
        conditions=[lacks_finance_sign_off],
        permission=object_permission("assurance.sign_finance"),
    )
    def sign_finance(self) -> None:
        """The Chief Finance Officer signs the financial figures (the status stays in review)."""

    @transition(
        field=status,
        source=Status.IN_REVIEW,
        target=Status.SIGNED,
        conditions=[has_finance_sign_off],
        permission=object_permission("assurance.sign_off_report"),
    )
    def sign_off(self) -> None:
        """The Head of Paid Service signs the quarter off with a statement of assurance."""

    @transition(
        field=status,
        source=Status.SIGNED,
        target=Status.COMPILED,
        permission=object_permission("assurance.reopen_report"),
    )
    def reopen(self) -> None:
        """A signed quarter is opened again to be corrected: a new version, signed again."""
        self.version += 1
        self.submitted_by = self.submitted_at = None


class SignOff(models.Model):
    """A signature on a version of a quarterly report, with the figures it was given."""

    class Kind(models.TextChoices):
        FINANCE = "finance", "Financial figures (Chief Finance Officer)"
        ASSURANCE = "assurance", "Statement of assurance (Head of Paid Service)"

    class Assurance(models.TextChoices):
        ASSURED = "assured", "Assured"
        WITH_EXCEPTIONS = "with_exceptions", "Assured with exceptions"
        NOT_ASSURED = "not_assured", "Not assured"

    report = models.ForeignKey(QuarterlyReport, on_delete=models.PROTECT, related_name="sign_offs")
    version = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=20, choices=Kind.choices)
    assurance = models.CharField(max_length=20, choices=Assurance.choices, blank=True)
    statement = models.TextField()
    figures = models.JSONField(default=dict)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField()
    superseded_at = models.DateTimeField(null=True, blank=True)
    superseded_reason = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["report", "version", "signed_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "version", "kind"],
                condition=Q(superseded_at__isnull=True),
                name="one_current_sign_off_of_a_kind",
            ),
            models.CheckConstraint(
                condition=Q(kind="finance", assurance="")
                | (Q(kind="assurance") & ~Q(assurance="")),
                name="assurance_level_on_assurance_only",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.report} by {self.signed_by}"

    @property
    def is_current(self) -> bool:
        return self.superseded_at is None

    @property
    def signed_on(self) -> str:
        return long_date(self.signed_at)


class ReviewComment(models.Model):
    """What was said on the way to a signature: a reviewer's challenge, the central team's
    answer, or why a signed quarter was re-opened."""

    class Kind(models.TextChoices):
        CHALLENGE = "challenge", "Challenge"
        RESPONSE = "response", "Answer"
        REOPENED = "reopened", "Re-opened for correction"

    report = models.ForeignKey(QuarterlyReport, on_delete=models.PROTECT, related_name="comments")
    version = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=20, choices=Kind.choices)
    text = models.TextField()
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    written_at = models.DateTimeField()
    history = HistoricalRecords()

    class Meta:
        ordering = ["report", "written_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.report}"
