"""Who may plan procurements and start their gateway reports. Decisions at a step are checked by
the services (gateways/services.py), against the roles the review's route names."""

import rules

from contracts.rules import edits_everything, is_officer
from procurement.rules import has_any_role


@rules.predicate
def in_projects_directorate(user, project) -> bool:
    if project is None:
        return False
    return user.directorate_id is not None and user.directorate_id == project.directorate_id


rules.add_perm("gateways.view_forward_plan", has_any_role)
rules.add_perm("gateways.add_project", is_officer | edits_everything)
rules.add_perm("gateways.change_project", edits_everything | (is_officer & in_projects_directorate))
