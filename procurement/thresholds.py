"""Every money figure and percentage the rules turn on, in one place, each with its source.

The approval tiers themselves (£100k, £1.5m, the routes) are policy held as data in the approval
policy (decision record 0008). What is here are the fixed figures the council's rules and the law
name: a rule compares against these names and a message is written from them, so that a figure
changes in one place. ``tests/test_money_literals.py`` (run by ``make lint``) fails when a money
figure is written anywhere else in the apps' code.
"""

from decimal import Decimal

# --- The council's contract procedure rules (DESIGN §2.1, §2.2) ----------------------------------

# Every contract, purchase order or agreement over £5,000 is on the register.
REGISTER_ABOVE = Decimal("5000.00")

# Contracts over £50,000 name a contract manager and a lead director (Kent CPR R24).
NAMED_OFFICERS_ABOVE = Decimal("50000.00")

# Over £100,000 social value carries at least 10% of the evaluation (DESIGN §2.3).
SOCIAL_VALUE_ABOVE = Decimal("100000.00")
SOCIAL_VALUE_MINIMUM_PERCENT = 10

# Key contracts: over £1.5m (or rated high risk) are managed as key contracts (DESIGN §2.2).
KEY_CONTRACT_ABOVE = Decimal("1500000.00")

# --- The Procurement Act 2023 and its regulations ------------------------------------------------

# Contract details notices for contracts over £30,000 (section 53; regulation 34).
CONTRACT_DETAILS_ABOVE = Decimal("30000.00")

# A pipeline notice for procurements over £2m planned in the next 18 months (section 93).
PIPELINE_ABOVE = Decimal("2000000.00")

# Over £5m a contract names at least three KPIs and is rated on them at least once a year
# (sections 52 and 71).
KPIS_ABOVE = Decimal("5000000.00")
KPIS_REQUIRED = 3

# A change notice for a modification that adds more than 10% to the original value (15% for works)
# or more than 10% to the original term (sections 74 and 75).
CHANGE_VALUE_PERCENT = Decimal("10")
CHANGE_WORKS_VALUE_PERCENT = Decimal("15")
CHANGE_TERM_PERCENT = Decimal("10")


def pounds(amount: Decimal | int) -> str:
    """A threshold as a message writes it: £5,000, £1,500,000."""
    return f"£{Decimal(amount):,.0f}"


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
