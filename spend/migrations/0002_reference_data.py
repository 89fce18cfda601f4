"""The spend thresholds the contract procedure rules use, a few exempt categories and the
council's spend settings, as defaults an administrator may change."""

from decimal import Decimal

from django.db import migrations

THRESHOLDS = [
    ("5000", "£5,000: quotations needed"),
    ("30000", "£30,000: Procurement Act notifiable (below-threshold notices)"),
    ("100000", "£100,000: key decision and Gateway route"),
    ("207720", "£207,720: Procurement Act threshold (goods and services, sub-central)"),
]
EXEMPT = [
    ("Court and tribunal fees", "Fees set by the courts."),
    ("Payments to other public bodies", "Precepts, levies and payments between authorities."),
    ("Individual care packages (direct payments)", "Payments made to or for a person."),
    ("Utilities under national agreements", "Energy and water bought through a national body."),
]


def add(apps, schema_editor):
    SpendThreshold = apps.get_model("spend", "SpendThreshold")
    ExemptCategory = apps.get_model("spend", "ExemptCategory")
    SpendSettings = apps.get_model("spend", "SpendSettings")
    for amount, label in THRESHOLDS:
        SpendThreshold.objects.get_or_create(amount=Decimal(amount), defaults={"label": label})
    for name, description in EXEMPT:
        ExemptCategory.objects.get_or_create(name=name, defaults={"description": description})
    if not SpendSettings.objects.exists():
        SpendSettings.objects.create()


class Migration(migrations.Migration):
    dependencies = [("spend", "0001_initial")]

    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
