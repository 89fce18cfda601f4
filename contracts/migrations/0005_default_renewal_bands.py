"""The default renewal lead times by value band (DESIGN §2.6), for administrators to edit."""

from decimal import Decimal

from django.db import migrations
from django.utils import timezone

DEFAULTS = [
    ("Over £1.5m", Decimal("1500000.00"), "18, 12, 6"),
    ("Over £100k up to £1.5m", Decimal("100000.00"), "9, 6, 3"),
    ("Up to £100k", Decimal("0.00"), "3, 1"),
]
REASON = "Default lead times from the procurement strategy (DESIGN §2.6)."


def load(apps, schema_editor):
    band = apps.get_model("contracts", "RenewalBand")
    history = apps.get_model("contracts", "HistoricalRenewalBand")
    for name, above, months in DEFAULTS:
        if band.objects.filter(value_above=above).exists():
            continue
        row = band.objects.create(name=name, value_above=above, lead_months=months)
        history.objects.create(
            id=row.pk,
            name=name,
            value_above=above,
            lead_months=months,
            history_date=timezone.now(),
            history_type="+",
            history_change_reason=REASON,
        )


class Migration(migrations.Migration):
    dependencies = [("contracts", "0004_renewal_bands_and_ending")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
