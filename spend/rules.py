"""Who sees and does what with the council's payments.

- The central team (business partners and the head of procurement), procurement officers,
  auditors and the council's leadership read the spend lists: spend with no contract, contracts
  running past their value, aggregation and payment performance. Administrators read them too.
- The central team and administrators import payment files and keep the finance systems
  (sources) they come from; changing a saved mapping is the central team's.
- The central team and procurement officers work the review queue: confirm a payee's supplier
  and choose a payment's contract. An officer does so for their own directorate's payments only.
- The central team explains spend with no contract (a grant, a statutory payment, an exempt
  category, a waiver).
- A contract's Spend tab is read by whoever may read the contract's page.
"""

import rules

from procurement.roles import Role
from procurement.rules import has_role, is_administrator, is_auditor, is_central_team, is_leadership

is_officer = has_role(Role.PROCUREMENT_OFFICER)


@rules.predicate
def in_own_directorate(user, directorate) -> bool:
    """For an officer: the payments' directorate is their own (no object: the queue itself)."""
    if directorate is None:
        return True
    return getattr(directorate, "pk", directorate) == user.directorate_id


rules.add_perm(
    "spend.view_spend",
    is_central_team | is_officer | is_auditor | is_leadership | is_administrator,
)
rules.add_perm("spend.import_payments", is_central_team | is_administrator)
rules.add_perm("spend.manage_sources", is_central_team | is_administrator)
rules.add_perm("spend.review_matches", is_central_team | (is_officer & in_own_directorate))
rules.add_perm("spend.explain_spend", is_central_team)
