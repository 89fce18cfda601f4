"""The roles people hold. Each role is a Django group, created by a migration (the Head of Paid
Service and the Chief Finance Officer by assurance/migrations/0002_roles.py).

The group's name is the role's label; code refers to roles only through this enum.
"""

from django.db import models


class Role(models.TextChoices):
    PROCUREMENT_OFFICER = "procurement_officer", "Procurement officer"
    CONTRACT_MANAGER = "contract_manager", "Contract manager"
    BUSINESS_PARTNER = "business_partner", "Business partner"
    HEAD_OF_PROCUREMENT = "head_of_procurement", "Head of procurement"
    CONSULTEE_LEGAL = "consultee_legal", "Statutory consultee (legal)"
    CONSULTEE_FINANCE = "consultee_finance", "Statutory consultee (finance)"
    CONSULTEE_COMMUNICATIONS = "consultee_communications", "Statutory consultee (communications)"
    EXECUTIVE_DIRECTOR = "executive_director", "Executive director"
    OFFICER_BOARD_MEMBER = "officer_board_member", "Officer board member"
    LEAD_MEMBER = "lead_member", "Lead member"
    LEADERSHIP_TEAM = "leadership_team", "Leadership Team"
    # The statutory officers who give the council its quarterly assurance (Cotswold §4).
    HEAD_OF_PAID_SERVICE = "head_of_paid_service", "Head of Paid Service"
    CHIEF_FINANCE_OFFICER = "chief_finance_officer", "Chief Finance Officer"
    AUDITOR = "auditor", "Auditor"
    ADMINISTRATOR = "administrator", "Administrator"

    @classmethod
    def from_group_name(cls, name: str) -> "Role | None":
        for role in cls:
            if role.label == name:
                return role
        return None


STATUTORY_CONSULTEES = (Role.CONSULTEE_LEGAL, Role.CONSULTEE_FINANCE, Role.CONSULTEE_COMMUNICATIONS)
CENTRAL_TEAM = (Role.BUSINESS_PARTNER, Role.HEAD_OF_PROCUREMENT)
# Bodies that decide together at a meeting: acting in one of these roles records the meeting's
# date and its minute (RBKC §7: the Officer Board recommends; the Leadership Team decides Tier B).
COLLECTIVE_ROLES = (Role.OFFICER_BOARD_MEMBER, Role.LEADERSHIP_TEAM)
