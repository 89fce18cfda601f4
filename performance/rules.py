"""Who sees which tier of performance reporting, and who records it (Cotswold §4: the right level
of detail for each audience).

- The contract's managers (its contract manager, officers of its directorate, the central team)
  see and record full detail; its lead director and auditors read it.
- The central team sees the portfolio: every contract's latest rating and open exceptions.
- Lead members and leadership see a summary of key contracts and strategic suppliers.
- An exception is closed by its accountable officer (the lead director) or the central team.
"""

import rules

from contracts.rules import edits_everything, in_contracts_directorate, is_officer
from procurement.roles import Role
from procurement.rules import (
    has_role,
    is_administrator,
    is_auditor,
    is_central_team,
    is_leadership,
)


@rules.predicate
def is_contract_manager(user, contract) -> bool:
    return contract is not None and user.pk is not None and contract.contract_manager_id == user.pk


@rules.predicate
def is_lead_director(user, contract) -> bool:
    return contract is not None and user.pk is not None and contract.lead_director_id == user.pk


@rules.predicate
def is_accountable_officer(user, exception) -> bool:
    return (
        exception is not None
        and user.pk is not None
        and exception.accountable_officer_id == user.pk
    )


manages_contract = edits_everything | is_contract_manager | (is_officer & in_contracts_directorate)

rules.add_perm("performance.view_contract", manages_contract | is_lead_director | is_auditor)
rules.add_perm("performance.manage_contract", manages_contract)
rules.add_perm("performance.close_exception", is_accountable_officer | is_central_team)
rules.add_perm("performance.view_portfolio", is_central_team | is_administrator | is_auditor)
rules.add_perm("performance.view_key_contracts", is_leadership | is_central_team | is_auditor)
# The central team reaches key contracts from the portfolio; leadership from the navigation.
rules.add_perm("performance.key_contracts_in_navigation", is_leadership & ~is_central_team)
# Contract managers and officers reach their own contracts' performance from the navigation;
# those who read the whole portfolio reach it instead.
rules.add_perm(
    "performance.mine_in_navigation",
    has_role(Role.CONTRACT_MANAGER, Role.PROCUREMENT_OFFICER)
    & ~(is_central_team | is_administrator | is_auditor),
)
# The risk held with each supplier: the head of procurement and auditors for the council, a
# business partner for their directorates (performance/supplier_views.py).
rules.add_perm(
    "performance.view_supplier_risk",
    has_role(Role.HEAD_OF_PROCUREMENT, Role.BUSINESS_PARTNER) | is_auditor,
)
