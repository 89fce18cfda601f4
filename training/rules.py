"""Who sees and keeps the training records.

- The central team (business partners and the head of procurement) and administrators keep the
  courses and record attendance; auditors and the council's leadership read the programme and
  the list of people due or overdue.
- The rules that make a course a condition of managing a contract or deciding at a gateway are
  policy: the head of procurement or an administrator sets and switches them.
- Everyone reads their own training record; the central team, administrators, auditors and the
  leadership read anyone's.
"""

import rules

from procurement.roles import Role
from procurement.rules import has_role, is_administrator, is_auditor, is_central_team, is_leadership

is_head_of_procurement = has_role(Role.HEAD_OF_PROCUREMENT)


@rules.predicate
def is_themselves(user, person) -> bool:
    return person is not None and getattr(person, "pk", person) == user.pk


reads_programme = is_central_team | is_administrator | is_auditor | is_leadership

rules.add_perm("training.view_programme", reads_programme)
# The menu's section for those who read the programme, but administrators: their bar under the
# menu is full (they reach it from their home page's links).
rules.add_perm("training.programme_in_navigation", reads_programme & ~is_administrator)
rules.add_perm("training.manage_courses", is_central_team | is_administrator)
rules.add_perm("training.record_attendance", is_central_team | is_administrator)
rules.add_perm("training.set_rules", is_head_of_procurement | is_administrator)
rules.add_perm("training.view_record", reads_programme | is_themselves)
