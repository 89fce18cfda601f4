"""The Leadership Team as a role, and the gateway policies corrected to the seed's table.

RBKC §7: Tier B is approved by the Lead Member or the Leadership Team, and Tier A is signed off by
the Executive Director (of the procurement's directorate) in consultation with the Lead Member.
The policy loaded at installation, and any copy made of it since, named only the Lead Member at
Tier B and let any executive director or lead member act for any directorate. This corrects every
policy's decision steps: the Leadership Team joins a decision the Lead Member takes, and the
executive director's and lead member's decisions are limited to their own directorate or
portfolio. It is a correction of a control, not a change of policy: each change is kept in the
policy step's history with the reason. (Reports already submitted gain the same limits:
gateways/migrations/0008.)
"""

from django.db import migrations
from django.utils import timezone

LEADERSHIP_TEAM = "Leadership Team"
EXECUTIVE_DIRECTOR = "Executive director"
LEAD_MEMBER = "Lead member"
REASON = (
    "Corrected to the council's gateway table (RBKC §7): the Leadership Team may decide Tier B, "
    "and executive directors and lead members decide for their own directorate or portfolio."
)


def record_changed(apps, step) -> None:
    """A history entry for the step as it now is, its roles and scoped roles included."""
    Historical = apps.get_model("procurement", "HistoricalPolicyStep")
    values = {field.attname: getattr(step, field.attname) for field in step._meta.concrete_fields}
    record = Historical.objects.create(
        **values, history_date=timezone.now(), history_type="~", history_change_reason=REASON
    )
    for name in ("roles", "scoped_roles"):
        Historical = apps.get_model("procurement", f"HistoricalPolicyStep_{name}")
        for row in getattr(step, name).through.objects.filter(policystep=step):
            Historical.objects.create(
                id=row.pk, history=record, policystep_id=step.pk, group_id=row.group_id
            )


def correct(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Step = apps.get_model("procurement", "PolicyStep")
    leadership, _ = Group.objects.get_or_create(name=LEADERSHIP_TEAM)
    groups = {group.name: group for group in Group.objects.all()}
    for step in Step.objects.filter(kind="decision").order_by("pk"):
        names = set(step.roles.values_list("name", flat=True))
        if EXECUTIVE_DIRECTOR in names:
            step.scoped_roles.add(groups[EXECUTIVE_DIRECTOR])
        if LEAD_MEMBER in names:
            step.roles.add(leadership)
            step.scoped_roles.add(groups[LEAD_MEMBER])
        if names & {EXECUTIVE_DIRECTOR, LEAD_MEMBER}:
            record_changed(apps, step)


class Migration(migrations.Migration):
    dependencies = [("procurement", "0009_approval_scope_and_leadership_team")]

    operations = [migrations.RunPython(correct, migrations.RunPython.noop)]
