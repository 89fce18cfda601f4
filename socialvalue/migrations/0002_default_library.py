"""Load the default measure library: the council's own social value goals and measures.

Taken from the Key Social Value Goals of Worcestershire County Council's Corporate Procurement
Strategy 2022-2025 (§5.4): each goal is a theme, each way of pursuing it an outcome, each
"Measure -" line a measure. "Spend retained within Worcestershire" reads "within the council's
area" so that any council may use it. Proxy values are left blank for the council to set (or to
load a licensed national set beside it): no licensed values or texts are part of this product.
"""

from django.db import migrations
from django.utils import timezone

NAME = "Council social value measures"
VERSION = "1"
SOURCE = (
    "Worcestershire County Council, Corporate Procurement Strategy 2022-2025, section 5.4: "
    "Key Social Value Goals"
)
LICENCE = "The council's own measures. Proxy values are blank until the council sets them."
REASON = "Loaded at installation from the council's procurement strategy (social value goals)."

# theme, [(outcome, [(code, measure, unit)])]
LIBRARY = [
    (
        "Unlocking community capacity through supporting more people to be active within their "
        "communities",
        [
            (
                "Building the capacity of local voluntary and community organisations and "
                "schools through the provision of resources and expertise",
                [
                    (
                        "LSV1",
                        "Number of local voluntary and community organisations and schools "
                        "supported",
                        "organisations and schools",
                    )
                ],
            ),
            (
                "Supporting the crowd funding of projects initiated by local people",
                [
                    ("LSV2", "Number of crowd-funded projects contributed to", "projects"),
                    ("LSV3", "Value of contributions to crowd-funded projects", "£"),
                ],
            ),
            (
                "Creating opportunities for staff to volunteer",
                [("LSV4", "Number of hours of volunteering undertaken", "hours")],
            ),
        ],
    ),
    (
        "Developing and growing a skilled workforce",
        [
            (
                "Creating training opportunities and apprenticeships for local people",
                [
                    (
                        "LSV5",
                        "Number of local people enrolled in training and apprenticeships",
                        "people",
                    )
                ],
            ),
        ],
    ),
    (
        "Improving outcomes for vulnerable and disadvantaged learners including care leavers",
        [
            (
                "Providing support and work experience, opportunities, and apprenticeships",
                [("LSV6", "Number of young people supported", "young people")],
            ),
        ],
    ),
    (
        "Encouraging the use of the local economy",
        [
            (
                "Having a preference to buy locally on the condition that a suitable supplier "
                "exists and that this provides value for money",
                [
                    (
                        "LSV7",
                        "Spend retained within the council's area through contracts and second "
                        "tier subcontracts with local suppliers",
                        "£",
                    )
                ],
            ),
        ],
    ),
    (
        "Protecting the local environment",
        [
            (
                "Performing contracts in an environmentally responsible way by reducing waste "
                "and energy usage",
                [
                    (
                        "LSV8",
                        "Number of contracts that deliver positive environmental impacts",
                        "contracts",
                    )
                ],
            ),
        ],
    ),
]


def record_created(apps, obj) -> None:
    """Give a row loaded here its first history entry, so the audit trail starts at installation."""
    historical = apps.get_model("socialvalue", f"Historical{obj.__class__.__name__}")
    values = {field.attname: getattr(obj, field.attname) for field in obj._meta.concrete_fields}
    historical.objects.create(
        **values, history_date=timezone.now(), history_type="+", history_change_reason=REASON
    )


def load(apps, schema_editor):
    Library = apps.get_model("socialvalue", "MeasureLibrary")
    Theme = apps.get_model("socialvalue", "Theme")
    Outcome = apps.get_model("socialvalue", "Outcome")
    Measure = apps.get_model("socialvalue", "Measure")
    library = Library.objects.create(name=NAME, version=VERSION, source=SOURCE, licence=LICENCE)
    record_created(apps, library)
    order = 0
    for theme_order, (theme_name, outcomes) in enumerate(LIBRARY, start=1):
        theme = Theme.objects.create(library=library, name=theme_name, order=theme_order)
        record_created(apps, theme)
        for outcome_order, (outcome_name, measures) in enumerate(outcomes, start=1):
            outcome = Outcome.objects.create(theme=theme, name=outcome_name, order=outcome_order)
            record_created(apps, outcome)
            for code, description, unit in measures:
                order += 1
                measure = Measure.objects.create(
                    library=library,
                    outcome=outcome,
                    code=code,
                    description=description,
                    unit=unit,
                    order=order,
                )
                record_created(apps, measure)


class Migration(migrations.Migration):
    dependencies = [("socialvalue", "0001_library_commitments_returns")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
