"""Delegations made before a delegation named its roles handed over every role the two people
shared: they keep exactly those, so no delegate gains or loses anything at the upgrade."""

from django.db import migrations


def name_the_roles(apps, schema_editor):
    Delegation = apps.get_model("gateways", "Delegation")
    for delegation in Delegation.objects.select_related("delegator", "delegate"):
        if delegation.roles:
            continue
        given = set(delegation.delegator.groups.values_list("name", flat=True))
        held = set(delegation.delegate.groups.values_list("name", flat=True))
        delegation.roles = sorted(given & held)
        delegation.save(update_fields=["roles"])


class Migration(migrations.Migration):
    dependencies = [("gateways", "0007_real_value_scope_and_delegated_roles")]

    operations = [migrations.RunPython(name_the_roles, migrations.RunPython.noop)]
