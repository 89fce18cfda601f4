"""Who may read and change the register (issue: officers edit their directorate's contracts)."""

import rules
from django.db.models import Q

from procurement.roles import Role
from procurement.rules import (
    has_any_role,
    has_role,
    is_administrator,
    is_auditor,
    is_central_team,
    is_leadership,
)

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


# --- Supplier resilience (seed 000 §8d): continuity and exit plans, health checks --------------


@rules.predicate
def is_contracts_manager(user, contract) -> bool:
    return contract is not None and user.pk is not None and contract.contract_manager_id == user.pk


@rules.predicate
def manages_a_contract_of(user, supplier) -> bool:
    """``user`` is the contract manager of one of ``supplier``'s contracts (one query)."""
    if supplier is None or user.pk is None:
        return False
    return supplier.contracts.filter(contract_manager_id=user.pk).exists()


@rules.predicate
def works_with(user, supplier) -> bool:
    """``user`` manages or directs one of ``supplier``'s contracts, or is an officer of the
    directorate of one (one query)."""
    if supplier is None or user.pk is None:
        return False
    mine = Q(contract_manager_id=user.pk) | Q(lead_director_id=user.pk)
    if is_officer(user) and user.directorate_id is not None:
        mine |= Q(directorate_id=user.directorate_id)
    return supplier.contracts.filter(mine).exists()


is_resilience_reader = is_central_team | is_auditor | is_leadership
# A key contract's plans: those who keep the contract, and its contract manager.
rules.add_perm(
    "contracts.record_contract_plan",
    edits_everything | is_contracts_manager | (is_officer & in_contracts_directorate),
)
# A supplier's plans and health checks: the central team and the managers of its contracts.
rules.add_perm("contracts.record_supplier_resilience", is_central_team | manages_a_contract_of)
rules.add_perm("contracts.view_supplier_resilience", is_resilience_reader | works_with)
