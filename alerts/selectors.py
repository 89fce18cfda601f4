"""Reads behind the alerts: what falls due on a day, who hears of it, and what has been sent.

The daily and weekly jobs, the pages and the command share these, and each runs a fixed number of
queries whatever the size of the register.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db.models import (
    BigIntegerField,
    Case,
    CharField,
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
    Window,
)
from django.db.models.functions import Cast, Concat, RowNumber
from django.urls import reverse
from django.utils import timezone

from contracts.lead_times import (
    MAX_LEAD_MONTHS,
    ValueBand,
    add_months,
    band_condition,
    band_for,
    last_end_alerted_by,
)
from contracts.models import Contract
from contracts.selectors import (
    data_quality_problems,
    directorates_for_officer,
    inside_lead_time,
    no_lead_director_condition,
    not_ended_condition,
    unmanaged_condition,
)
from gateways.models import GatewayReview, ProcurementProject
from gateways.progress import OPEN_STATES
from gateways.selectors import current_step, reviews_with_route
from performance.selectors import overdue_condition
from procurement.dates import long_date, working_days_after
from procurement.models import Directorate, GatewayStage, Notification, NotificationItem, User
from procurement.notifications import SENDING_TIMEOUT
from procurement.roles import Role
from procurement.selectors import users_with_role
from procurement.thresholds import NAMED_OFFICERS_ABOVE, pounds
from training.models import Course
from training.selectors import training_due

from .models import OpenRenewalAlert

# A month's length varies: contracts ending up to this many days past the longest lead time are
# read too, and the exact alert day (the same day of the month, kept within it) decides.
MONTH_END_SLACK_DAYS = 3


@dataclass(frozen=True)
class Recipient:
    user: User
    role: str


def _add(people: list[Recipient], user: User | None, role: str) -> None:
    if user is not None and user.is_active and all(p.user.pk != user.pk for p in people):
        people.append(Recipient(user, role))


def _active_holders(role: Role) -> list[User]:
    return list(users_with_role(role=role).order_by("email"))


# --- Renewal alerts ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RenewalDue:
    """A contract that has reached a lead time of its band, and who is told."""

    contract: Contract
    months: int
    alert_day: date
    recipients: list[Recipient]

    @property
    def key(self) -> str:
        contract = self.contract
        if contract.is_rolling:
            return renewal_key(months=self.months, end_date=contract.review_date, review=True)
        return renewal_key(months=self.months, end_date=contract.end_date)


def renewal_key(*, months: int, end_date: date, review: bool = False) -> str:
    """The ledger key of one lead time of one end date: an extension's new end date starts its
    alerts afresh. A rolling contract's is of its review date ("3m:review:2027-06-30"): each
    review date is alerted once, and the next one afresh."""
    return f"{months}m:{'review:' if review else ''}{end_date.isoformat()}"


def months_phrase(months: int) -> str:
    """6 → "6 months", 1 → "1 month"."""
    return f"{months} month" if months == 1 else f"{months} months"


def months_of_key(key: str) -> int | None:
    head = key.split("m:", 1)[0]
    return int(head) if head.isdigit() else None


def end_date_of_key(key: str) -> date | None:
    """The end date a renewal alert's key names, or the review date of a rolling contract's."""
    try:
        return date.fromisoformat(key.rsplit(":", 1)[1])
    except (IndexError, ValueError):
        return None


def rolling_band(band: ValueBand) -> ValueBand:
    """The lead time of a rolling contract's review: its band's shortest alone. Its review date
    moves on at each review (every 3 to 12 months), so every lead time of every review would
    repeat the same question all year; one alert, in time to decide, asks it once a review."""
    return ValueBand(band.name, band.above, band.lead_months[-1:])


def alert_day(*, end_date: date, months: int) -> date:
    """The day a lead time falls: the same day of the month ``months`` earlier, kept within the
    month (31/08 less 6 months is 28/02 or 29/02)."""
    return add_months(end_date, -months)


def current_lead_time(*, end_date: date, band: ValueBand, on: date) -> tuple[int, date] | None:
    """The most recent lead time reached by ``on`` (the shortest whose day has come), with its
    day; ``None`` before the first. A missed day is caught up, but once a later lead time has come
    only that one is due."""
    for months in sorted(band.lead_months):
        day = alert_day(end_date=end_date, months=months)
        if day <= on:
            return months, day
    return None


# A Gateway 3 extension proposed and still open (not approved, rejected or withdrawn).
EXTENSION_PROPOSED = {"stage": GatewayStage.G3, "is_extension": True, "state__in": OPEN_STATES}


def renewal_answered() -> Q:
    """Contracts whose renewal has been answered: a re-procurement started, a Gateway 3
    extension proposed and not yet decided against, or the ending confirmed for this end date
    (a rolling contract has none to confirm: a re-procurement, a variation giving it an end date
    or its termination answers it)."""
    replacing = ProcurementProject.objects.filter(replaces=OuterRef("pk"))
    extending = GatewayReview.objects.filter(contract=OuterRef("pk"), **EXTENSION_PROPOSED)
    return Q(ending_confirmed_for=F("end_date")) | Exists(replacing) | Exists(extending)


def renewal_candidates(*, on: date, in_force: tuple[ValueBand, ...]) -> QuerySet[Contract]:
    """Contracts still to end, inside the longest lead time of their band, and rolling contracts
    due for review inside the shortest, not yet answered."""
    ending = Q(end_date__gte=on) & inside_lead_time(
        today=on, in_force=in_force, slack_days=MONTH_END_SLACK_DAYS
    )
    reviewed = Q(end_date__isnull=True, review_date__gte=on) & inside_lead_time(
        today=on,
        in_force=in_force,
        slack_days=MONTH_END_SLACK_DAYS,
        field="review_date",
        shortest=True,
    )
    return (
        Contract.objects.filter(terminated_on__isnull=True)
        .filter(ending | reviewed)
        .exclude(renewal_answered())
        .select_related(
            "contract_manager", "lead_director", "directorate__business_partner", "supplier"
        )
        .order_by("end_date", "pk")
    )


def renewal_heads() -> list[User]:
    """The heads of procurement, who hear of a directorate's renewals when it has no partner."""
    return _active_holders(Role.HEAD_OF_PROCUREMENT)


def renewal_recipients(contract: Contract, *, heads: list[User]) -> list[Recipient]:
    """The contract manager (or, while there is none or they have left, the lead director) and
    the directorate's business partner (or, without one, the heads of procurement)."""
    people: list[Recipient] = []
    manager = contract.contract_manager
    if manager is not None and manager.is_active:
        _add(people, manager, "Contract manager")
    elif manager is not None:
        _add(people, contract.lead_director, "Lead director, while the contract manager has left")
    else:
        _add(people, contract.lead_director, "Lead director, as the contract has no manager")
    partner = contract.directorate.business_partner
    if partner is not None and partner.is_active:
        _add(people, partner, "Business partner for the directorate")
    else:
        for head in heads:
            _add(people, head, "Head of procurement, as the directorate has no business partner")
    return people


def renewals_due(
    *, on: date, in_force: tuple[ValueBand, ...], among: Iterable[int] | None = None
) -> list[RenewalDue]:
    """Every contract at a lead time on ``on`` (or past one whose alert was missed); or of those,
    the contracts of ``among``."""
    heads = renewal_heads()
    due = []
    candidates = renewal_candidates(on=on, in_force=in_force)
    if among is not None:
        candidates = candidates.filter(pk__in=list(among))
    for contract in candidates:
        band = band_for(contract.whole_life_value, in_force)
        if contract.is_rolling:
            band = rolling_band(band)
        reached = current_lead_time(end_date=contract.renewal_date, band=band, on=on)
        if reached is None:
            continue
        months, day = reached
        recipients = renewal_recipients(contract, heads=heads)
        if recipients:
            due.append(RenewalDue(contract, months, day, recipients))
    return due


def renewal_keys_claimed(
    *, on: date, in_force: tuple[ValueBand, ...], among: Iterable[int] | None = None
) -> set[tuple[int, str, int]]:
    """(contract, key, recipient) of every renewal alert already in the ledger for the contracts
    that may be due on ``on``, or for those of ``among`` (one query)."""
    if among is None:
        subjects = renewal_candidates(on=on, in_force=in_force).order_by().values("pk")
    else:
        subjects = list(among)
    return set(
        Notification.objects.filter(
            kind=Notification.Kind.RENEWAL,
            subject_type=ContentType.objects.get_for_model(Contract),
            subject_id__in=subjects,
        ).values_list("subject_id", "key", "recipient_id")
    )


# --- Renewal alerts not yet sent, found by the database -------------------------------------------
#
# Each lead time of each band is a range of end dates (of review dates, for a rolling contract):
# on a day, the contracts whose latest lead time reached is ``months`` are those ending after the
# last end date the next shorter lead time has reached, up to the last this one has. So the
# database knows each contract's current alert key from indexed columns, and looks up in the
# ledger's unique index whether each of its recipients has it: only the contracts with an alert
# still to send are read, whatever the size of the register.


def _lead_time_ranges(*, on: date, in_force: tuple[ValueBand, ...]):
    """(condition, key prefix, dated column) for each band's each lead time reached on ``on``."""
    ranges = []
    for band in in_force:
        in_band = band_condition(band, in_force)
        for column, alerted, review in (
            ("end_date", band, False),
            ("review_date", rolling_band(band), True),
        ):
            running = (
                Q(end_date__isnull=True, review_date__gte=on) if review else Q(end_date__gte=on)
            )
            after = None
            for months in sorted(alerted.lead_months):
                last = last_end_alerted_by(on, months)
                within = Q(**{f"{column}__lte": last})
                if after is not None:
                    within &= Q(**{f"{column}__gt": after})
                prefix = renewal_key(months=months, end_date=on, review=review).rsplit(":", 1)[0]
                ranges.append((in_band & running & within, f"{prefix}:", column))
                after = last
    return ranges


def _first_recipient() -> Case:
    """The contract manager, or while there is none or they have left, the lead director."""
    return Case(
        When(contract_manager__is_active=True, then=F("contract_manager_id")),
        When(lead_director__is_active=True, then=F("lead_director_id")),
        default=None,
        output_field=BigIntegerField(),
    )


def _second_recipient() -> Case:
    """The directorate's business partner; none means the heads of procurement."""
    return Case(
        When(
            directorate__business_partner__is_active=True,
            then=F("directorate__business_partner_id"),
        ),
        default=None,
        output_field=BigIntegerField(),
    )


def renewals_reached(*, on: date, in_force: tuple[ValueBand, ...]) -> QuerySet[Contract]:
    """The contracts at a lead time on ``on`` (or past one whose alert was missed), not answered,
    each with its alert's key and its recipients' ids (the heads of procurement when the second
    is none)."""
    ranges = _lead_time_ranges(on=on, in_force=in_force)
    # Each band's lead times together are one range of dates, which the index reads at once.
    reached = Q()
    for band in in_force:
        in_band = band_condition(band, in_force)
        ending = last_end_alerted_by(on, band.longest)
        reviewed = last_end_alerted_by(on, rolling_band(band).longest)
        reached |= in_band & Q(end_date__gte=on, end_date__lte=ending)
        reached |= in_band & Q(
            end_date__isnull=True, review_date__gte=on, review_date__lte=reviewed
        )
    key = Case(
        *(
            When(condition, then=Concat(Value(prefix), Cast(column, CharField())))
            for condition, prefix, column in ranges
        ),
        default=None,
        output_field=CharField(),
    )
    return (
        Contract.objects.filter(terminated_on__isnull=True)
        .filter(reached)
        .exclude(renewal_answered())
        .annotate(alert_key=key, first_to=_first_recipient(), second_to=_second_recipient())
    )


def _in_ledger(recipient) -> Exists:
    return Exists(
        Notification.objects.filter(
            kind=Notification.Kind.RENEWAL,
            subject_type=ContentType.objects.get_for_model(Contract),
            subject_id=OuterRef("pk"),
            key=OuterRef("alert_key"),
            recipient_id=recipient,
        )
    )


def renewals_unsent(*, on: date, in_force: tuple[ValueBand, ...], heads: list[User]) -> list[int]:
    """The contracts with an alert due on ``on`` that one of its recipients has not been sent."""
    unsent = Q(first_to__isnull=False) & ~_in_ledger(OuterRef("first_to"))
    unsent |= Q(second_to__isnull=False) & ~_in_ledger(OuterRef("second_to"))
    for head in heads:
        unsent |= Q(second_to__isnull=True) & ~_in_ledger(head.pk)
    return list(
        renewals_reached(on=on, in_force=in_force)
        .filter(unsent)
        .order_by("end_date", "pk")
        .values_list("pk", flat=True)
    )


def renewal_alerts_counted(*, on: date, in_force: tuple[ValueBand, ...], heads: list[User]) -> int:
    """How many alerts are due on ``on``, sent or not: each reached contract's recipients, one
    query (a person named twice is told once)."""
    head_ids = [head.pk for head in heads]
    counts = (
        renewals_reached(on=on, in_force=in_force)
        .order_by()
        .aggregate(
            first=Count("pk", filter=Q(first_to__isnull=False)),
            second=Count(
                "pk",
                filter=Q(second_to__isnull=False)
                & (Q(first_to__isnull=True) | ~Q(second_to=F("first_to"))),
            ),
            to_heads=Count("pk", filter=Q(second_to__isnull=True)),
            head_first=Count("pk", filter=Q(second_to__isnull=True, first_to__in=head_ids)),
        )
    )
    return (
        counts["first"]
        + counts["second"]
        + counts["to_heads"] * len(head_ids)
        - counts["head_first"]
    )


# --- Escalations ------------------------------------------------------------------------------


class Category:
    PAST_END = "past_end"
    REVIEW_OVERDUE = "review_overdue"
    GATEWAY_OVERDUE = "gateway_overdue"
    NO_MANAGER = "no_manager"
    NO_LEAD_DIRECTOR = "no_lead_director"
    TRAINING_OWN = "training_own"
    TRAINING_OVERDUE = "training_overdue"

    LABELS = {
        PAST_END: "Contracts running past their end date",
        REVIEW_OVERDUE: "Performance reviews overdue",
        GATEWAY_OVERDUE: "Gateway reports waiting longer than their target",
        NO_MANAGER: f"Contracts over {pounds(NAMED_OFFICERS_ABOVE)} with no contract manager",
        NO_LEAD_DIRECTOR: f"Contracts over {pounds(NAMED_OFFICERS_ABOVE)} with no lead director",
        TRAINING_OWN: "Your mandatory training due or overdue",
        TRAINING_OVERDUE: "People overdue for a mandatory course",
    }
    ORDER = [
        PAST_END,
        NO_MANAGER,
        NO_LEAD_DIRECTOR,
        REVIEW_OVERDUE,
        GATEWAY_OVERDUE,
        TRAINING_OWN,
        TRAINING_OVERDUE,
    ]


def category_list_url(category: str) -> str:
    """The page that lists everything of a category, for a digest's "see all"."""
    return {
        Category.PAST_END: f"{reverse('contracts:register')}?problem=past_end",
        Category.REVIEW_OVERDUE: f"{reverse('performance:portfolio')}?overdue=on",
        Category.GATEWAY_OVERDUE: reverse("alerts:gateways_overdue"),
        Category.NO_MANAGER: reverse("alerts:reassign"),
        Category.NO_LEAD_DIRECTOR: (
            f"{reverse('contracts:register')}?problem=over_50k_no_lead_director"
        ),
        Category.TRAINING_OWN: reverse("training:mine"),
        Category.TRAINING_OVERDUE: f"{reverse('training:due')}?status=overdue",
    }[category]


@dataclass(frozen=True)
class Escalation:
    category: str
    subject: Contract | GatewayReview | Course | User
    title: str
    detail: str
    link: str
    directorate_id: int
    lead_directors: tuple[User, ...]


def step_waiting_since(review: GatewayReview, step) -> datetime:
    """When ``step`` became the one waiting: the last decision of this round before it, or the
    submission (from the review's prefetched steps and decisions)."""
    earlier = [
        decision.decided_at
        for other in review.steps.all()
        if other.order < step.order
        for decision in other.decisions.all()
        if decision.round == review.round
    ]
    return max(earlier, default=review.submitted_at)


@dataclass(frozen=True)
class OverdueStep:
    review: GatewayReview
    step: object
    since: datetime
    working_days: int


def gateway_steps_overdue(*, on: date) -> list[OverdueStep]:
    """Reports in review whose current step has waited longer than its target working days."""
    overdue = []
    reviews = (
        reviews_with_route()
        .filter(state=GatewayReview.State.IN_REVIEW)
        .select_related(
            "project__directorate__business_partner",
            "contract__directorate__business_partner",
            "contract__lead_director",
            "contract_lead_director",
        )
        .order_by("submitted_at", "pk")
    )
    for review in reviews:
        step = current_step(review)
        if step is None or review.submitted_at is None:
            continue
        since = step_waiting_since(review, step)
        waited = working_days_after(timezone.localdate(since), on)
        if waited > step.target_days:
            overdue.append(OverdueStep(review, step, since, waited))
    return overdue


def _contract_escalation(category: str, contract: Contract, detail: str, directors) -> Escalation:
    lead = contract.lead_director
    named = (lead,) if lead is not None and lead.is_active else ()
    return Escalation(
        category=category,
        subject=contract,
        title=f"{contract.reference}: {contract.title}",
        detail=detail,
        link=contract.get_absolute_url(),
        directorate_id=contract.directorate_id,
        lead_directors=named or tuple(directors.get(contract.directorate_id, ())),
    )


def _escalated_contracts() -> QuerySet[Contract]:
    return Contract.objects.select_related(
        "contract_manager", "lead_director", "directorate__business_partner"
    ).order_by("end_date", "pk")


def escalations(*, on: date) -> list[Escalation]:
    """Everything to escalate on ``on``: contracts running past their end, performance reviews
    overdue, gateway steps waiting past their target, and contracts over £50,000 without a
    (current) contract manager or without a lead director (legacy gaps the import let in)."""
    directors = _directors_by_directorate()
    return [*_contract_escalations(on, directors), *_gateway_escalations(on, directors)]


def _directors_by_directorate() -> dict[int, list[User]]:
    """The active executive directors of each directorate."""
    directors: dict[int, list[User]] = defaultdict(list)
    for director in _active_holders(Role.EXECUTIVE_DIRECTOR):
        directors[director.directorate_id].append(director)
    return directors


def contract_categories(*, on: date) -> list[tuple[str, Q]]:
    """Each kind of escalated contract and the condition that finds it, in the digest's order of
    reading: past their end, without a (current) manager or a lead director, review overdue."""
    past_end = data_quality_problems(today=on)["past_end"][1] & ~Q(
        ending_confirmed_for=F("end_date")
    )
    return [
        (Category.PAST_END, past_end),
        (Category.NO_MANAGER, unmanaged_condition(today=on)),
        (Category.NO_LEAD_DIRECTOR, no_lead_director_condition(today=on)),
        (Category.REVIEW_OVERDUE, overdue_condition(today=on)),
    ]


def contract_escalation_detail(category: str, contract: Contract) -> str:
    if category == Category.PAST_END:
        return f"Ended {long_date(contract.end_date)} and still active on the register"
    if category == Category.NO_MANAGER:
        if contract.contract_manager is None:
            return "No contract manager is named"
        return f"{contract.contract_manager} has left: reassign the contract"
    if category == Category.NO_LEAD_DIRECTOR:
        return (
            "No lead director is named: the business partner for the directorate "
            "asks its executive director to name one"
        )
    return f"Performance review due {long_date(contract.review_date)}"


def _contract_escalations(on: date, directors: dict[int, list[User]]) -> list[Escalation]:
    """Contracts past their end, without a (current) manager or a lead director, or with a
    performance review overdue."""
    return [
        _contract_escalation(
            category, contract, contract_escalation_detail(category, contract), directors
        )
        for category, condition in contract_categories(on=on)
        for contract in _escalated_contracts().filter(condition)
    ]


def _gateway_escalations(on: date, directors: dict[int, list[User]]) -> list[Escalation]:
    """Gateway steps waiting past their target, to the review's lead director (or the
    directorate's executive directors where none is named or still active)."""
    found: list[Escalation] = []
    for item in gateway_steps_overdue(on=on):
        review = item.review
        subject = review.project or review.contract
        lead = (review.contract.lead_director if review.contract else None) or (
            review.contract_lead_director
        )
        named = (lead,) if lead is not None and lead.is_active else ()
        found.append(
            Escalation(
                category=Category.GATEWAY_OVERDUE,
                subject=review,
                title=str(review),
                detail=(
                    f"Waiting at '{item.step.name}' since "
                    f"{long_date(timezone.localdate(item.since))}: "
                    f"{item.working_days} working days, target {item.step.target_days}"
                ),
                link=reverse("gateways:review", args=[review.pk]),
                directorate_id=subject.directorate_id,
                lead_directors=named or tuple(directors.get(subject.directorate_id, ())),
            )
        )
    return found


class Central:
    """The people escalations reach beside a lead director, read once for a run: each
    directorate's executive directors and business partner, every business partner and the heads
    of procurement."""

    def __init__(self) -> None:
        self.directors = _directors_by_directorate()
        self.partners = _active_holders(Role.BUSINESS_PARTNER)
        self.heads = _active_holders(Role.HEAD_OF_PROCUREMENT)
        self.partner_of = {
            directorate.pk: directorate.business_partner
            for directorate in Directorate.objects.select_related("business_partner")
        }

    def lead_directors(self, lead: User | None, directorate_id: int) -> tuple[User, ...]:
        """The named lead director, or where none is named or still active, the directorate's
        executive directors."""
        named = (lead,) if lead is not None and lead.is_active else ()
        return named or tuple(self.directors.get(directorate_id, ()))

    def recipients(self, lead_directors, directorate_id: int) -> list[Recipient]:
        """Who hears of an escalation, and why: its lead directors, the directorate's business
        partner (or every business partner where it has none) and the heads of procurement."""
        recipients: list[Recipient] = []
        for director in lead_directors:
            _add(recipients, director, "Lead director")
        partner = self.partner_of.get(directorate_id)
        if partner is not None and partner.is_active:
            _add(recipients, partner, "Business partner for the directorate")
        else:
            for other in self.partners:
                _add(recipients, other, "Business partner")
        for head in self.heads:
            _add(recipients, head, "Head of procurement")
        return recipients


def digests_due(*, on: date) -> dict[User, list[tuple[Escalation, str]]]:
    """Each person's escalations for ``on``, with why they hear of each: the lead director
    (or the directorate's executive directors where none is named) and the central team (the
    directorate's business partner, or every business partner where it has none, and the heads
    of procurement). Every escalation is read: the weekly job reads only what a digest shows
    (``digests_summarised``), and the tests compare the two."""
    found = escalations(on=on)
    central = Central()
    people: dict[int, User] = {}
    digests: dict[int, list[tuple[Escalation, str]]] = defaultdict(list)
    for escalation in found:
        for recipient in central.recipients(escalation.lead_directors, escalation.directorate_id):
            people[recipient.user.pk] = recipient.user
            digests[recipient.user.pk].append((escalation, recipient.role))
    for escalation, recipient in training_reached(on=on, central=central):
        people[recipient.user.pk] = recipient.user
        digests[recipient.user.pk].append((escalation, recipient.role))
    return {people[pk]: items for pk, items in digests.items()}


def training_reached(*, on: date, central: "Central"):
    """Each mandatory course due or overdue, as the escalations it makes and who hears of each:
    the person themselves (due or overdue), and for an overdue course the central team (the
    person's directorate's business partner, or every business partner, and the heads of
    procurement). Yields (escalation, recipient), most urgent first."""
    for standing in training_due(on=on):
        person, course = standing.person, standing.course
        yield (
            Escalation(
                category=Category.TRAINING_OWN,
                subject=course,
                title=str(course),
                detail=standing.detail,
                link=reverse("training:mine"),
                directorate_id=person.directorate_id,
                lead_directors=(),
            ),
            Recipient(person, "Holds a role the course is mandatory for"),
        )
        if not standing.is_overdue:
            continue
        escalation = Escalation(
            category=Category.TRAINING_OVERDUE,
            subject=person,
            title=f"{person}: {course}",
            detail=standing.detail,
            link=reverse("training:person", args=[person.pk]),
            directorate_id=person.directorate_id,
            lead_directors=(),
        )
        for recipient in central.recipients((), person.directorate_id):
            yield escalation, recipient


# --- Digests, read a screenful at a time ------------------------------------------------------
#
# Who hears of an escalated contract depends only on its directorate and its lead director, so
# each kind of escalation is counted by those two in one query; then each person's first few of
# each kind (those a digest lists) are read. The queries grow with the people, not the register.


@dataclass
class DigestSection:
    count: int = 0
    shown: list[tuple[Escalation, str]] = field(default_factory=list)


@dataclass
class Digest:
    """One person's escalations of a week: how many of each kind, and the first ``shown``."""

    person: User
    roles: set[str] = field(default_factory=set)
    sections: dict[str, DigestSection] = field(default_factory=dict)

    def section(self, category: str) -> DigestSection:
        return self.sections.setdefault(category, DigestSection())


def digests_summarised(*, on: date, shown: int, skip: Iterable[int] = ()) -> dict[int, Digest]:
    """Each person's digest for ``on`` (by the person's id), as ``digests_due`` finds it, with
    the first ``shown`` escalations of each kind; those of ``skip`` (already sent this week's)
    are counted but not read."""
    central = Central()
    digests: dict[int, Digest] = {}
    skip = set(skip)
    for category, condition in contract_categories(on=on):
        _contracts_summarised(
            digests, central, category=category, condition=condition, shown=shown, skip=skip
        )
    for escalation in _gateway_escalations(on, central.directors):
        for recipient in central.recipients(escalation.lead_directors, escalation.directorate_id):
            digest = digests.setdefault(recipient.user.pk, Digest(recipient.user))
            digest.roles.add(recipient.role)
            section = digest.section(escalation.category)
            section.count += 1
            if len(section.shown) < shown:
                section.shown.append((escalation, recipient.role))
    for escalation, recipient in training_reached(on=on, central=central):
        if not recipient.user.is_active:
            continue
        digest = digests.setdefault(recipient.user.pk, Digest(recipient.user))
        digest.roles.add(recipient.role)
        section = digest.section(escalation.category)
        section.count += 1
        if len(section.shown) < shown:
            section.shown.append((escalation, recipient.role))
    return digests


def _contracts_summarised(digests, central: Central, *, category, condition, shown, skip):
    """Count one kind of escalated contract for each person it reaches, and read the first
    ``shown`` of each person's."""
    groups = list(
        Contract.objects.filter(condition)
        .values_list("directorate_id", "lead_director_id")
        .annotate(count=Count("pk"))
        .order_by()
    )
    leads = User.objects.in_bulk({lead for _, lead, _ in groups if lead is not None})
    reached: dict[int, dict[tuple[int, int | None], str]] = defaultdict(dict)
    for directorate_id, lead_id, count in groups:
        named = central.lead_directors(leads.get(lead_id), directorate_id)
        for recipient in central.recipients(named, directorate_id):
            digest = digests.setdefault(recipient.user.pk, Digest(recipient.user))
            digest.roles.add(recipient.role)
            digest.section(category).count += count
            reached[recipient.user.pk][(directorate_id, lead_id)] = recipient.role
    # Any person's first ``shown`` are among the first ``shown`` of the groups that reach them:
    # read those of every group, in the order a digest lists them, and deal them out.
    rows = (
        _escalated_contracts()
        .filter(condition)
        .annotate(
            place=Window(
                RowNumber(),
                partition_by=[F("directorate_id"), F("lead_director_id")],
                order_by=[F("end_date").asc(), F("pk").asc()],
            )
        )
        .filter(place__lte=shown)
    )
    readers = [person for person in reached if person not in skip]
    for contract in rows:
        group = (contract.directorate_id, contract.lead_director_id)
        escalation = None
        for person in readers:
            listed = digests[person].section(category).shown
            if group not in reached[person] or len(listed) >= shown:
                continue
            escalation = escalation or _contract_escalation(
                category,
                contract,
                contract_escalation_detail(category, contract),
                central.directors,
            )
            listed.append((escalation, reached[person][group]))


def week_key(on: date) -> str:
    year, week, _ = on.isocalendar()
    return f"{year}-W{week:02d}"


def week_start(on: date) -> date:
    return on - timedelta(days=on.weekday())


def digest_recipients_claimed(*, on: date) -> set[int]:
    """The people already sent (or being sent) the digest of ``on``'s week."""
    return set(
        Notification.objects.filter(
            kind=Notification.Kind.ESCALATION_DIGEST, key=week_key(on)
        ).values_list("recipient_id", flat=True)
    )


# --- What has been sent -----------------------------------------------------------------------


def notifications_about(instance, *, most: int = 50) -> tuple[list[Notification], int]:
    """The latest ``most`` notifications about ``instance`` (its own alerts and the digests that
    listed it), newest first, and how many there are in all (three queries, each on an index)."""
    subject_type = ContentType.objects.get_for_model(instance)
    named = NotificationItem.objects.filter(subject_type=subject_type, subject_id=instance.pk)
    categories = dict(named.values_list("notification_id", "category"))
    own = Notification.objects.filter(subject_type=subject_type, subject_id=instance.pk)
    ids = set(own.values_list("pk", flat=True)) | set(categories)
    rows = list(
        Notification.objects.filter(pk__in=sorted(ids, reverse=True)[:most])
        .select_related("recipient")
        .order_by("-created_at", "-pk")
    )
    for row in rows:
        row.named_as = categories.get(row.pk, "")
    return rows, len(ids)


@dataclass(frozen=True)
class OpenAlert:
    notification: Notification
    contract: Contract


def _open_alerts_of(*, user: User, today: date) -> QuerySet[OpenRenewalAlert]:
    """The renewal alerts sent to ``user`` that still wait for an answer (alerts/open_alerts.py):
    the contract is still to end on the date alerted and nothing has answered it. An alert falls
    due at most the longest lead time allowed before the end: older ones are of contracts that
    have ended. Soonest renewal first."""
    return (
        OpenRenewalAlert.objects.filter(
            recipient=user, renews_on__gte=today, due_on__gte=add_months(today, -MAX_LEAD_MONTHS)
        )
        .select_related("notification", "contract__directorate", "contract__supplier")
        .order_by("renews_on", "contract_id")
    )


def open_renewal_alerts(*, user: User, today: date) -> list[OpenAlert]:
    """Every open renewal alert of ``user``, the latest alert of each contract, soonest renewal
    first (a query, on the person's own rows)."""
    cached = getattr(user, "_open_renewal_alerts", None)
    if cached is not None and cached[0] == today:
        return cached[1]
    alerts = [
        OpenAlert(row.notification, row.contract) for row in _open_alerts_of(user=user, today=today)
    ]
    # The home page asks twice (its list and its count): the user object keeps the answer.
    user._open_renewal_alerts = (today, alerts)
    return alerts


def open_renewal_alerts_first(
    *, user: User, today: date, shown: int
) -> tuple[list[OpenAlert], int]:
    """The first ``shown`` of ``open_renewal_alerts`` and how many there are in all, without
    reading them all (a home page's panel and count: two queries on the person's own rows,
    asked once a request)."""
    kept = getattr(user, "_open_renewal_alerts_first", None)
    if kept is not None and kept[0] == (today, shown):
        return kept[1]
    found = _open_alerts_of(user=user, today=today)
    first = [OpenAlert(row.notification, row.contract) for row in found[:shown]]
    answer = first, (found.count() if len(first) == shown else len(first))
    # The home page asks twice (its panel and its count): the user object keeps the answer.
    user._open_renewal_alerts_first = ((today, shown), answer)
    return answer


@dataclass(frozen=True)
class LedgerFilters:
    status: str = ""
    kind: str = ""
    search: str = ""


INTERRUPTED = "interrupted"


def notifications_ledger(*, filters: LedgerFilters, now: datetime) -> QuerySet[Notification]:
    """The ledger for administrators, newest first, filtered by status (or "interrupted"),
    kind and the recipient's email."""
    rows = Notification.objects.select_related("recipient").order_by("-created_at", "-pk")
    if filters.status == INTERRUPTED:
        rows = rows.filter(status=Notification.Status.SENDING, claimed_at__lt=now - SENDING_TIMEOUT)
    elif filters.status:
        rows = rows.filter(status=filters.status)
    if filters.kind:
        rows = rows.filter(kind=filters.kind)
    if filters.search:
        rows = rows.filter(
            Q(recipient__email__icontains=filters.search.strip())
            | Q(title__icontains=filters.search.strip())
        )
    return rows


def ledger_counts(*, now: datetime) -> dict[str, int]:
    return Notification.objects.aggregate(
        pending=Count("pk", filter=Q(status=Notification.Status.PENDING)),
        sending=Count("pk", filter=Q(status=Notification.Status.SENDING)),
        sent=Count("pk", filter=Q(status=Notification.Status.SENT)),
        failed=Count("pk", filter=Q(status=Notification.Status.FAILED)),
        interrupted=Count(
            "pk",
            filter=Q(status=Notification.Status.SENDING, claimed_at__lt=now - SENDING_TIMEOUT),
        ),
    )


# --- People who have left ---------------------------------------------------------------------


def contracts_left_behind(*, today: date) -> QuerySet[Contract]:
    """Contracts still to end whose contract manager has left (deactivated)."""
    return Contract.objects.filter(contract_manager__is_active=False).filter(
        not_ended_condition(today=today),
        Q(terminated_on__isnull=True) | Q(terminated_on__gt=today),
    )


def contracts_to_reassign(*, user: User, today: date) -> QuerySet[Contract]:
    """The contracts left behind in the directorates ``user`` keeps, grouped by their manager."""
    return (
        contracts_left_behind(today=today)
        .filter(directorate__in=directorates_for_officer(user=user))
        .select_related("contract_manager", "lead_director", "directorate", "supplier")
        .order_by("contract_manager__last_name", "contract_manager__email", "end_date", "pk")
    )


def group_by_manager(contracts: Iterable[Contract]) -> list[tuple[User, list[Contract]]]:
    groups: dict[int, tuple[User, list[Contract]]] = {}
    for contract in contracts:
        groups.setdefault(contract.contract_manager_id, (contract.contract_manager, []))[1].append(
            contract
        )
    return list(groups.values())


@dataclass(frozen=True)
class RenewalPosition:
    """Where a contract stands on renewal, for its page: its lead times, and its answer."""

    band: ValueBand
    alert_days: list[tuple[int, date]]  # each lead time and its day, longest first
    rolling: bool  # no end date: the alert goes before the review date
    answer: str  # what has answered the renewal, or ""
    replacement: ProcurementProject | None
    extension: GatewayReview | None


def renewal_position(contract: Contract, *, in_force: tuple[ValueBand, ...]) -> RenewalPosition:
    band = band_for(contract.whole_life_value, in_force)
    alerted = rolling_band(band) if contract.is_rolling else band
    replacement = contract.replacement_projects.order_by("-pk").first()
    extension = contract.gateway_reviews.filter(**EXTENSION_PROPOSED).order_by("-pk").first()
    if contract.ending_confirmed:
        answer = f"Recorded that it will end on {long_date(contract.end_date)}: "
        answer += contract.ending_reason
    elif replacement is not None:
        answer = f"Being re-procured: {replacement}"
    elif extension is not None:
        answer = f"A Gateway 3 extension is proposed ({extension.get_state_display().lower()})"
    else:
        answer = ""
    return RenewalPosition(
        band=band,
        alert_days=[
            (months, alert_day(end_date=contract.renewal_date, months=months))
            for months in alerted.lead_months
        ]
        if contract.renewal_date
        else [],
        rolling=contract.is_rolling,
        answer=answer,
        replacement=replacement,
        extension=extension,
    )
