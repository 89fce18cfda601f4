"""Two corrections at the upgrade that brought step scope and delegated roles, each kept in the
history with its reason.

- Delegations made before a delegation named its roles handed over every role the two people
  shared: they keep exactly those, so no delegate gains or loses anything.
- Reports not yet decided took their steps from the policy before its decision steps were limited
  to the procurement's directorate (procurement/migrations/0010): their steps gain the same
  limits, read from the policy step they were copied from, so the control holds for them too.
"""

from django.db import migrations
from django.utils import timezone

DELEGATION_REASON = "Upgrade: the delegation names the roles it always handed over"
SCOPE_REASON = (
    "Upgrade: the step is limited to the procurement's directorate, as its policy now says"
)
OPEN_STATES = ["draft", "in_review", "returned"]


def _record(apps, model_name: str, obj, reason: str) -> None:
    Historical = apps.get_model("gateways", f"Historical{model_name}")
    values = {field.attname: getattr(obj, field.attname) for field in obj._meta.concrete_fields}
    Historical.objects.create(
        **values, history_date=timezone.now(), history_type="~", history_change_reason=reason
    )


def name_the_roles(apps, schema_editor):
    Delegation = apps.get_model("gateways", "Delegation")
    for delegation in Delegation.objects.select_related("delegator", "delegate"):
        if delegation.roles:
            continue
        given = set(delegation.delegator.groups.values_list("name", flat=True))
        held = set(delegation.delegate.groups.values_list("name", flat=True))
        delegation.roles = sorted(given & held)
        delegation.save(update_fields=["roles"])
        _record(apps, "Delegation", delegation, DELEGATION_REASON)


def scope_the_open_steps(apps, schema_editor):
    ReviewStep = apps.get_model("gateways", "ReviewStep")
    PolicyStep = apps.get_model("procurement", "PolicyStep")
    steps = ReviewStep.objects.filter(
        review__state__in=OPEN_STATES, review__policy__isnull=False, is_active=True
    ).select_related("review")
    for step in steps:
        source = PolicyStep.objects.filter(
            tier__policy_id=step.review.policy_id, name=step.name, kind=step.kind
        ).first()
        if source is None:
            continue
        scoped = sorted(source.scoped_roles.values_list("name", flat=True))
        scoped = [role for role in scoped if role in step.roles]
        if scoped and scoped != step.scoped_roles:
            step.scoped_roles = scoped
            step.save(update_fields=["scoped_roles"])
            _record(apps, "ReviewStep", step, SCOPE_REASON)


class Migration(migrations.Migration):
    dependencies = [
        ("gateways", "0007_real_value_scope_and_delegated_roles"),
        ("procurement", "0010_leadership_team_and_step_scope"),
    ]

    operations = [
        migrations.RunPython(name_the_roles, migrations.RunPython.noop),
        migrations.RunPython(scope_the_open_steps, migrations.RunPython.noop),
    ]
