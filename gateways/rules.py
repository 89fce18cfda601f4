"""Who may plan procurements and start their gateway reports. Decisions at a step are checked by
the services (gateways/services.py), against the roles the review's route names."""

import rules

from contracts.rules import edits_everything, is_officer
from procurement.rules import has_any_role, is_central_team


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
