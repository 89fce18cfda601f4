"""The parts of a gateway report, declared once for each gateway.

Each gateway's report is what it asks the approvers to decide (``COMMON``) and its gateway's own
parts (``STAGE_PARTS``), in the order the author completes them. From this one table come the
report form (gateways/forms.py), the rows of the report's page (``report_rows``), what submission
says is missing (``report_missing``), the Gateway 3 extension tests, the fields the author may
change (``REPORT_FIELDS``) and the parts the API shows (``API_FIELDS``).

To add a part: add its column to ``GatewayReview`` (with its migration) and a ``Part`` to its
gateway here; the form, the page, submission and the service follow. Give it ``shown`` for a row
on the page, ``required_as`` if the report cannot be submitted without it, ``in_api`` for the API.
"""

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.db import models
from django.utils.text import capfirst

from contracts.models import Contract
from procurement.dates import long_date
from procurement.models import GatewayStage
from procurement.thresholds import KPIS_ABOVE, KPIS_REQUIRED, pounds

# The report of a Gateway 3 that proposes to use one of a contract's extension options.
EXTENSION = "extension"

# The four tests of a proposal to extend a contract rather than re-tender it, in the words of the
# council's commissioning and procurement strategy (RBKC §4b), each with the report's column that
# holds its evidence. The report's form and page, the model's fields (and so its history), the
# submission's refusal, the API and the annual report and its PDF all read them here.
EXTENSION_TESTS: tuple[tuple[str, str], ...] = (
    ("extension_allowed_evidence", "that the contract can be extended (by time and value)"),
    ("savings_evidence", "the cashable/efficiency savings secured through negotiation"),
    (
        "added_social_value",
        "the ability to increase social value benefit through the extension period",
    ),
    (
        "performance_evidence",
        "that satisfactory performance/delivery of the contract has been achieved through the "
        "initial contract period",
    ),
)
EXTENSION_TEST_WORDS: dict[str, str] = dict(EXTENSION_TESTS)


def extension_tests_in_a_sentence(tests: list[str] | tuple[str, ...]) -> str:
    """The tests named in a sentence: "a; b; c; and d", as the strategy lists them."""
    if len(tests) < 2:
        return "".join(tests)
    return f"{'; '.join(tests[:-1])}; and {tests[-1]}"


class Option(models.TextChoices):
    """The ways of meeting the need a Gateway 0 business case appraises."""

    IN_HOUSE = "in_house", "Provide it in-house"
    GRANT = "grant", "Fund it by grant"
    EXTERNAL = "external", "Buy it from an external provider"
    SHARED = "shared", "Share a service with another council"
    MIXED = "mixed", "A mix of these"


class Kind(StrEnum):
    """What a part holds, which decides the form's field and how the page reads it."""

    TEXT = "text"  # a few lines of text
    CHOICE = "choice"  # one of the part's choices, as radios
    CHOICES = "choices"  # any of the part's choices, as checkboxes
    MONEY = "money"  # pounds
    DATE = "date"
    SUPPLIER = "supplier"  # a supplier on the register (one of the bidders, once there are bids)
    PERSON = "person"  # an active user


@dataclass(frozen=True)
class Shown:
    """How a part reads as a row of the summary on the report's page.

    ``blank`` is what the row says when the part is empty (None leaves the row out); ``reads``
    says how the review's part reads where that is not simply as typed or chosen. A ``notice``
    row is one the approver must weigh: it comes before the others, and only when ``notice``
    holds of the review, with ``lead`` as its first sentence.
    """

    key: str
    blank: str | None = "Not completed"
    lines: bool = True
    reads: Callable[[Any], str] | None = None
    notice: Callable[[Any], Any] | None = None
    lead: Callable[[Any], str] | None = None


@dataclass(frozen=True)
class Part:
    """One part of a gateway report: a column of ``GatewayReview`` and how it is asked and read.

    ``required_as`` names the part in "Complete the report before submitting it: …" (blank:
    the report may go without it); ``blank_error`` makes the form refuse it empty with that
    message. A part without ``shown`` is not a row of the page's summary (the page shows it in
    its own section, or not at all).
    """

    name: str
    label: str
    kind: Kind = Kind.TEXT
    hint: str = ""
    rows: int = 4
    choices: type[models.TextChoices] | None = None
    blank_error: str = ""
    required_as: str = ""
    in_api: bool = False
    shown: Shown | None = None


@dataclass(frozen=True)
class Row:
    """A row of the summary on the report's page."""

    key: str
    value: str
    blank: str | None = ""
    lines: bool = True
    lead: str = ""


def _contract_term(review) -> str:
    if review.contract_start and review.contract_end:
        return f"{long_date(review.contract_start)} to {long_date(review.contract_end)}"
    return ""


def _direct_award_exception(label: str) -> Part:
    return Part(
        "exception_justification",
        label,
        rows=3,
        hint="The approver must accept it explicitly.",
        shown=Shown(
            "Exception: route without competition",
            blank="No exception recorded",
            notice=lambda review: review.without_competition,
            lead=lambda review: f"{review.procurement_route_label}.",
        ),
    )


def _extension_test(name: str) -> Part:
    """One of the four tests, asked and shown in the strategy's words."""
    label = capfirst(EXTENSION_TEST_WORDS[name])
    return Part(
        name,
        label,
        rows=3,
        hint="The evidence for it; where it cannot be shown, record an exception below.",
        shown=Shown(label, blank="Not shown", lines=False),
    )


COMMON: tuple[Part, ...] = (
    Part(
        "summary",
        "What does the report ask the approvers to decide, and why?",
        rows=5,
        blank_error="Say what the report asks the approvers to decide, and why",
        in_api=True,
        shown=Shown("What the report asks", blank=""),
    ),
)

STAGE_PARTS: dict[str, tuple[Part, ...]] = {
    GatewayStage.G0: (
        Part(
            "options_appraised",
            "Options appraised",
            Kind.CHOICES,
            choices=Option,
            required_as="the options appraised",
            shown=Shown("Options appraised"),
        ),
        Part(
            "recommended_option",
            "Recommended option",
            Kind.CHOICE,
            choices=Option,
            required_as="the recommended option",
            shown=Shown("Recommended option"),
        ),
    ),
    GatewayStage.G1: (
        Part(
            "strategy_route",
            "Procurement route",
            Kind.CHOICE,
            choices=Contract.Route,
            required_as="the procurement route",
            shown=Shown("Procurement route"),
        ),
        Part("lots", "Lots", shown=Shown("Lots")),
        Part("timetable", "Timetable", required_as="the timetable", shown=Shown("Timetable")),
        Part(
            "risks",
            "Risks and how they are managed",
            required_as="the risks",
            shown=Shown("Risks"),
        ),
        Part(
            "social_value_approach",
            "Social value approach",
            required_as="the social value approach",
            shown=Shown("Social value approach"),
        ),
        _direct_award_exception(
            "If the route is a direct award, without competition: the exception and why it is "
            "justified"
        ),
    ),
    GatewayStage.G2: (
        Part(
            "tender_outcome",
            "Tender outcome: bids, scores and ranking",
            rows=6,
            required_as="the tender outcome",
            shown=Shown("Tender outcome"),
        ),
        Part(
            "recommended_supplier",
            "Recommended supplier",
            Kind.SUPPLIER,
            required_as="the recommended supplier",
            shown=Shown("Recommended supplier"),
        ),
        Part(
            "award_value",
            "Whole-life value of the award (£)",
            Kind.MONEY,
            required_as="the whole-life value of the award",
            shown=Shown("Whole-life value of the award"),
        ),
        Part(
            "contract_start",
            "Contract start",
            Kind.DATE,
            required_as="the contract's start",
            shown=Shown("Contract term", reads=_contract_term),
        ),
        # Read with the start, as the contract's term.
        Part("contract_end", "Contract end", Kind.DATE, required_as="the contract's end"),
        Part(
            "contract_lead_director",
            "Lead director of the contract",
            Kind.PERSON,
            required_as="the contract's lead director",
            shown=Shown("Lead director"),
        ),
        # Shown with the evaluation's ranking.
        Part(
            "recommendation_justification",
            "If the recommended bid is not the top-ranked one, why recommend it?",
            rows=3,
        ),
        # Shown with the KPIs proposed.
        Part(
            "kpis_not_applicable_reason",
            "If KPIs cannot apply to the contract, why not?",
            rows=3,
            hint=f"Contracts over {pounds(KPIS_ABOVE)} need at least {KPIS_REQUIRED} KPIs, "
            "proposed below the report, unless KPIs cannot apply.",
        ),
        Part(
            "award_variance_explanation",
            "If the award is above the estimate approved at Gateway 1 by more than the policy's "
            "tolerance, why?",
            rows=3,
            hint="The approvers see it beside the report.",
            shown=Shown(
                "Award above the Gateway 1 estimate",
                blank="No explanation recorded",
                notice=lambda review: review.award_variance,
                lead=lambda review: f"The award is {review.award_variance}.",
            ),
        ),
        _direct_award_exception(
            "If the route is a direct award, without competition: the exception and why it is "
            "justified"
        ),
    ),
    GatewayStage.G3: (),
    EXTENSION: (
        *(_extension_test(name) for name, _ in EXTENSION_TESTS),
        Part(
            "savings_negotiated",
            "The savings secured through negotiation (£)",
            Kind.MONEY,
            hint="The cashable/efficiency savings above, as a sum where one can be given.",
        ),
        Part(
            "exception_justification",
            "Exception: where a test cannot be shown, why the extension should go ahead",
            rows=3,
            shown=Shown("Exception", blank=None, lines=False),
        ),
    ),
}


def report_kind(*, stage: str, is_extension: bool) -> str:
    """Which table a report follows: its gateway's, or for a proposed extension the extension's."""
    return EXTENSION if is_extension else stage


def parts_for(review) -> tuple[Part, ...]:
    """The parts of this review's report, in the order the author completes them."""
    kind = report_kind(stage=review.stage, is_extension=review.is_extension)
    return COMMON + STAGE_PARTS.get(kind, ())


def all_parts() -> list[Part]:
    """Every part of every kind of report."""
    return [part for parts in (COMMON, *STAGE_PARTS.values()) for part in parts]


# The review's fields the author may change through the report.
REPORT_FIELDS: frozenset[str] = frozenset(part.name for part in all_parts())

# The report's parts the API shows with each review.
API_FIELDS: tuple[str, ...] = tuple(dict.fromkeys(p.name for p in all_parts() if p.in_api))


def report_missing(review) -> list[str]:
    """What this review's report must hold before it is submitted but does not yet."""
    return [
        part.required_as
        for part in parts_for(review)
        if part.required_as and not getattr(review, part.name)
    ]


def reads(part: Part, review) -> str:
    """How the review's part reads on its page."""
    if part.shown and part.shown.reads:
        return part.shown.reads(review)
    value = getattr(review, part.name)
    if part.kind == Kind.CHOICE:
        return dict(part.choices.choices).get(value, value)
    if part.kind == Kind.CHOICES:
        labels = dict(part.choices.choices)
        return "; ".join(labels.get(choice, choice) for choice in value)
    if part.kind == Kind.MONEY:
        return f"£{value:,.2f}" if value else ""
    if part.kind == Kind.DATE:
        return long_date(value)
    if part.kind in {Kind.SUPPLIER, Kind.PERSON}:
        return str(value or "")
    return value


def _row(part: Part, review) -> Row:
    shown = part.shown
    lead = shown.lead(review) if shown.lead else ""
    return Row(shown.key, reads(part, review), blank=shown.blank, lines=shown.lines, lead=lead)


def report_rows(review) -> list[Row]:
    """The report's summary on its page: the notices the approver must weigh, then the
    gateway's own parts, then what the report asks."""
    shown = [part for part in parts_for(review) if part.shown]
    notices = [part for part in shown if part.shown.notice]
    rest = [part for part in shown if not part.shown.notice]
    stage_first = [part for part in rest if part not in COMMON] + [
        part for part in rest if part in COMMON
    ]
    rows = [_row(part, review) for part in notices if part.shown.notice(review)]
    rows += [_row(part, review) for part in stage_first]
    return [row for row in rows if row.value or row.blank is not None]
