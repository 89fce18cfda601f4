from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("contracts", "0012_full_text_search"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="contract",
            index=models.Index(fields=["start_date", "id"], name="contract_start_date_id"),
        ),
    ]
