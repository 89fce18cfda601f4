"""Who compiles, reviews and signs the quarter's performance report (Cotswold §4).

- The central team compiles it, submits it, answers challenges and resubmits it.
- The Head of Paid Service reviews it, may challenge it, and signs the statement of assurance;
  the Chief Finance Officer reviews it, may challenge it, and signs its financial figures.
- Nobody signs or challenges a report they compiled or submitted (segregation of duties), even
  if they also hold a reviewer's role.
- A signed quarter is re-opened for a correction by the Head of Paid Service or the head of
  procurement, with the reason kept.
- The central team, the two statutory officers and auditors read every report; members and the
  leadership read a quarter once it has been signed (as the dashboard shows it), and while
  it is re-opened to be corrected.
"""

import rules

from procurement.roles import Role
from procurement.rules import has_role, is_auditor, is_central_team, is_leadership

is_head_of_paid_service = has_role(Role.HEAD_OF_PAID_SERVICE)
is_chief_finance_officer = has_role(Role.CHIEF_FINANCE_OFFICER)
is_reviewer = is_head_of_paid_service | is_chief_finance_officer


@rules.predicate
def is_not_compiler(user, report) -> bool:
    """Not a person who compiled or submitted this version of ``report``."""
    if report is None or user.pk is None:
        return False
    return user.pk not in report.prepared_by()


@rules.predicate
def was_signed(user, report) -> bool:
    """Signed off, or signed off and re-opened to be corrected (its signatures kept)."""
    return report is not None and (report.is_signed or report.version > 1)


reads_every_report = is_central_team | is_reviewer | is_auditor

rules.add_perm("assurance.view_reports", reads_every_report)
rules.add_perm("assurance.view_report", reads_every_report | (is_leadership & was_signed))
rules.add_perm("assurance.compile_report", is_central_team)
rules.add_perm("assurance.submit_report", is_central_team)
rules.add_perm("assurance.challenge_report", is_reviewer & is_not_compiler)
rules.add_perm("assurance.sign_finance", is_chief_finance_officer & is_not_compiler)
rules.add_perm("assurance.sign_off_report", is_head_of_paid_service & is_not_compiler)
rules.add_perm(
    "assurance.reopen_report", is_head_of_paid_service | has_role(Role.HEAD_OF_PROCUREMENT)
)
