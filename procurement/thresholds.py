"""Every money figure and percentage the rules turn on, in one place, each with its source.

The approval tiers themselves (£100k, £1.5m, the routes) are policy held as data in the approval
policy (decision record 0008). What is here are the fixed figures the council's rules and the law
name: a rule compares against these names and a message is written from them, so that a figure
changes in one place. ``tests/test_money_literals.py`` (run by ``make lint``) fails when a money
figure is written anywhere else in the apps' code.
"""

from decimal import Decimal

from procurement.numbers import money

# --- The council's contract procedure rules (DESIGN §2.1, §2.2) ----------------------------------

# Every contract, purchase order or agreement over £5,000 is on the register.
REGISTER_ABOVE = Decimal("5000.00")

# Contracts over £50,000 name a contract manager and a lead director (Kent CPR R24).
NAMED_OFFICERS_ABOVE = Decimal("50000.00")

# Over £100,000 social value carries at least 10% of the evaluation (DESIGN §2.3).
SOCIAL_VALUE_ABOVE = Decimal("100000.00")
SOCIAL_VALUE_MINIMUM_PERCENT = 10

# Training the policy can make a condition (decision record 0056): by default, of managing a
# contract or deciding at a gateway over £100,000, where the gateways begin (RBKC §7, §8b).
TRAINING_REQUIRED_ABOVE = Decimal("100000.00")

# Key contracts: over £1.5m (or rated high risk) are managed as key contracts (DESIGN §2.2).
KEY_CONTRACT_ABOVE = Decimal("1500000.00")

# Suppliers' business health (seed 000 §8d) is checked every 12 months; a strategic supplier, or
# one holding a key contract (over KEY_CONTRACT_ABOVE), every 6 months.
HEALTH_CHECK_MONTHS = 12
HEALTH_CHECK_MONTHS_KEY = 6

# A continuity or exit plan counts as current until its next review, which is at most 3 years
# ahead (decision record 0057), so no plan stays current for ever without being looked at again.
PLAN_REVIEW_MONTHS = 36

# --- The Procurement Act 2023 and its regulations ------------------------------------------------

# The Act's thresholds (with their dates), the below-threshold notice figure and the limits on
# changes are reference data an administrator edits (``procurement.Threshold`` and
# ``procurement.ChangeLimit``, decision record 0050). What stays here is fixed in the Act itself.

# A pipeline notice is published by a council that expects to pay more than £100m under public
# contracts in the financial year (``procurement.PipelineYear``), and it names the procurements
# over £2m it expects to begin in the 18 months from the start of that year (section 93).
PIPELINE_SPEND_ABOVE = Decimal("100000000.00")
PIPELINE_ABOVE = Decimal("2000000.00")

# Over £5m a contract names at least three KPIs and is rated on them at least once a year
# (sections 52 and 71).
KPIS_ABOVE = Decimal("5000000.00")
KPIS_REQUIRED = 3

# Every value the Act compares is the value including VAT. Where a contract or a procurement does
# not record its VAT, the standard rate is assumed, so that a notice is never missed for want of
# it (decision record 0050).
VAT_STANDARD_RATE_PERCENT = Decimal("20")


def pounds(amount: Decimal | int) -> str:
    """A threshold as a message writes it: £5,000, £1,500,000."""
    return money(amount, 0)


def pounds_short(amount: Decimal | int) -> str:
    """A threshold as a heading writes it: £5,000, £50,000, £1.5m, £5m."""
    amount = Decimal(amount)
    if amount >= 1_000_000:
        millions = (amount / 1_000_000).normalize()
        return f"£{millions:f}m"
    return pounds(amount)


def pounds_words(amount: Decimal | int) -> str:
    """A threshold as a sentence writes it: £50,000, £1.5 million, £5 million."""
    amount = Decimal(amount)
    if amount >= 1_000_000:
        return f"{pounds_short(amount)[:-1]} million"
    return pounds(amount)


# --- The public forward plan (RBKC strategy §8a, Kent R11 and R12) -------------------------------

# A published procurement is shown over this estimated whole-life value unless the council sets
# its own figure (``FORWARD_PLAN_PUBLISH_ABOVE`` in the environment): over £100,000 a procurement
# needs a gateway approval, so it is planned far enough ahead to tell suppliers.
FORWARD_PLAN_PUBLISH_ABOVE = Decimal("100000.00")
# The edges of the value bands the public forward plan shows instead of the estimate.
FORWARD_PLAN_BANDS = (
    Decimal("250000.00"),
    Decimal("500000.00"),
    Decimal("1000000.00"),
    Decimal("5000000.00"),
    Decimal("10000000.00"),
)


def forward_plan_publish_above() -> Decimal:
    """The value over which a published procurement is on the public forward plan: the council's
    own (``FORWARD_PLAN_PUBLISH_ABOVE``) or £100,000."""
    from django.conf import settings

    given = getattr(settings, "FORWARD_PLAN_PUBLISH_ABOVE", "")
    return Decimal(given) if given else FORWARD_PLAN_PUBLISH_ABOVE


def value_band(value: Decimal, *, above: Decimal) -> str:
    """The band the public sees instead of an estimate over ``above``: "£250,000 to £500,000"."""
    lower = above
    for edge in FORWARD_PLAN_BANDS:
        if edge <= lower:
            continue
        if value <= edge:
            return f"{pounds_short(lower)} to {pounds_short(edge)}"
        lower = edge
    return f"Over {pounds_short(lower)}"
