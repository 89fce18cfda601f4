"""Who reassigns a departed manager's contracts. The ledger's own permissions are the shared
core's (``procurement.view_notifications``, ``procurement.manage_notifications``)."""

import rules

from contracts.rules import is_officer
from procurement.roles import Role
from procurement.rules import has_any_role, has_role, is_administrator, is_auditor, is_central_team

# Everyone with a role reads the alerts sent to them.
rules.add_perm("alerts.view_own", has_any_role)
# Officers reassign their own directorate's contracts; the central team and administrators any.
rules.add_perm("alerts.reassign_contracts", is_officer | is_central_team | is_administrator)
# The escalations' lists: those who receive the digests, and auditors.
rules.add_perm(
    "alerts.view_escalations",
    is_central_team | is_administrator | is_auditor | has_role(Role.EXECUTIVE_DIRECTOR),
)
