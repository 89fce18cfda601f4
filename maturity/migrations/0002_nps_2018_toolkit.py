"""Load the National Procurement Strategy 2018 toolkit as the maturity framework.

The framework file is parsed from the toolkit's text by ``python -m scripts.parse_nps_toolkit`` and
committed; this loads it as it stands, so every installation has the same framework.
"""

import json
from pathlib import Path

from django.db import migrations

FILE = Path(__file__).resolve().parent.parent / "data" / "nps-2018-toolkit.json"
SLUG = "nps-2018"
SOURCE = (
    "Local Government Association, National Procurement Strategy 2018: Delivering the ambition, "
    "Toolkit (draft)"
)
LEVELS = ("minimum", "developing", "mature", "leader", "innovator")


def load(apps, schema_editor):
    framework_model = apps.get_model("maturity", "Framework")
    theme_model = apps.get_model("maturity", "Theme")
    key_area_model = apps.get_model("maturity", "KeyArea")
    behaviour_model = apps.get_model("maturity", "Behaviour")
    data = json.loads(FILE.read_text(encoding="utf-8"))
    framework = framework_model.objects.create(
        slug=SLUG, title=data["title"], introduction=data["introduction"], source=SOURCE
    )
    for theme_data in data["themes"]:
        theme = theme_model.objects.create(
            framework=framework, number=theme_data["number"], name=theme_data["name"]
        )
        for area_data in theme_data["key_areas"]:
            area = key_area_model.objects.create(
                theme=theme,
                number=area_data["number"],
                name=area_data["name"],
                description=area_data["description"],
                help=area_data["help"],
                notes="\n".join(area_data["notes"]),
                **{level: area_data["principle"][level] for level in LEVELS},
            )
            for number, behaviour_data in enumerate(area_data["behaviours"], start=1):
                behaviour_model.objects.create(
                    key_area=area,
                    code=behaviour_data["code"],
                    number=number,
                    name=behaviour_data["name"],
                    **{level: behaviour_data["descriptors"][level] for level in LEVELS},
                )


def unload(apps, schema_editor):
    framework_model = apps.get_model("maturity", "Framework")
    for model in ("Behaviour", "KeyArea", "Theme"):
        filters = {
            "Behaviour": "key_area__theme__framework__slug",
            "KeyArea": "theme__framework__slug",
            "Theme": "framework__slug",
        }[model]
        apps.get_model("maturity", model).objects.filter(**{filters: SLUG}).delete()
    framework_model.objects.filter(slug=SLUG).delete()


class Migration(migrations.Migration):
    dependencies = [("maturity", "0001_framework_assessments_action_plans")]

    operations = [migrations.RunPython(load, unload)]
