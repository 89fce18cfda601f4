from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("contracts", "0011_rolling_contracts"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="contract",
            index=models.Index(fields=["start_date", "id"], name="contract_start_date_id"),
        ),
    ]
