"""Who sees and does what in the maturity self-assessment.

- Every council role reads the framework, the agreed results of each assessment and the action
  plans; the framework is also published to everyone as JSON, for other councils to reuse.
- The central team (business partners and the head of procurement) runs assessments: it asks
  officers to take part, agrees the consolidated and target levels, and closes the assessment.
- A participant scores an open assessment. Participants' own scores and evidence are seen by
  the central team, auditors and the participants of that assessment.
- The central team writes action plans; an action's owner (or the central team) records its
  progress.
"""

import rules

from procurement.rules import has_any_role, is_auditor, is_central_team


@rules.predicate
def takes_part(user, assessment) -> bool:
    return assessment is not None and any(
        participant.user_id == user.pk for participant in assessment.participants.all()
    )


@rules.predicate
def is_open(user, assessment) -> bool:
    return assessment is not None and assessment.is_open


@rules.predicate
def owns_action(user, item) -> bool:
    return item is not None and item.owner_id == user.pk


rules.add_perm("maturity.view_maturity", has_any_role)
rules.add_perm("maturity.manage_assessment", is_central_team)
rules.add_perm("maturity.score_assessment", takes_part & is_open)
rules.add_perm("maturity.view_scores", is_central_team | is_auditor | takes_part)
rules.add_perm("maturity.manage_plans", is_central_team)
rules.add_perm("maturity.update_action", owns_action | is_central_team)
