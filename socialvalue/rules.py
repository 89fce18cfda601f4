"""Who sees and records social value.

- Everyone with a council role reads the measure libraries, the portfolio and each contract's
  committed versus delivered figures; the central team and administrators load libraries.
- The supplier's evidence behind a return is seen only by those who manage the contract, its lead
  director and auditors (the same tier as the contract's performance detail), never the public.
- The contract's managers record commitments and returns; the contract manager (or the central
  team) verifies or queries a return, but never one they recorded themselves.
"""

import rules

from performance.rules import is_contract_manager, is_lead_director, manages_contract
from procurement.rules import has_any_role, is_administrator, is_auditor, is_central_team


@rules.predicate
def recorded_it(user, delivery_return) -> bool:
    return delivery_return is not None and delivery_return.recorded_by_id == user.pk


@rules.predicate
def manages_returns_contract(user, delivery_return) -> bool:
    return delivery_return is not None and is_contract_manager(
        user, delivery_return.commitment.contract
    )


rules.add_perm("socialvalue.view_social_value", has_any_role)
rules.add_perm("socialvalue.manage_library", is_central_team | is_administrator)
rules.add_perm("socialvalue.view_evidence", manages_contract | is_lead_director | is_auditor)
rules.add_perm("socialvalue.manage_contract", manages_contract)
rules.add_perm(
    "socialvalue.verify_return", (manages_returns_contract | is_central_team) & ~recorded_it
)
