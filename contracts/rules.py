"""Who may read and change the register (issue: officers edit their directorate's contracts)."""

import rules

from procurement.roles import Role
from procurement.rules import has_any_role, has_role, is_administrator, is_central_team

is_officer = has_role(Role.PROCUREMENT_OFFICER, Role.CONTRACT_MANAGER)
edits_everything = is_central_team | is_administrator


@rules.predicate
def in_contracts_directorate(user, contract) -> bool:
    if contract is None:
        return False
    return user.directorate_id is not None and user.directorate_id == contract.directorate_id


# Everyone with a role reads the register; lead members and auditors only read it.
rules.add_perm("contracts.view_register", has_any_role)
rules.add_perm("contracts.add_contract", is_officer | edits_everything)
rules.add_perm(
    "contracts.change_contract", edits_everything | (is_officer & in_contracts_directorate)
)
rules.add_perm("contracts.edit_any_directorate", edits_everything)
rules.add_perm("contracts.import_contracts", is_officer | edits_everything)
rules.add_perm("contracts.manage_suppliers", is_officer | edits_everything)
