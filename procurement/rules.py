"""Who may do what: named predicates combined into permissions (STYLE.md, "Permissions").

Views ask ``user.has_perm(...)`` through the access middleware (procurement/access.py); later apps
add their own predicates in their own ``rules.py`` and build on these.
"""

import rules

from .roles import CENTRAL_TEAM, Role


def has_role(*wanted: Role) -> rules.Predicate:
    """A predicate true for an active user holding any of ``wanted``."""
    names = "_or_".join(role.value for role in wanted)

    @rules.predicate(name=f"has_role_{names}")
    def predicate(user) -> bool:
        return bool(getattr(user, "roles", frozenset()) & set(wanted))

    return predicate


@rules.predicate
def has_any_role(user) -> bool:
    return bool(getattr(user, "roles", frozenset()))


is_administrator = has_role(Role.ADMINISTRATOR)
is_auditor = has_role(Role.AUDITOR)
is_central_team = has_role(*CENTRAL_TEAM)
# Members and senior officers who read the summaries: dashboards, key contracts, the annual report.
# The statutory officers who sign the quarter's assurance read what they sign it on.
is_leadership = has_role(
    Role.LEAD_MEMBER,
    Role.LEADERSHIP_TEAM,
    Role.EXECUTIVE_DIRECTOR,
    Role.OFFICER_BOARD_MEMBER,
    Role.HEAD_OF_PAID_SERVICE,
    Role.CHIEF_FINANCE_OFFICER,
)

# Signed in with at least one role: the home page, reference data and routing rules.
rules.add_perm("procurement.use_service", has_any_role)
# A personal API token acts with its owner's roles, so anyone with a role may make one.
rules.add_perm("procurement.use_api", has_any_role)
rules.add_perm("procurement.view_reference_data", has_any_role)
# The Django admin and everything it edits (users, roles, reference data) are for administrators.
rules.add_perm("procurement.access_admin", is_administrator)
rules.add_perm("procurement.manage_directorates", is_administrator)
# The Council Plan's themes that strategies address: the head of procurement keeps them.
is_head_of_procurement = has_role(Role.HEAD_OF_PROCUREMENT)
rules.add_perm("procurement.manage_plan_themes", is_head_of_procurement | is_administrator)
# The CPV 2008 list every contract's and procurement's code is checked against.
rules.add_perm("procurement.load_cpv_codes", is_administrator)
# A saved import mapping reads every later file that fits it: changing one is the central team's.
rules.add_perm("procurement.change_import_mapping", is_central_team | is_administrator)
# The notification ledger: administrators run it; auditors read it, as they read everything.
rules.add_perm("procurement.view_notifications", is_administrator | is_auditor)
rules.add_perm("procurement.manage_notifications", is_administrator)
# The audit trail of each person: their account's history and everything they changed.
rules.add_perm("procurement.view_audit_trail", is_administrator | is_auditor)
