"""Create the roles as Django groups. The names are the labels of procurement.roles.Role."""

from django.db import migrations

ROLE_NAMES = [
    "Procurement officer",
    "Contract manager",
    "Business partner",
    "Head of procurement",
    "Statutory consultee (legal)",
    "Statutory consultee (finance)",
    "Statutory consultee (communications)",
    "Executive director",
    "Officer board member",
    "Lead member",
    "Auditor",
    "Administrator",
]


def create_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ROLE_NAMES:
        Group.objects.get_or_create(name=name)


def remove_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ROLE_NAMES:
        Group.objects.filter(name=name).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("procurement", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
