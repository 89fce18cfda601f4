"""Who may plan procurements, start and change gateway reports, and decide on them, and the
exceptions an approver must accept. Each rule is one predicate here, which the services, the
selectors, the pages, the forms, the API and the state machine's transitions all call. Who may act
at a step by role, scope and delegation is worked out in ``gateways.authority``."""

import rules

from contracts.rules import edits_everything, is_officer
from procurement.roles import STATUTORY_CONSULTEES, Role
from procurement.rules import has_any_role, has_role, is_central_team

from .authority import may_act_at


@rules.predicate
def in_projects_directorate(user, project) -> bool:
    if project is None:
        return False
    return user.directorate_id is not None and user.directorate_id == project.directorate_id


rules.add_perm("gateways.view_forward_plan", has_any_role)
rules.add_perm("gateways.add_project", is_officer | edits_everything)
may_change_project = edits_everything | (is_officer & in_projects_directorate)
rules.add_perm("gateways.change_project", may_change_project)


# --- Evaluation -------------------------------------------------------------------------------
# Bids and evaluators' own scores are for the panel (once each member has declared no conflict of
# interest) and the central team until the award; after it, for anyone with a role (the audit
# trail). The moderated scores behind a ranking go to the approvers with the Gateway 2 report.


@rules.predicate
def is_cleared_evaluator(user, project) -> bool:
    if project is None or not getattr(user, "pk", None):
        return False
    return project.evaluators.filter(user=user, declaration="no_conflict").exists()


@rules.predicate
def is_awarded(user, project) -> bool:
    if project is None:
        return False
    return project.reviews.filter(stage="G2", state="approved").exists()


rules.add_perm("gateways.manage_panel", may_change_project)
rules.add_perm(
    "gateways.view_bids", is_central_team | is_cleared_evaluator | (has_any_role & is_awarded)
)
rules.add_perm("gateways.record_bids", is_central_team | is_cleared_evaluator)
rules.add_perm("gateways.score_bids", is_cleared_evaluator)
rules.add_perm("gateways.moderate_bids", is_central_team | is_cleared_evaluator)


# --- Reading reports ----------------------------------------------------------------------------
# A draft is the author's work in progress: besides the author, the officers of its directorate,
# the central team, administrators and auditors read it. Once submitted, anyone with a role.


@rules.predicate
def is_draft(user, review) -> bool:
    return review is not None and review.state == "draft"


@rules.predicate
def is_author(user, review) -> bool:
    return review is not None and review.author_id == user.pk


@rules.predicate
def in_reviews_directorate(user, review) -> bool:
    if review is None or user.directorate_id is None:
        return False
    owner = review.project or review.contract
    return owner is not None and owner.directorate_id == user.directorate_id


# --- Delegating gateway approvals -------------------------------------------------------------


def may_delegate_for(user, delegator_id: int | None) -> bool:
    """Whether ``user`` gives or ends the delegations of the colleague ``delegator_id``: that
    colleague, or an administrator."""
    return delegator_id is not None and (
        user.pk == delegator_id or user.has_perm("procurement.access_admin")
    )


# --- Changing a report --------------------------------------------------------------------------
# Only its author changes a report, and only while it is a draft or has been returned; the author
# withdraws it at any time until it is decided. One predicate each, called by the services, the
# views, the forms and the API alike.

EDITABLE_STATES = frozenset({"draft", "returned"})
WITHDRAWABLE_STATES = frozenset({"draft", "in_review", "returned"})


@rules.predicate
def is_editable(user, review) -> bool:
    return review is not None and review.state in EDITABLE_STATES


@rules.predicate
def is_withdrawable(user, review) -> bool:
    return review is not None and review.state in WITHDRAWABLE_STATES


@rules.predicate
def is_gateway_1(user, review) -> bool:
    return review is not None and review.stage == "G1"


may_edit_report = is_author & is_editable
may_withdraw_report = is_author & is_withdrawable
may_change_weighting = may_edit_report & is_gateway_1
rules.add_perm("gateways.edit_report", may_edit_report)
rules.add_perm("gateways.withdraw_report", may_withdraw_report)
rules.add_perm("gateways.change_weighting", may_change_weighting)


# --- Deciding at a step ---------------------------------------------------------------------
# Who may act at the report's current step now: a holder of the step's role in scope (or their
# delegate), never the author, and nobody twice in a round (``gateways.authority.may_act_at``).


@rules.predicate
def may_decide(user, review) -> bool:
    return review is not None and bool(getattr(user, "pk", None)) and may_act_at(user, review)


rules.add_perm("gateways.decide_review", may_decide)


# --- The exceptions an approver accepts ----------------------------------------------------
# A Gateway 1 weighting social value below the minimum (where the minimum applies), and a route
# without competition at Gateway 1 or 2, go ahead only with a recorded justification that the
# approver at the decision step accepts explicitly.

DIRECT_AWARD_STAGES = frozenset({"G1", "G2"})


def is_direct_award(review) -> bool:
    """Whether the report proposes (or follows) a route without competition."""
    return review.stage in DIRECT_AWARD_STAGES and review.without_competition


def needs_social_value_exception(review, step) -> bool:
    """Whether approving ``review`` at ``step`` accepts social value weighted below the minimum."""
    return (
        review is not None
        and step.kind == "decision"
        and review.stage == "G1"
        and review.social_value_below_minimum
    )


def needs_direct_award_exception(review, step) -> bool:
    """Whether approving ``review`` at ``step`` accepts a route without competition."""
    return review is not None and step.kind == "decision" and is_direct_award(review)


rules.add_perm(
    "gateways.view_review",
    has_any_role
    & (
        ~is_draft
        | is_author
        | (is_officer & in_reviews_directorate)
        | is_central_team
        | has_role(Role.ADMINISTRATOR, Role.AUDITOR)
    ),
)


@rules.predicate
def only_reads(user) -> bool:
    """Auditors read everything and act on nothing."""
    roles = getattr(user, "roles", frozenset())
    return bool(roles) and roles <= {Role.AUDITOR}


# Acting on a report (submitting, deciding): the services then check the step's roles, the
# author and delegation. Auditors never act.
rules.add_perm("gateways.act_on_reviews", has_any_role & ~only_reads)


# The navigation's "Awaiting my decision" item: for the roles a gateway route asks to review,
# comment or decide (whoever else is asked, a delegate, finds the reports on their home page).
is_approver = has_role(
    Role.BUSINESS_PARTNER,
    Role.HEAD_OF_PROCUREMENT,
    *STATUTORY_CONSULTEES,
    Role.EXECUTIVE_DIRECTOR,
    Role.OFFICER_BOARD_MEMBER,
    Role.LEAD_MEMBER,
    Role.LEADERSHIP_TEAM,
)
rules.add_perm("gateways.awaiting_in_navigation", is_approver)
