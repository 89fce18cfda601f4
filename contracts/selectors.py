"""Reads of the register, shared by pages, exports, the API, reports and tasks."""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    Exists,
    Expression,
    F,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Concat

from procurement import cpv
from procurement.selectors import approval_policy_in_force
from procurement.thresholds import (
    KEY_CONTRACT_ABOVE,
    NAMED_OFFICERS_ABOVE,
    REGISTER_ABOVE,
    SOCIAL_VALUE_ABOVE,
    pounds,
    pounds_short,
)

from .lead_times import add_months, band_condition, bands
from .models import Contract, ResiliencePlan, Supplier


def inside_lead_time(
    *,
    today: date,
    in_force=None,
    slack_days: int = 0,
    field: str = "end_date",
    shortest: bool = False,
) -> Q:
    """Contracts ending within the longest lead time of their value band (plus ``slack_days``);
    or with ``field="review_date"``, due for review within it; or within the shortest."""
    in_force = in_force or bands()
    condition = Q()
    for band in in_force:
        in_band = band_condition(band, in_force)
        months = band.lead_months[-1] if shortest else band.longest
        latest = add_months(today, months) + timedelta(days=slack_days)
        condition |= in_band & Q(**{f"{field}__lte": latest})
    return condition


def rolling_review_due_condition(*, today: date, in_force=None, slack_days: int = 0) -> Q:
    """Rolling contracts (no end date) whose review date, which decides their future as an end
    date would, falls from ``today`` to the longest lead time of their band."""
    return Q(end_date__isnull=True, review_date__gte=today) & inside_lead_time(
        today=today, in_force=in_force, slack_days=slack_days, field="review_date"
    )


def _status_rules(*, today: date) -> list[tuple[str, Q]]:
    """Each status and the condition that gives it, in order: the first that holds wins."""
    expiring = inside_lead_time(today=today)
    status = Contract.Status
    return [
        (status.TERMINATED, Q(terminated_on__isnull=False, terminated_on__lte=today)),
        (status.NOT_STARTED, Q(start_date__gt=today)),
        (status.EXPIRED, Q(end_date__lt=today)),
        (status.EXPIRING, expiring),
        (status.EXTENDED, Q(extensions_used__gt=0)),
        (status.ACTIVE, Q()),
    ]


def status_expression(*, today: date) -> Case:
    """A contract's status on ``today``, worked out in the database so it can be shown."""
    rules = _status_rules(today=today)
    return Case(
        *(When(condition, then=Value(status)) for status, condition in rules[:-1]),
        default=Value(rules[-1][0]),
        output_field=CharField(),
    )


def status_condition(status: str, *, today: date) -> Q:
    """The contracts whose status on ``today`` is ``status``, as plain conditions on their
    columns (so the database can use its indexes), from the same rules as the expression."""
    condition = Q()
    for name, rule in _status_rules(today=today):
        if name == status:
            return condition & rule
        if rule:
            # Terminated needs both parts; "not terminated" is either missing or later.
            condition &= (
                ~rule
                if name != Contract.Status.TERMINATED
                else (Q(terminated_on__isnull=True) | Q(terminated_on__gt=today))
            )
    return Q(pk__in=[])


def running_condition(*, today: date) -> Q:
    """The contracts running on ``today``: started, not past their end (rolling contracts have
    none), not terminated (active, expiring or extended)."""
    return (
        Q(start_date__lte=today)
        & not_ended_condition(today=today)
        & (Q(terminated_on__isnull=True) | Q(terminated_on__gt=today))
    )


def not_ended_condition(*, today: date) -> Q:
    """Contracts whose end date has not passed on ``today``, rolling contracts among them."""
    return Q(end_date__gte=today) | Q(end_date__isnull=True)


def unmanaged_condition(*, today: date) -> Q:
    """Contracts over £50,000, not yet ended or terminated on ``today``, with no contract manager
    or one who has left (Kent R24)."""
    return current_over_named_officers_threshold(today=today) & (
        Q(contract_manager__isnull=True) | Q(contract_manager__is_active=False)
    )


def current_over_named_officers_threshold(*, today: date) -> Q:
    """Contracts over £50,000 not yet ended or terminated on ``today``: those that must name a
    contract manager and a lead director (Kent R24)."""
    return (
        Q(whole_life_value__gt=NAMED_OFFICERS_ABOVE)
        & not_ended_condition(today=today)
        & (Q(terminated_on__isnull=True) | Q(terminated_on__gt=today))
    )


def no_lead_director_condition(*, today: date) -> Q:
    """Contracts over £50,000, not yet ended or terminated, with no lead director (Kent R24)."""
    return current_over_named_officers_threshold(today=today) & Q(lead_director__isnull=True)


def contracts_with_status(*, today: date) -> QuerySet[Contract]:
    """Every contract with its ``status`` on ``today`` and what a register row shows."""
    return Contract.objects.select_related(
        "directorate", "category", "supplier", "contract_manager", "lead_director"
    ).annotate(status=status_expression(today=today))


def contracts_published(*, today: date) -> QuerySet[Contract]:
    """The contracts the council publishes (Transparency Code: over £5,000), by reference."""
    return contracts_register(filters=RegisterFilters(published=True), today=today)


def contract_detail(*, pk: int, today: date) -> Contract:
    return cpv.with_description(
        contracts_with_status(today=today).select_related("directorate__business_partner")
    ).get(pk=pk)


def named_officer_gaps(*, user, today: date) -> dict[str, int]:
    """How many contracts over £50,000, not yet ended, name no contract manager or no lead
    director in the directorates ``user`` is business partner for: the gaps they are asked to
    fill (one query)."""
    gaps = Contract.objects.filter(
        current_over_named_officers_threshold(today=today), directorate__business_partner=user
    ).aggregate(
        no_manager=Count("pk", filter=Q(contract_manager__isnull=True)),
        no_lead_director=Count("pk", filter=Q(lead_director__isnull=True)),
    )
    return {key: count or 0 for key, count in gaps.items()}


@dataclass(frozen=True)
class RegisterFilters:
    search: str = ""
    directorate_id: int | None = None
    category_id: int | None = None
    status: str = ""
    value_band: str = ""
    ending_within_months: int | None = None
    sme: bool = False
    vcse: bool = False
    problem: str = ""
    manager_id: int | None = None
    # Only the directorates this person is business partner for.
    partner_id: int | None = None
    # Only what the council publishes (the public register: over £5,000).
    published: bool = False


Band = tuple[str, Decimal | None, Decimal | None]


def _band(above: Decimal | None, up_to: Decimal | None) -> Band:
    """A value band of the register's filter: its name as people read it, "Over £5,000 up to
    £50,000", and the values it runs between."""
    if above is None:
        return (f"Up to {pounds_short(up_to)}", None, up_to)
    if up_to is None:
        return (f"Over {pounds_short(above)}", above, None)
    return (f"Over {pounds_short(above)} up to {pounds_short(up_to)}", above, up_to)


# The register's value bands run between the figures its rules turn on.
VALUE_BANDS = {
    "up_to_5k": _band(None, REGISTER_ABOVE),
    "5k_to_50k": _band(REGISTER_ABOVE, NAMED_OFFICERS_ABOVE),
    "50k_to_100k": _band(NAMED_OFFICERS_ABOVE, SOCIAL_VALUE_ABOVE),
    "100k_to_1_5m": _band(SOCIAL_VALUE_ABOVE, KEY_CONTRACT_ABOVE),
    "over_1_5m": _band(KEY_CONTRACT_ABOVE, None),
}

# The bands the published register offers: it lists only contracts over £5,000.
PUBLISHED_BANDS = ("5k_to_50k", "50k_to_100k", "100k_to_1_5m", "over_1_5m")

SUPPLIER_IDS_IN_SEARCH = 500

SORTS = {
    "reference": "reference",
    "title": "title",
    "supplier": "supplier__name",
    "value": "whole_life_value",
    "end": "end_date",
}
# Rolling contracts have no end date: by end date they come after every dated one, either way.
NULLS_LAST = {"end_date"}


def key_condition() -> Q:
    """Key contracts (DESIGN §2.2), the one definition: over £1.5m (Tier B) or rated high risk.
    Lead members follow them, the reports count them, and each carries a continuity and an exit
    plan. (How often a supplier's health is checked turns on value alone: see
    ``performance.selectors.holds_key_contract``.)"""
    return Q(whole_life_value__gt=KEY_CONTRACT_ABOVE) | Q(risk_rating=Contract.Risk.HIGH)


def key_words() -> str:
    """Key contracts as pages and reports say it: "over £1.5m or rated high risk"."""
    return f"over {pounds_short(KEY_CONTRACT_ABOVE)} or rated high risk"


def data_quality_problems(*, today: date) -> dict[str, tuple[str, Q]]:
    """Each data-quality problem: its label and the condition that finds it."""
    return {
        "no_manager": ("No contract manager", Q(contract_manager__isnull=True)),
        "no_lead_director": ("No lead director", Q(lead_director__isnull=True)),
        "over_50k_no_manager": (
            f"Over {pounds(NAMED_OFFICERS_ABOVE)} with no contract manager",
            current_over_named_officers_threshold(today=today) & Q(contract_manager__isnull=True),
        ),
        "over_50k_no_lead_director": (
            f"Over {pounds(NAMED_OFFICERS_ABOVE)} with no lead director",
            no_lead_director_condition(today=today),
        ),
        "no_review_date": ("No review date", Q(review_date__isnull=True)),
        "rolling_no_review_date": (
            "Rolling (no end date) with no review date",
            Q(end_date__isnull=True, review_date__isnull=True)
            & (Q(terminated_on__isnull=True) | Q(terminated_on__gt=today)),
        ),
        "no_category": ("No category", Q(category__isnull=True)),
        "past_end": (
            "Running past its end date",
            Q(end_date__lt=today) & (Q(terminated_on__isnull=True) | Q(terminated_on__gt=today)),
        ),
        "key_no_plans": (
            f"Key contract ({key_words()}) without a current continuity and exit plan",
            running_condition(today=today)
            & key_condition()
            & ~plans_current_condition(today=today),
        ),
        "strategic_no_plans": (
            "Strategic supplier without a current continuity and exit plan",
            running_condition(today=today)
            & Q(supplier__is_strategic=True)
            & ~plans_current_condition(today=today, of="supplier"),
        ),
    }


def current_plans(plans: Iterable[ResiliencePlan], today: date) -> dict[str, ResiliencePlan]:
    """The latest plan of each kind not past its review date, from ``plans`` newest first."""
    found: dict[str, ResiliencePlan] = {}
    for plan in plans:
        if plan.review_date >= today and plan.kind not in found:
            found[plan.kind] = plan
    return found


def plans_missing(current: dict[str, ResiliencePlan]) -> list[str]:
    """What a key contract or strategic supplier lacks, as people read it: "No exit plan"."""
    return [
        f"No {label.lower()}" for kind, label in ResiliencePlan.Kind.choices if kind not in current
    ]


@dataclass(frozen=True)
class ContractPlans:
    is_key: bool
    plans: list[ResiliencePlan]
    current: dict[str, ResiliencePlan]

    @property
    def missing(self) -> list[str]:
        """The current plans a key contract lacks (none asked of another contract)."""
        return plans_missing(self.current) if self.is_key else []


def contract_plans(contract: Contract, *, today: date) -> ContractPlans:
    """A contract's continuity and exit plans, newest first, whether it is a key contract and
    which current plan it lacks (two queries)."""
    is_key = Contract.objects.filter(key_condition(), pk=contract.pk).exists()
    plans = list(contract.plans.select_related("uploaded_by"))
    return ContractPlans(is_key, plans, current_plans(plans, today))


def plans_current_condition(*, today: date, of: str = "contract") -> Q:
    """Contracts whose own plans (or, ``of="supplier"``, their supplier's) include a continuity
    plan and an exit plan not past their review date."""
    owner = "pk" if of == "contract" else "supplier_id"
    condition = Q()
    for kind in ResiliencePlan.Kind.values:
        current = ResiliencePlan.objects.filter(
            **{of: OuterRef(owner)}, kind=kind, review_date__gte=today
        )
        condition &= Q(Exists(current))
    return condition


def contracts_register(
    *, filters: RegisterFilters, today: date, sort: str = "reference", descending: bool = False
) -> QuerySet[Contract]:
    """The register filtered and sorted as the register page, its exports and the API ask."""
    contracts = contracts_with_status(today=today)
    if filters.published:
        contracts = contracts.filter(whole_life_value__gt=REGISTER_ABOVE)
    if filters.search:
        contracts = _matching(contracts, filters.search.strip())
    contracts = _filtered(contracts, filters, today=today)
    contracts = _with_problem(contracts, filters.problem, today=today)
    return _sorted(contracts, sort, descending=descending, searched=bool(filters.search))


def _matching(contracts: QuerySet[Contract], term: str) -> QuerySet[Contract]:
    """The contracts whose reference begins with ``term``, or whose title and supplier's name
    have its words, each word as typed or the start of a longer one ("oak" finds "Oakfield"),
    in the order typed. On PostgreSQL this is full-text search of the words the database keeps
    for each contract (contracts/migrations/0012_full_text_search.py) and an index of
    references; elsewhere the reference, title or supplier's name contains ``term``."""
    if connection.vendor == "postgresql":
        condition = Q(reference__istartswith=term)
        words = words_query(term)
        if words:
            condition |= Q(HasWords(words))
        return contracts.filter(condition)
    # Suppliers matching the name, as a list of ids when there are few.
    matching = Supplier.objects.filter(name__icontains=term).values_list("pk", flat=True)
    suppliers = list(matching[: SUPPLIER_IDS_IN_SEARCH + 1])
    if len(suppliers) > SUPPLIER_IDS_IN_SEARCH:
        suppliers = matching
    return contracts.filter(
        Q(reference__icontains=term) | Q(title__icontains=term) | Q(supplier_id__in=suppliers)
    )


def words_query(term: str) -> str:
    """A PostgreSQL text search query for ``term``'s words in the order typed: each word of two
    letters or more is the start of a word ("oak:*"), a single letter a whole word (so "R-"
    finds references, not every word beginning with R); empty when ``term`` has no words."""
    words = re.findall(r"[^\W_]+", term.lower())
    return " <-> ".join(f"{word}:*" if len(word) > 1 else word for word in words)


class HasWords(Expression):
    """Whether a contract's ``search_vector`` (kept by the database, not a model field) matches
    the text search query ``words``: PostgreSQL only."""

    conditional = True
    output_field = BooleanField()

    def __init__(self, words: str, alias: str | None = None):
        super().__init__()
        self.words, self.alias = words, alias

    def resolve_expression(self, query=None, *args, **kwargs):
        resolved = self.copy()
        resolved.alias = query.get_initial_alias()
        return resolved

    def relabeled_clone(self, change_map):
        clone = self.copy()
        clone.alias = change_map.get(self.alias, self.alias)
        return clone

    def as_sql(self, compiler, connection):
        column = f'{compiler.quote_name_unless_alias(self.alias)}."search_vector"'
        return f"{column} @@ to_tsquery('simple', %s)", [self.words]


def _filtered(
    contracts: QuerySet[Contract], filters: RegisterFilters, *, today: date
) -> QuerySet[Contract]:
    """The contracts in the directorate, category, status, value band, end window, manager,
    business partner and supplier kind that ``filters`` name."""
    if filters.directorate_id:
        contracts = contracts.filter(directorate_id=filters.directorate_id)
    if filters.category_id:
        contracts = contracts.filter(category_id=filters.category_id)
    if filters.status:
        contracts = contracts.filter(status_condition(filters.status, today=today))
    if filters.value_band in VALUE_BANDS:
        _, above, up_to = VALUE_BANDS[filters.value_band]
        if above is not None:
            contracts = contracts.filter(whole_life_value__gt=above)
        if up_to is not None:
            contracts = contracts.filter(whole_life_value__lte=up_to)
    if filters.ending_within_months is not None:
        contracts = contracts.filter(
            end_date__gte=today, end_date__lte=add_months(today, filters.ending_within_months)
        )
    if filters.manager_id:
        contracts = contracts.filter(contract_manager_id=filters.manager_id)
    if filters.partner_id:
        contracts = contracts.filter(directorate__business_partner_id=filters.partner_id)
    if filters.sme:
        contracts = contracts.filter(supplier__is_sme=True)
    if filters.vcse:
        contracts = contracts.filter(supplier__is_vcse=True)
    return contracts


def _with_problem(contracts: QuerySet[Contract], problem: str, *, today: date) -> QuerySet:
    """The contracts with the data quality ``problem`` (any of them for "any"; all contracts
    for none)."""
    problems = data_quality_problems(today=today)
    if problem == "any":
        any_problem = Q()
        for _, condition in problems.values():
            any_problem |= condition
        return contracts.filter(any_problem)
    if problem in problems:
        return contracts.filter(problems[problem][1])
    return contracts


def _sorted(contracts: QuerySet[Contract], sort: str, *, descending: bool, searched=False):
    """The contracts in the register's ``sort`` order (empty values last), then by id the
    same way round, so each order, and its reverse, is one of the register's indexes."""
    order = SORTS.get(sort, "reference")
    if order in NULLS_LAST:
        column = F(order)
        return contracts.order_by(
            column.desc(nulls_last=True) if descending else column.asc(nulls_last=True),
            "-pk" if descending else "pk",
        )
    if order == "supplier__name" and searched:
        # The same order, but not the suppliers' index: a search's matches are sorted (they
        # are few), where walking every supplier by name to find them can take most of them.
        column = Concat(F(order), Value(""), output_field=CharField())
        return contracts.order_by(
            column.desc() if descending else column.asc(), "-pk" if descending else "pk"
        )
    if descending:
        return contracts.order_by(f"-{order}", "-pk")
    return contracts.order_by(order, "pk")


def suppliers_matching(*, companies_house_number: str = "", charity_number: str = "") -> QuerySet:
    """Suppliers already registered under either number (used to refuse duplicates)."""
    condition = Q(pk__in=[])
    if companies_house_number:
        condition |= Q(companies_house_number=companies_house_number.strip().upper())
    if charity_number:
        condition |= Q(charity_number=charity_number.strip().upper())
    return Supplier.objects.filter(condition)


def directorates_for_officer(*, user) -> QuerySet:
    """The directorates whose contracts and procurements ``user`` may keep: their own, or all
    for the central team and administrators (the services refuse any other)."""
    from procurement.models import Directorate

    directorates = Directorate.objects.filter(is_active=True)
    if not user.has_perm("contracts.edit_any_directorate"):
        directorates = directorates.filter(pk=user.directorate_id)
    return directorates


def extension_gateway_threshold(contract: Contract, *, on: date) -> Decimal | None:
    """The gateway threshold ``contract`` is over, where its extension is approved at Gateway 3
    (RBKC §7) rather than recorded by hand; ``None`` where it may be recorded."""
    policy = approval_policy_in_force(on=on)
    if policy is None or policy.tier_for(contract.whole_life_value) is None:
        return None
    return policy.gateway_threshold
