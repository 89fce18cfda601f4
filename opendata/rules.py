"""Who reads the Procurement Act notices list and who records a published notice."""

import rules

from procurement.rules import is_administrator, is_auditor, is_central_team

rules.add_perm("opendata.view_notices", is_central_team | is_administrator | is_auditor)
rules.add_perm("opendata.record_notices", is_central_team)
