"""The Leadership Team as a role, and the installed gateway policy corrected to the seed's table.

RBKC §7: Tier B is approved by the Lead Member or the Leadership Team, and Tier A is signed off by
the Executive Director (of the procurement's directorate) in consultation with the Lead Member.
The policy loaded at installation named only the Lead Member at Tier B and let any executive
director or lead member act for any directorate. This corrects that policy, and only that one:
the Leadership Team joins its Tier B decision, and the executive director's and lead member's
decisions are limited to their own directorate or portfolio. Reports already submitted keep the
route they were given. Each change is kept in the policy step's history.
"""

from datetime import date

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
    Policy = apps.get_model("procurement", "ApprovalPolicy")
    leadership, _ = Group.objects.get_or_create(name=LEADERSHIP_TEAM)
    installed = Policy.objects.filter(
        name="Gateway approval policy", effective_from=date(2020, 9, 1)
    ).first()
    if installed is None:
        return
    groups = {group.name: group for group in Group.objects.all()}
    for tier in installed.tiers.all():
        for step in tier.steps.filter(kind="decision"):
            names = set(step.roles.values_list("name", flat=True))
            changed = False
            if EXECUTIVE_DIRECTOR in names:
                step.scoped_roles.add(groups[EXECUTIVE_DIRECTOR])
                changed = True
            if LEAD_MEMBER in names:
                step.roles.add(leadership)
                step.scoped_roles.add(groups[LEAD_MEMBER])
                changed = True
            if changed:
                record_changed(apps, step)


class Migration(migrations.Migration):
    dependencies = [("procurement", "0009_approval_scope_and_leadership_team")]

    operations = [migrations.RunPython(correct, migrations.RunPython.noop)]
