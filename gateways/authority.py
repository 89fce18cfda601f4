"""Who may act at a step of a gateway report: the role, its scope, and delegation.

A person acts at a step in a role the step names and they hold. Where the policy limits that role
to the procurement's own directorate (the step's ``scoped_roles``), they act only for a directorate
they answer for: their own or, for a Lead Member, one of their portfolio. Or they act for a
colleague who has delegated that very role to them for today, in the colleague's scope; the
decision is then recorded as "X on behalf of Y (role)". The author of a report never acts on it,
in their own right or through a delegate, and nobody acts at two steps of one round.

Pages, the API, notifications and the services all ask here, so they give the same answer
(decision record 0025).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from procurement.models import User
from procurement.roles import Role

from .models import Delegation, GatewayReview, ReviewStep
from .progress import current_step


@dataclass(frozen=True)
class Authority:
    """One way a person may act at a step: in ``role``, in their own right or for a delegator."""

    role: str
    on_behalf_of: User | None = None

    def __str__(self) -> str:
        if self.on_behalf_of is None:
            return self.role
        return f"{self.role}, on behalf of {self.on_behalf_of}"


def delegations_active(
    *, delegate: User | None = None, delegator: User | None = None, on: date
) -> list[Delegation]:
    """The delegations in force on ``on`` that ``delegate`` may act under, or that
    ``delegator`` has given, with both people and the delegator's portfolio."""
    found = Delegation.objects.filter(ended_at__isnull=True, starts_on__lte=on, ends_on__gte=on)
    if delegate is not None:
        found = found.filter(delegate=delegate)
    if delegator is not None:
        found = found.filter(delegator=delegator)
    return list(
        found.select_related("delegator", "delegate").prefetch_related("delegator__portfolio")
    )


def held_roles(user: User) -> set[str]:
    """The names of the roles ``user`` holds (from prefetched groups where they were read)."""
    prefetched = getattr(user, "_prefetched_objects_cache", {})
    if "groups" in prefetched:
        return {group.name for group in prefetched["groups"]} if user.is_active else set()
    return {role.label for role in user.roles}


def directorate_of(review: GatewayReview) -> int | None:
    subject = review.project or review.contract
    return subject.directorate_id if subject is not None else None


def in_scope(person: User, role: str, step: ReviewStep, directorate_id: int | None) -> bool:
    """Whether ``person`` may act in ``role`` at ``step`` for this directorate: a scoped role
    acts for the person's own directorate, and a Lead Member's also for their portfolio."""
    if role not in step.scoped_roles:
        return True
    if role == Role.LEAD_MEMBER.label:
        return directorate_id in person.answers_for
    return directorate_id is not None and directorate_id == person.directorate_id


def covers(delegation: Delegation, role: str, *, on: date) -> bool:
    return role in delegation.roles and delegation.is_active(today=on)


def authorities(
    user: User,
    review: GatewayReview,
    step: ReviewStep,
    *,
    delegations: Iterable[Delegation],
    on: date,
) -> list[Authority]:
    """Every way ``user`` may act at ``step`` by role and scope: in their own right first, then
    for each colleague who delegated one of the step's roles to them (``delegations``: those
    received, with their delegators). Who has already acted is the caller's to rule out."""
    held = held_roles(user)
    directorate = directorate_of(review)
    found = [
        Authority(role)
        for role in step.roles
        if role in held and in_scope(user, role, step, directorate)
    ]
    for delegation in delegations:
        if delegation.delegate_id != user.pk:
            continue
        delegator = delegation.delegator
        for role in step.roles:
            if (
                covers(delegation, role, on=on)
                and role in held
                and role in held_roles(delegator)
                and in_scope(delegator, role, step, directorate)
            ):
                found.append(Authority(role, delegator))
    return found


def acted_in_round(review: GatewayReview) -> dict[int, set[int]]:
    """Who has acted on the report in this round, themselves or through a delegate, with the
    steps each acted at (from the steps and decisions as prefetched, or read now)."""
    people: dict[int, set[int]] = {}
    for step in review.steps.all():
        for decision in step.decisions.all():
            if decision.round == review.round:
                people.setdefault(decision.decided_by_id, set()).add(step.pk)
                if decision.on_behalf_of_id:
                    people.setdefault(decision.on_behalf_of_id, set()).add(step.pk)
    return people


AUTHOR_NEVER_DECIDES = "You wrote this report, so you cannot decide on it."
ACTED_AT_ANOTHER_STEP = (
    "You have already acted on this report at another step, so you cannot act at this one."
)
ACTED_AT_THIS_STEP = "You have already acted at this step."


def duty_conflict(review: GatewayReview, step: ReviewStep, people: set[int]) -> str:
    """Why segregation of duties stops ``people`` (who acts, and anyone they act for) acting at
    ``step``: the author never decides, and nobody acts twice in a round. Blank where it
    does not."""
    if review.author_id in people:
        return AUTHOR_NEVER_DECIDES
    acted = acted_in_round(review)
    steps = set().union(*(acted.get(person, set()) for person in people))
    if steps - {step.pk}:
        return ACTED_AT_ANOTHER_STEP
    if step.pk in steps:
        return ACTED_AT_THIS_STEP
    return ""


def commented_roles(review: GatewayReview, step: ReviewStep) -> set[str]:
    """The roles that have commented at ``step`` in this round: each comments once."""
    return {
        d.role for d in step.decisions.all() if d.round == review.round and d.outcome == "commented"
    }


def authorities_open(
    user: User,
    review: GatewayReview,
    step: ReviewStep | None,
    *,
    delegations: Iterable[Delegation],
    on: date,
) -> list[Authority]:
    """The ways ``user`` may act at ``step`` now: by role and scope, less any that segregation
    of duties rules out (the author, or anyone a second time in the round) and any role that
    has already commented at a consultation."""
    if step is None or review.state != GatewayReview.State.IN_REVIEW:
        return []
    if duty_conflict(review, step, {user.pk}):
        return []
    commented = commented_roles(review, step)
    return [
        authority
        for authority in authorities(user, review, step, delegations=delegations, on=on)
        if authority.role not in commented
        and (
            authority.on_behalf_of is None
            or not duty_conflict(review, step, {user.pk, authority.on_behalf_of.pk})
        )
    ]


def may_act_at(
    user: User,
    review: GatewayReview,
    step: ReviewStep | None = None,
    *,
    delegations: Iterable[Delegation] | None = None,
    on: date | None = None,
) -> bool:
    """The rule of who may act at a step now (``step``: the report's current one unless
    given), which the pages, the API, the notifications and the services all apply."""
    on = on or timezone.localdate()
    step = step or current_step(review)
    if delegations is None:
        delegations = delegations_active(delegate=user, on=on)
    return bool(authorities_open(user, review, step, delegations=delegations, on=on))


def refusal(user: User, review: GatewayReview, step: ReviewStep) -> str:
    """Why ``user`` holds no authority at ``step`` by role or scope, in plain words."""
    held = held_roles(user)
    directorate_id = directorate_of(review)
    out_of_scope = [
        role
        for role in step.roles
        if role in held and not in_scope(user, role, step, directorate_id)
    ]
    if not out_of_scope:
        return f"You cannot act at this step: it is for {' or '.join(step.roles)}."
    subject = review.project or review.contract
    return (
        f"This is a procurement of {subject.directorate}: as {out_of_scope[0].lower()} you act "
        "at this step only for your own directorate or portfolio."
    )


def delegated_away(
    user: User, step: ReviewStep, *, given: Iterable[Delegation], on: date
) -> Delegation | None:
    """The delegation by which ``user`` has handed every role they hold at ``step`` to a
    colleague today: they are then not asked to decide, as their delegate is."""
    roles = [role for role in step.roles if role in held_roles(user)]
    if not roles:
        return None
    for delegation in given:
        if delegation.delegator_id == user.pk and all(
            covers(delegation, role, on=on) for role in roles
        ):
            return delegation
    return None


def is_asked(
    user: User,
    review: GatewayReview,
    step: ReviewStep | None,
    *,
    received: Iterable[Delegation],
    given: Iterable[Delegation],
    on: date,
) -> bool:
    """Whether ``user`` is asked to decide at ``step`` (emailed, listed as awaiting them): they
    may act there, for a delegator or in their own right, and have not delegated their own role
    there to a colleague for now."""
    found = authorities_open(user, review, step, delegations=received, on=on)
    if any(authority.on_behalf_of is not None for authority in found):
        return True
    return bool(found) and delegated_away(user, step, given=given, on=on) is None
