"""The Head of Paid Service and the Chief Finance Officer as roles (Cotswold §4): they review and
sign the quarterly performance report. The names are the labels of procurement.roles.Role."""

from django.db import migrations

ROLE_NAMES = ["Head of Paid Service", "Chief Finance Officer"]


def create_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ROLE_NAMES:
        Group.objects.get_or_create(name=name)


def remove_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.filter(name__in=ROLE_NAMES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("assurance", "0001_initial"),
        ("procurement", "0002_roles"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
