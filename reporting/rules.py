"""Who reads the dashboards and the annual report, and who builds it: Lead Members, the
leadership (executive directors and the officer board) and the central team read; auditors
read, as they read everything; the central team builds new versions."""

import rules

from procurement.roles import Role
from procurement.rules import has_role, is_auditor, is_central_team, is_leadership

rules.add_perm("reporting.view_dashboard", is_leadership | is_central_team | is_auditor)
rules.add_perm("reporting.view_annual_reports", is_leadership | is_central_team | is_auditor)
rules.add_perm("reporting.build_annual_report", is_central_team)
# The strategy (RBKC §8) has the head of procurement publish the report to the public.
rules.add_perm("reporting.publish_annual_report", has_role(Role.HEAD_OF_PROCUREMENT))
rules.add_perm("reporting.publish_social_value_review", has_role(Role.HEAD_OF_PROCUREMENT))
