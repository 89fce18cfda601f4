"""Each health check keeps the sooner date it is due by should its supplier be, or become,
strategic or the holder of a key contract: the checks recorded before are given it from their
date (six months on, the interval the thresholds set for them)."""

from django.db import migrations, models

from contracts.lead_times import add_months

KEY_MONTHS = 6  # procurement/thresholds.py HEALTH_CHECK_MONTHS_KEY when this was written


def sooner_dates(apps, schema_editor):
    for name in ("SupplierHealthCheck", "HistoricalSupplierHealthCheck"):
        model = apps.get_model("performance", name)
        for row in model.objects.all().only("pk", "checked_on", "next_due"):
            row.next_due_if_key = min(add_months(row.checked_on, KEY_MONTHS), row.next_due)
            row.save(update_fields=["next_due_if_key"])


class Migration(migrations.Migration):
    dependencies = [("performance", "0005_supplier_health_checks")]

    operations = [
        migrations.AddField(
            model_name="historicalsupplierhealthcheck",
            name="next_due_if_key",
            field=models.DateField(
                null=True, verbose_name="next check due if strategic or holding a key contract"
            ),
        ),
        migrations.AddField(
            model_name="supplierhealthcheck",
            name="next_due_if_key",
            field=models.DateField(
                null=True, verbose_name="next check due if strategic or holding a key contract"
            ),
        ),
        migrations.RunPython(sooner_dates, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="historicalsupplierhealthcheck",
            name="next_due_if_key",
            field=models.DateField(
                verbose_name="next check due if strategic or holding a key contract"
            ),
        ),
        migrations.AlterField(
            model_name="supplierhealthcheck",
            name="next_due_if_key",
            field=models.DateField(
                verbose_name="next check due if strategic or holding a key contract"
            ),
        ),
        migrations.AddConstraint(
            model_name="supplierhealthcheck",
            constraint=models.CheckConstraint(
                condition=models.Q(("next_due_if_key__gt", models.F("checked_on")))
                & models.Q(("next_due_if_key__lte", models.F("next_due"))),
                name="health_check_sooner_due_between",
            ),
        ),
    ]
