"""Load the Procurement Act 2023's figures as reference data administrators keep up to date.

Thresholds (values including VAT, sub-central authorities):
- from 1 January 2024 (the Public Procurement (Agreement on Government Procurement) (Thresholds)
  (Amendment) Regulations 2023, carried into the Act on 24 February 2025): goods and services
  £214,904, works £5,372,609, light-touch services £663,540;
- from 1 January 2026: goods and services £207,720, works £5,193,000, light-touch services
  £663,540.
Below-threshold contract notices from £30,000 including VAT ("not less than"), from 1 January 2024.
Change limits (sections 74 and 75), from 24 February 2025: 10% of the value of goods or services,
15% of works, either way; 10% of the maximum term provided for at award.
Categories: works for those named as works, light-touch for care and support services.
"""

from datetime import date
from decimal import Decimal

from django.db import migrations
from django.utils import timezone

REASON = "Loaded at installation from the Procurement Act 2023 and its regulations."

THRESHOLDS = [
    ("goods_services", date(2024, 1, 1), Decimal("214904.00")),
    ("works", date(2024, 1, 1), Decimal("5372609.00")),
    ("light_touch", date(2024, 1, 1), Decimal("663540.00")),
    ("below_threshold_notice", date(2024, 1, 1), Decimal("30000.00")),
    ("goods_services", date(2026, 1, 1), Decimal("207720.00")),
    ("works", date(2026, 1, 1), Decimal("5193000.00")),
    ("light_touch", date(2026, 1, 1), Decimal("663540.00")),
]
ACT_IN_FORCE = date(2025, 2, 24)
LIMITS = [
    ("value", ACT_IN_FORCE, Decimal("10")),
    ("works_value", ACT_IN_FORCE, Decimal("15")),
    ("term", ACT_IN_FORCE, Decimal("10")),
]
LIGHT_TOUCH_CATEGORIES = ["Care and support services"]


def record(apps, obj, history_type: str = "+") -> None:
    """Give a row loaded or changed here its history entry, so the audit trail is whole."""
    historical = apps.get_model("procurement", f"Historical{obj.__class__.__name__}")
    values = {field.attname: getattr(obj, field.attname) for field in obj._meta.concrete_fields}
    historical.objects.create(
        **values,
        history_date=timezone.now(),
        history_type=history_type,
        history_change_reason=REASON,
    )


def load(apps, schema_editor):
    Threshold = apps.get_model("procurement", "Threshold")
    ChangeLimit = apps.get_model("procurement", "ChangeLimit")
    Category = apps.get_model("procurement", "ContractCategory")
    for kind, since, value in THRESHOLDS:
        record(
            apps,
            Threshold.objects.create(kind=kind, effective_from=since, value_including_vat=value),
        )
    for kind, since, percent in LIMITS:
        record(apps, ChangeLimit.objects.create(kind=kind, effective_from=since, percent=percent))
    for category in Category.objects.all():
        if "works" in category.name.lower():
            category.threshold_kind = "works"
        elif category.name in LIGHT_TOUCH_CATEGORIES:
            category.threshold_kind = "light_touch"
        else:
            continue
        category.save()
        record(apps, category, "~")


def unload(apps, schema_editor):
    for name in ("Threshold", "ChangeLimit", "HistoricalThreshold", "HistoricalChangeLimit"):
        apps.get_model("procurement", name).objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("procurement", "0015_act_reference_data")]

    operations = [migrations.RunPython(load, unload)]
