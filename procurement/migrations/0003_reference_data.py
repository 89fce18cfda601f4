"""Load the default contract categories and the gateway approval policy.

Categories and weights: DESIGN §2.3 (RBKC strategy §4a; Worcestershire §5.4 minimum 10% social value).
Policy: DESIGN §2.1 (RBKC Commissioning and Procurement Strategy 2020, §7, the gateway table):
  Tier A, over £100k up to £1.5m: Business Partner / Head of Procurement review (may refer to the
  Officer Board), sign-off by the Executive Director in consultation with the Lead Member.
  Tier B, over £1.5m: Officer Board review and recommendation to the Lead Member / Leadership Team.
Both are data an administrator can change (a new policy with a later effective date).
"""

from datetime import date
from decimal import Decimal

from django.db import migrations
from django.utils import timezone

CATEGORIES = [
    # name, description, quality, price, social value
    (
        "Care and support services",
        "Adult social care, children's services, supported living and other care.",
        60,
        25,
        15,
    ),
    (
        "Professional and business services",
        "Consultancy, legal, financial, ICT and other services to the council.",
        50,
        40,
        10,
    ),
    (
        "Works and construction",
        "Building, highways, repairs and maintenance works.",
        40,
        50,
        10,
    ),
    (
        "Goods and commodities",
        "Supplies, equipment, vehicles, energy and other goods.",
        30,
        60,
        10,
    ),
]

BUSINESS_PARTNER = "Business partner"
HEAD_OF_PROCUREMENT = "Head of procurement"
EXECUTIVE_DIRECTOR = "Executive director"
LEAD_MEMBER = "Lead member"
OFFICER_BOARD = "Officer board member"
CONSULTEES = [
    "Statutory consultee (legal)",
    "Statutory consultee (finance)",
    "Statutory consultee (communications)",
]
REASON = "Loaded at installation from the council's procurement strategy (gateway table)."


def record_created(apps, obj) -> None:
    """Give a row loaded here its first history entry, so the audit trail starts at installation."""
    historical = apps.get_model("procurement", f"Historical{obj.__class__.__name__}")
    values = {field.attname: getattr(obj, field.attname) for field in obj._meta.concrete_fields}
    historical.objects.create(
        **values, history_date=timezone.now(), history_type="+", history_change_reason=REASON
    )


def load(apps, schema_editor):
    Category = apps.get_model("procurement", "ContractCategory")
    Policy = apps.get_model("procurement", "ApprovalPolicy")
    Tier = apps.get_model("procurement", "PolicyTier")
    Gateway = apps.get_model("procurement", "PolicyGateway")
    Step = apps.get_model("procurement", "PolicyStep")
    Group = apps.get_model("auth", "Group")
    groups = {group.name: group for group in Group.objects.all()}

    for name, description, quality, price, social_value in CATEGORIES:
        category, created = Category.objects.get_or_create(
            name=name,
            defaults={
                "description": description,
                "quality_weight": quality,
                "price_weight": price,
                "social_value_weight": social_value,
            },
        )
        if created:
            record_created(apps, category)

    if Policy.objects.exists():
        return
    policy = Policy.objects.create(
        name="Gateway approval policy",
        effective_from=date(2020, 9, 1),
        gateway_threshold=Decimal("100000.00"),
        notes=(
            "Gateways 0 to 3 routed by whole-life contract value, including extension options. "
            "At or below £100,000 no gateway is required (officer delegation under the Contract "
            "Regulations)."
        ),
    )
    tier_a = Tier.objects.create(
        policy=policy,
        code="A",
        name="Over £100k up to £1.5m",
        value_above=Decimal("100000.00"),
        value_up_to=Decimal("1500000.00"),
    )
    tier_b = Tier.objects.create(
        policy=policy,
        code="B",
        name="Over £1.5m",
        value_above=Decimal("1500000.00"),
        value_up_to=None,
    )
    for row in (policy, tier_a, tier_b):
        record_created(apps, row)
    for tier, g0_condition in ((tier_a, "high_value_or_complex"), (tier_b, "core_service")):
        for stage, condition in (
            ("G0", g0_condition),
            ("G1", "always"),
            ("G2", "always"),
            ("G3", "extension_or_key_review"),
        ):
            record_created(
                apps, Gateway.objects.create(tier=tier, stage=stage, condition=condition)
            )

    def step(tier, order, name, kind, roles, **extra):
        created = Step.objects.create(tier=tier, order=order, name=name, kind=kind, **extra)
        created.roles.set([groups[role] for role in roles])
        record_created(apps, created)

    step(
        tier_a,
        1,
        "Business partner or head of procurement review",
        "check",
        [BUSINESS_PARTNER, HEAD_OF_PROCUREMENT],
        may_refer_to=tier_b,
    )
    step(
        tier_a,
        2,
        "Executive director sign-off in consultation with the lead member",
        "decision",
        [EXECUTIVE_DIRECTOR],
        consult_role=groups[LEAD_MEMBER],
    )
    step(
        tier_b,
        1,
        "Business partner or head of procurement check",
        "check",
        [BUSINESS_PARTNER, HEAD_OF_PROCUREMENT],
    )
    step(tier_b, 2, "Comments from the statutory consultees", "consultation", CONSULTEES)
    step(
        tier_b,
        3,
        "Officer Board review and recommendation",
        "recommendation",
        [OFFICER_BOARD],
        records_meeting=True,
    )
    step(
        tier_b,
        4,
        "Lead member or Leadership Team decision",
        "decision",
        [LEAD_MEMBER],
        records_key_decision=True,
    )


class Migration(migrations.Migration):
    dependencies = [("procurement", "0002_roles")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
