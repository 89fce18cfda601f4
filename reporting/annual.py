"""The figures of the annual Audit & Transparency report (RBKC §8) for a financial year.

``annual_figures`` works out every section from the shared selectors and returns plain data
(strings, whole numbers, lists): that is what a run stores, and what its PDF and HTML page are
drawn from, so a stored version always shows the figures it was built with. Each section has
its raw ``figures`` (for checking), a short narrative, tables of formatted cells and charts.
"""

import re
import statistics
from collections.abc import Callable
from decimal import Decimal
from functools import partial

from django.db.models import Count, Q, Sum
from django.utils import timezone

from assurance.models import SignOff
from assurance.selectors import quarters_of_year
from contracts.models import Contract, Supplier
from contracts.selectors import data_quality_problems, key_condition, key_words, running_condition
from gateways.models import GatewayReview
from gateways.stages import EXTENSION_TESTS, extension_tests_in_a_sentence
from maturity.models import ActionItem
from maturity.selectors import assessment_results
from performance.models import PerformanceReview, SupplierHealthCheck, financial_year_label
from performance.selectors import health_checks_overdue
from procurement.charts import Bar, BarChart
from procurement.dates import long_date, short_date
from procurement.models import GatewayStage
from procurement.numbers import count, counted, figure, money
from procurement.thresholds import (
    KEY_CONTRACT_ABOVE,
    NAMED_OFFICERS_ABOVE,
    SOCIAL_VALUE_MINIMUM_PERCENT,
    pounds,
    pounds_short,
)
from spend.selectors.gaps import contracts_past_counts, no_contract_bands, spend_totals
from spend.selectors.insight import Timing, payment_performance
from training.selectors import programme_delivered

from .charts import chart_data, level, maturity_chart, plan_themes_chart, theme_value_chart
from .selectors import (
    ActionPlanProgress,
    Compliance,
    GatewayDecisions,
    Scope,
    action_plan_progress,
    compliance_in_year,
    contract_counts,
    gateway_decisions,
    key_contract_reviews,
    maturity_assessment,
    plan_themes_in_year,
    planned_by_directorate,
    planned_not_awarded,
    project_counts,
    review_counts,
    savings_in_year,
    savings_totals,
    share,
    social_value_by_theme,
)

LISTED = 50  # rows a listing table shows before saying how many more there are
State = GatewayReview.State


# ``3 contracts``, ``1 contract``, ``no contracts``: a count in a sentence.
_plural = partial(counted, none="no")


ONE = {
    "Contracts": "contract",
    "Running contracts": "running contract",
    "their end date": "its end date",
}


def _one_or_many(label: str, number: int) -> str:
    """A table's row label inside a sentence, singular for one."""
    if number == 1:
        for many, one in ONE.items():
            label = label.replace(many, one)
    return label[0].lower() + label[1:]


def _sentences(paragraph: str) -> str:
    """Each sentence starting with a capital ("no contracts were…" opens some)."""
    return re.sub(r"(^|[.?!] )([a-z])", lambda m: m.group(1) + m.group(2).upper(), paragraph)


def _percent(part, whole) -> str:
    """A share for a table's cell."""
    found = share(part, whole)
    return "None to count" if found is None else f"{found}%"


def _share_of(part, whole) -> str:
    """A share in brackets for a sentence, or nothing where there is no whole to share."""
    found = share(part, whole)
    return "" if found is None else f" ({found}%)"


def _quantity(amount, unit: str) -> str:
    """A measure's quantity in its unit: £1,200 for money, 40 hours for the rest."""
    if unit.strip() == "£":
        return money(amount, 0)
    return f"{count(amount)} {unit}"


def _table(caption: str, headings: list[str], rows: list[list], *, numeric=(), more: int = 0):
    return {
        "caption": caption,
        "headings": headings,
        "numeric": [index in numeric for index in range(len(headings))],
        "rows": [[str(cell) for cell in row] for row in rows],
        "more": more,
    }


def _chart(title: str, series: list[str], bars: list[tuple[str, list, list]], maximum=None):
    chart = BarChart(
        title=title,
        series=tuple(series),
        maximum=None if maximum is None else Decimal(maximum),
        bars=[Bar(label, tuple(values), tuple(texts)) for label, values, texts in bars],
    )
    return chart_data(chart)


def _listed(rows, render: Callable) -> tuple[list[list], int]:
    total = rows.count()
    return [render(row) for row in rows[:LISTED]], max(total - LISTED, 0)


def _section(slug, title, *, figures, narrative, tables=(), charts=()) -> dict:
    return {
        "slug": slug,
        "title": title,
        "figures": {k: f"{v:.2f}" if isinstance(v, Decimal) else v for k, v in figures.items()},
        "narrative": [_sentences(paragraph) for paragraph in narrative],
        "tables": list(tables),
        "charts": list(charts),
    }


# --- Sections ---------------------------------------------------------------------------------


def forward_plan_section(scope: Scope) -> dict:
    """The procurements planned to start in the year and how many were awarded."""
    projects = project_counts(scope)
    planned = projects["planned_in_year"]["count"]
    delivered = projects["delivered_in_year"]["count"]
    rows, more = _listed(
        planned_not_awarded(scope),
        lambda p: [
            p.reference,
            p.title,
            p.directorate.name,
            short_date(p.planned_start_date),
            money(p.estimated_value, 0),
        ],
    )
    return _section(
        "forward-plan",
        "Forward plan delivery",
        figures={"planned": planned, "awarded": delivered},
        narrative=_forward_plan_narrative(scope, projects),
        tables=[
            _table(
                "Procurements planned to start in the year, by directorate",
                ["Directorate", "Planned", "Awarded", "Estimated value"],
                [
                    [
                        r["directorate__name"],
                        count(r["planned"]),
                        count(r["awarded"]),
                        money(r["value"], 0),
                    ]
                    for r in planned_by_directorate(scope)
                ],
                numeric=(1, 2, 3),
            ),
            _table(
                "Planned to start in the year and not yet awarded",
                ["Reference", "Procurement", "Directorate", "Planned start", "Estimated value"],
                rows,
                numeric=(4,),
                more=more,
            ),
        ],
    )


def _forward_plan_narrative(scope: Scope, projects: dict[str, dict]) -> list[str]:
    planned = projects["planned_in_year"]["count"]
    delivered = projects["delivered_in_year"]["count"]
    narrative = [
        f"{_plural(planned, 'procurement was', 'procurements were')} planned to start a contract "
        f"in {scope.label}, with an estimated whole-life value of "
        f"{money(projects['planned_in_year']['value'], 0)}. "
        f"{count(delivered)} of them{_share_of(delivered, planned)} had their award approved "
        f"at Gateway 2 by {long_date(scope.as_at)}."
        if planned
        else f"No procurement on the forward plan was planned to start in {scope.label}."
    ]
    if planned - delivered:
        narrative.append(
            f"{_plural(planned - delivered, 'procurement has', 'procurements have')} not yet "
            "been awarded; they are listed below so the Committee can ask why."
        )
    return narrative


def gateways_section(scope: Scope) -> dict:
    """Gateway reports decided, returned and withdrawn in the year, and the time a decision took."""
    counts = review_counts(scope)
    decisions = gateway_decisions(scope)
    median = statistics.median(decisions.days) if decisions.days else None
    return _section(
        "gateways",
        "Gateway volumes, outcomes and time to decision",
        figures={
            **{k: v for k, v in counts.items() if scope.in_progress or k != "awaiting"},
            "median_working_days": None if median is None else str(median),
        },
        narrative=_gateways_narrative(scope, counts, median),
        tables=[_gateways_table(decisions)],
        charts=[_gateways_chart(decisions)],
    )


def _gateways_narrative(scope: Scope, counts: dict[str, int], median) -> list[str]:
    narrative = [
        f"{_plural(counts['decided'], 'gateway report was', 'gateway reports were')} decided in "
        f"{scope.label}: {count(counts['approved'])} approved and {count(counts['rejected'])} "
        f"rejected. {count(counts['returned'])} more "
        f"{'was' if counts['returned'] == 1 else 'were'} returned for changes and "
        f"{'is' if counts['returned'] == 1 else 'are'} not yet back, and "
        f"{count(counts['withdrawn'])} {'was' if counts['withdrawn'] == 1 else 'were'} withdrawn."
    ]
    if median is not None:
        narrative.append(
            f"A decision took a median of {figure(median)} working days from submission."
        )
    if scope.in_progress:
        # Only of the year still running: a closed year's report describes that year, and how
        # many await a decision today is no part of it.
        narrative.append(
            f"{_plural(counts['awaiting'], 'report awaits', 'reports await')} a decision now."
        )
    return narrative


def _gateways_table(decisions: GatewayDecisions) -> dict:
    rows = []
    for stage in GatewayStage:
        row = decisions.by_stage[stage.value]
        rows.append(
            [
                stage.label,
                count(row.approved),
                count(row.rejected),
                count(decisions.returned.get(stage.value, 0)),
                count(decisions.withdrawn.get(stage.value, 0)),
                figure(statistics.median(row.days)) if row.days else "No decisions",
            ]
        )
    return _table(
        "Gateway decisions in the year, by gateway",
        ["Gateway", "Approved", "Rejected", "Returned", "Withdrawn", "Median working days"],
        rows,
        numeric=(1, 2, 3, 4, 5),
    )


def _gateways_chart(decisions: GatewayDecisions) -> dict:
    by_stage = decisions.by_stage
    return _chart(
        "Gateway reports approved and rejected, by gateway",
        ["Approved", "Rejected"],
        [
            (
                stage.label,
                [by_stage[stage.value].approved, by_stage[stage.value].rejected],
                [count(by_stage[stage.value].approved), count(by_stage[stage.value].rejected)],
            )
            for stage in GatewayStage
        ],
    )


POSITIONS = [
    (
        "no_manager",
        f"Contracts over {pounds(NAMED_OFFICERS_ABOVE)} with no current contract manager",
    ),
    ("overdue_reviews", "Running contracts with a performance review overdue"),
    ("past_end", "Contracts past their end date and not ended on the register"),
]


def compliance_section(scope: Scope) -> dict:
    """Extensions and their four tests, exceptions relied on, departures from the weighting
    templates and the contracts' positions on the as-at day."""
    found = compliance_in_year(scope, listed=LISTED)
    contracts = found.contracts
    return _section(
        "compliance",
        "Compliance",
        figures={
            "extensions_recorded": found.extensions_recorded,
            "extensions_approved": found.extensions_approved,
            "extensions_all_four_tests": found.extensions_all_four_tests,
            "direct_awards": contracts["direct_awards"]["count"],
            "direct_awards_value": contracts["direct_awards"]["value"],
            "exceptions_approved": found.exceptions_approved,
            "social_value_exceptions": found.social_value_exceptions,
            "no_manager": contracts["no_manager"]["count"],
            "overdue_reviews": contracts["overdue_reviews"]["count"],
            "past_end": contracts["past_end"]["count"],
            "open_exceptions": found.open_exceptions,
            "weighting_departures": len(found.weighting_departures),
        },
        narrative=_compliance_narrative(scope, found),
        tables=[
            _positions_table(scope, found),
            _extensions_table(found),
            _departures_table(found.weighting_departures),
        ],
    )


def _compliance_narrative(scope: Scope, found: Compliance) -> list[str]:
    contracts = found.contracts
    direct = contracts["direct_awards"]
    sv_exceptions = found.social_value_exceptions
    departures = found.weighting_departures
    return [
        f"{_plural(found.extensions_recorded, 'extension was', 'extensions were')} recorded on "
        f"the register in {scope.label}. "
        f"{_plural(found.extensions_approved, 'extension was', 'extensions were')} "
        f"approved at Gateway 3, {count(found.extensions_all_four_tests)} of them with all four "
        "tests shown: "
        + extension_tests_in_a_sentence([words for _, words in EXTENSION_TESTS])
        + ". Any other went ahead on a recorded justification.",
        f"{_plural(direct['count'], 'direct award')} worth {money(direct['value'], 0)} started "
        f"in the year; {_plural(found.exceptions_approved, 'approved report')} "
        f"relied on an exception justification, and {count(sv_exceptions)} "
        f"{'decision' if sv_exceptions == 1 else 'decisions'} accepted social value below the "
        f"{SOCIAL_VALUE_MINIMUM_PERCENT}% minimum.",
        f"On {long_date(scope.as_at)}: "
        + "; ".join(
            # "1 contract past its end date", "2 contracts past their end date".
            f"{count(contracts[key]['count'])} {_one_or_many(label, contracts[key]['count'])}"
            for key, label in POSITIONS
        )
        + f"; and {_plural(found.open_exceptions, 'performance exception')} open.",
        f"{_plural(len(departures), 'approved weighting')} departed from the template of "
        f"its category or gave social value less than {SOCIAL_VALUE_MINIMUM_PERCENT}%.",
    ]


def _positions_table(scope: Scope, found: Compliance) -> dict:
    contracts = found.contracts
    return _table(
        f"Positions on {short_date(scope.as_at)}",
        ["Measure", "Contracts"],
        [[label, count(contracts[key]["count"])] for key, label in POSITIONS]
        + [["Performance exceptions open", count(found.open_exceptions)]],
        numeric=(1,),
    )


def _extensions_table(found: Compliance) -> dict:
    rows = []
    for review in found.extensions_listed:
        missing = review.extension_tests_missing()
        rows.append(
            [
                review.contract.reference if review.contract else "No contract",
                short_date(timezone.localdate(review.decided_at)),
                f"{4 - len(missing)} of 4",
                "; ".join(missing) or "none",
                "yes" if review.exception_justification.strip() else "no",
            ]
        )
    return _table(
        "Extensions approved at Gateway 3 and the four tests",
        ["Contract", "Approved on", "Tests shown", "Not shown", "Exception justified"],
        rows,
        more=max(found.extensions_approved - LISTED, 0),
    )


def _departures_table(departures: list) -> dict:
    return _table(
        "Departures from the weighting templates",
        ["Procurement", "Approved (Q/P/SV)", "Template (Q/P/SV)"],
        [
            [
                r.project.reference,
                "/".join(
                    figure(w) for w in (r.quality_weight, r.price_weight, r.social_value_weight)
                ),
                "/".join(figure(w) for w in r.template_weights)
                if r.template_weights
                else "No template",
            ]
            for r in departures[:LISTED]
        ],
        more=max(len(departures) - LISTED, 0),
    )


def social_value_section(scope: Scope) -> dict:
    """Social value due and delivered in the year, by theme and measure."""
    social_value = social_value_by_theme(scope)
    committed, delivered = social_value.committed, social_value.delivered
    commitments = sum(m.contracts for t in social_value.themes for m in t.measures)
    narrative = (
        [
            _social_value_opening(scope, committed, delivered)
            + " Values are the measures' proxy values; outputs without one are counted in their "
            "own units in the table. A measure kept in more than one version of the measures "
            "library is counted once."
        ]
        if social_value.themes
        else [f"No social value was committed or delivered for {scope.label}."]
    )
    rows = _social_value_rows(social_value)
    return _section(
        "social-value",
        "Social value committed and delivered",
        figures={
            "committed": committed,
            "delivered": delivered,
            "measure_rows": len(rows),
            "contract_measures": commitments,
        },
        narrative=narrative,
        tables=[
            _table(
                "Social value by theme and measure",
                ["Theme", "Measure", "Committed", "Delivered", "£ committed", "£ delivered"],
                rows,
                numeric=(2, 3, 4, 5),
            )
        ],
        charts=[chart for chart in [chart_data(theme_value_chart(social_value))] if chart],
    )


def _social_value_opening(scope: Scope, committed, delivered) -> str:
    """The year's social value due and delivered, in a sentence (none where there is neither)."""
    if committed:
        return (
            f"Social value worth {money(committed, 0)} was due to be delivered in {scope.label}, "
            f"and {money(delivered, 0)}{_share_of(delivered, committed)} was delivered and "
            "verified."
            if delivered
            else f"Social value worth {money(committed, 0)} was due to be delivered in "
            f"{scope.label}, and none of it was delivered and verified."
        )
    if delivered:
        return (
            f"Social value worth {money(delivered, 0)} was delivered and verified in "
            f"{scope.label}, against commitments due in other years."
        )
    return ""


def _social_value_rows(social_value) -> list[list]:
    return [
        [
            theme.label,
            measure.code,
            _quantity(measure.committed, measure.unit),
            _quantity(measure.delivered, measure.unit),
            money(measure.committed_value, 0)
            if measure.committed_value is not None
            else "No £ value",
            money(measure.delivered_value, 0)
            if measure.delivered_value is not None
            else "No £ value",
        ]
        for theme in social_value.themes
        for measure in theme.measures
    ]


def plan_themes_section(scope: Scope) -> dict:
    """The Council Plan themes beside social value: "other key policy outcomes" secured through
    procurement and delivered through contract management (RBKC §4d, §8a)."""
    lines = plan_themes_in_year(scope)
    strategies = sum(line.strategies for line in lines)
    reviews = sum(line.reviews for line in lines)
    if not lines:
        narrative = ["The council's plan had no themes set up."]
    elif not any(line.has_figures for line in lines):
        narrative = [f"No strategy, award or performance review named a theme in {scope.label}."]
    else:
        narrative = [
            f"In {scope.label}, approved procurement strategies addressed the council's plan "
            f"themes {_plural(strategies, 'time')}, and performance reviews recorded delivery "
            f"against them {_plural(reviews, 'time')}. A procurement or a review that names "
            "several themes is counted under each."
        ]
    rows = [
        [
            line.theme if line.is_active else f"{line.theme} (retired)",
            count(line.strategies),
            count(line.awards),
            count(line.reviews),
            count(line.contracts),
        ]
        for line in lines
    ]
    return _section(
        "plan-themes",
        "Council Plan themes: other key policy outcomes",
        figures={
            "themes": len(lines),
            "strategies": strategies,
            "awards": sum(line.awards for line in lines),
            "reviews": reviews,
        },
        narrative=narrative,
        tables=[
            _table(
                "Council Plan themes in procurement and contract management",
                ["Theme", "Strategies approved", "Awards approved", "Reviews", "Contracts"],
                rows,
                numeric=(1, 2, 3, 4),
            )
        ],
        charts=[chart for chart in [chart_data(plan_themes_chart(lines))] if chart],
    )


def savings_section(scope: Scope) -> dict:
    totals = savings_totals(scope)
    contracts = contract_counts(scope)
    by_directorate = (
        savings_in_year(scope)
        .order_by()
        .values("contract__directorate__name")
        .annotate(cashable=Sum("cashable"), non_cashable=Sum("non_cashable"), n=Count("pk"))
        .order_by("contract__directorate__name")
    )
    planned = contracts["planned_savings"]
    narrative = [
        f"Savings of {money(totals['total'], 0)} were recorded for {scope.label} on "
        f"{_plural(totals['contracts'], 'contract')}: {money(totals['cashable'], 0)} cashable and "
        f"{money(totals['non_cashable'], 0)} non-cashable."
        if totals["total"]
        else f"No savings were recorded for {scope.label}.",
        f"{_plural(planned['count'], 'running contract has', 'running contracts have')} savings "
        f"planned over their life of {money(planned['savings'], 0)}; by the end of the year "
        f"they had delivered {money(totals['delivered_on_planned'], 0)}"
        f"{_share_of(totals['delivered_on_planned'], planned['savings'])}."
        if planned["count"]
        else "No running contract has savings planned over its life.",
    ]
    return _section(
        "savings",
        "Savings",
        figures={**totals, "planned": planned["savings"], "planned_contracts": planned["count"]},
        narrative=narrative,
        tables=[
            _table(
                "Savings recorded for the year, by directorate",
                ["Directorate", "Contracts", "Cashable", "Non-cashable", "Total"],
                [
                    [
                        r["contract__directorate__name"],
                        count(r["n"]),
                        money(r["cashable"], 0),
                        money(r["non_cashable"], 0),
                        money(r["cashable"] + r["non_cashable"], 0),
                    ]
                    for r in by_directorate
                ],
                numeric=(1, 2, 3, 4),
            )
        ],
    )


def suppliers_section(scope: Scope) -> dict:
    contracts = contract_counts(scope)
    awarded, running = contracts["awarded"], contracts["running"]
    rows = []
    for key, label in (("awarded_sme", "SMEs"), ("awarded_vcse", "VCSE organisations")):
        rows.append(
            [
                label,
                count(contracts[key]["count"]),
                _percent(contracts[key]["count"], awarded["count"]),
                money(contracts[key]["value"], 0),
                _percent(contracts[key]["value"], awarded["value"]),
            ]
        )
    narrative = [
        f"{_plural(awarded['count'], 'contract', 'contracts')} worth {money(awarded['value'], 0)} "
        f"started in {scope.label}. SMEs hold {count(contracts['awarded_sme']['count'])} of them "
        f"({_percent(contracts['awarded_sme']['count'], awarded['count'])}, "
        f"{_percent(contracts['awarded_sme']['value'], awarded['value'])} of the value) and VCSE "
        f"organisations {count(contracts['awarded_vcse']['count'])} "
        f"({_percent(contracts['awarded_vcse']['count'], awarded['count'])}, "
        f"{_percent(contracts['awarded_vcse']['value'], awarded['value'])} of the value).",
        f"Of the annual value of all contracts running on {long_date(scope.as_at)}, SMEs hold "
        f"{_percent(contracts['sme']['annual'], running['annual'])} and VCSE organisations "
        f"{_percent(contracts['vcse']['annual'], running['annual'])}."
        if running["annual"]
        else f"No contracts with an annual value were running on {long_date(scope.as_at)}, so "
        "there is no share of it to count.",
    ]
    return _section(
        "sme-vcse",
        "SME and VCSE share of awards and value",
        figures={
            "awarded": awarded["count"],
            "awarded_value": awarded["value"],
            "awarded_sme": contracts["awarded_sme"]["count"],
            "awarded_sme_value": contracts["awarded_sme"]["value"],
            "awarded_vcse": contracts["awarded_vcse"]["count"],
            "awarded_vcse_value": contracts["awarded_vcse"]["value"],
            "running_annual": running["annual"],
            "sme_annual": contracts["sme"]["annual"],
            "vcse_annual": contracts["vcse"]["annual"],
        },
        narrative=narrative,
        tables=[
            _table(
                "Contracts starting in the year",
                ["Held by", "Contracts", "Share of contracts", "Value", "Share of value"],
                rows,
                numeric=(1, 2, 3, 4),
            )
        ],
    )


def performance_section(scope: Scope) -> dict:
    """The performance reviews of key contracts held in the year, by rating."""
    found = key_contract_reviews(scope)
    by_rating, reviewed = found.by_rating, found.contracts_reviewed
    key_running, not_reviewed = found.key_running, found.not_reviewed
    total = sum(by_rating.values())
    poor = sum(by_rating.get(r, 0) for r in PerformanceReview.POOR)
    rows = [
        [
            rating.label,
            count(by_rating.get(rating.value, 0)),
            _percent(by_rating.get(rating.value, 0), total),
        ]
        for rating in PerformanceReview.Rating
    ]
    narrative = [
        f"{_plural(total, 'performance review was', 'performance reviews were')} held in "
        f"{scope.label} on {_plural(reviewed, 'key contract')} "
        f"(over {pounds_short(KEY_CONTRACT_ABOVE)} or rated high risk). "
        f"{count(by_rating.get(PerformanceReview.Rating.GOOD, 0))} rated the contract good and "
        f"{count(poor)} rated it as requiring improvement or inadequate.",
        f"{_plural(not_reviewed, 'key contract', 'key contracts')} of the {count(key_running)} "
        f"running on {long_date(scope.as_at)} had no review in the year.",
    ]
    return _section(
        "performance",
        "Performance reviews of key contracts",
        figures={
            "reviews": total,
            "contracts_reviewed": reviewed,
            "key_running": key_running,
            "not_reviewed": not_reviewed,
            **{f"rated_{k}": v for k, v in by_rating.items()},
        },
        narrative=narrative,
        tables=[
            _table(
                "Reviews of key contracts held in the year, by rating",
                ["Rating", "Reviews", "Share"],
                rows,
                numeric=(1, 2),
            )
        ],
        charts=[_ratings_chart(by_rating)],
    )


def _ratings_chart(by_rating: dict[str, int]) -> dict:
    return _chart(
        "Reviews of key contracts held in the year, by rating",
        ["Reviews"],
        [
            (
                rating.label,
                [by_rating.get(rating.value, 0)],
                [count(by_rating.get(rating.value, 0))],
            )
            for rating in PerformanceReview.Rating
        ],
    )


def maturity_section(scope: Scope) -> dict:
    """The council's maturity by theme from the latest closed assessment, its movement, and the
    action plan answering it."""
    assessment = maturity_assessment(scope)
    if assessment is None:
        return _section(
            "maturity",
            "Maturity position, movement and action plan",
            figures={"assessment": None},
            narrative=[f"No self-assessment had been closed by the end of {scope.label}."],
        )
    results = assessment_results(assessment)
    progress = action_plan_progress(assessment, on=scope.as_at)
    status = progress.by_status
    return _section(
        "maturity",
        "Maturity position, movement and action plan",
        figures={
            "assessment": assessment.name,
            "themes": {t.theme.number: level(t.current) for t in results.themes},
            "actions": progress.actions,
            "actions_overdue": progress.overdue,
            **{f"actions_{s.value}": status.get(s.value, 0) for s in ActionItem.Status},
        },
        narrative=_maturity_narrative(assessment, results, progress),
        tables=[
            _table(
                "Maturity by theme (levels 1 to 5)",
                ["Theme", "Current", "Target", "Gap", "Movement"],
                [
                    [
                        f"{t.theme.number}. {t.theme.name}",
                        level(t.current),
                        level(t.target),
                        level(t.gap),
                        _signed(t.movement),
                    ]
                    for t in results.themes
                ],
                numeric=(1, 2, 3, 4),
            )
        ],
        charts=[
            chart_data(maturity_chart(results)),
        ],
    )


def _signed(value) -> str:
    # No earlier assessment, or no agreed level in it, to measure a movement from.
    return "Not measured" if value is None else f"{value:+.1f}"


def _maturity_narrative(assessment, results, progress: ActionPlanProgress) -> list[str]:
    gaps = results.gaps[:5]
    status, overdue = progress.by_status, progress.overdue
    return [
        f"The position is from “{assessment.name}” ({assessment.framework}), agreed for "
        f"{financial_year_label(assessment.year)}"
        + (
            f", with movement measured from “{results.previous.name}”."
            if results.previous
            else "; it is the first, so there is no movement to show."
        ),
        "The widest gaps to target are in "
        + "; ".join(f"{g.behaviour.code} {g.behaviour.name} ({g.gap})" for g in gaps)
        + "."
        if gaps
        else "No behaviour is short of its target.",
        f"The action plan answering it has {_plural(progress.actions, 'action')}: "
        + ", ".join(f"{count(status.get(s.value, 0))} {s.label.lower()}" for s in ActionItem.Status)
        + f"; {count(overdue)} {'is' if overdue == 1 else 'are'} past their timescale."
        if progress.has_plans
        else "No action plan has been recorded against it.",
    ]


def _timing_words(timing: Timing) -> str:
    if not timing.invoices:
        return "none to count"
    return f"{timing.within_30_share}% of {_plural(timing.invoices, 'invoice')}"


def _timing_cells(timing: Timing) -> list:
    return [
        timing.label,
        count(timing.invoices),
        _or_none(timing.within_30_share),
        count(timing.late),
        _or_none(timing.within_target_share),
        "None to count" if timing.average_days is None else str(timing.average_days),
    ]


def _or_none(found) -> str:
    return "None to count" if found is None else f"{found}%"


def spend_section(scope: Scope) -> dict:
    """The year's payments against the register, and how promptly invoices were paid."""
    totals = spend_totals(start=scope.start, end=scope.end)
    bands = no_contract_bands(start=scope.start, end=scope.end)
    timing = payment_performance(start=scope.start, end=scope.end)
    past = contracts_past_counts(on=scope.as_at)
    overall = timing.overall
    narrative = [
        f"The council paid {money(totals.paid, 0)} in {scope.label}, credit notes netted off: "
        f"{money(totals.on_contract, 0)} under a contract on the register"
        f"{_share_of(totals.on_contract, totals.paid)}, {money(totals.no_contract, 0)} with no "
        f"contract and {money(totals.waiting, 0)} still waiting for an officer to match it."
        if totals.payments
        else f"No payments were imported for {scope.label}.",
        f"Invoices paid within 30 days (the Procurement Act 2023's payment compliance figure): "
        f"{_timing_words(overall)}; {count(overall.late)} paid late. Within the council's own "
        f"target of {timing.target_days} days: "
        f"{_or_none(overall.within_target_share).lower()} against {timing.target_share:f}%. "
        f"SMEs: {_timing_words(timing.sme)} within 30 days; VCSE organisations: "
        f"{_timing_words(timing.vcse)}. {_plural(timing.no_invoice_date, 'payment')} with no "
        "invoice date and every credit note are left out; each payment line counts as an invoice.",
        f"{_plural(past['contracts_over'], 'contract has', 'contracts have')} been paid their "
        f"whole-life value or more by {long_date(scope.as_at)}, and "
        f"{count(past['contracts_near'])} 80% or more of it but under 100%.",
        "The table of spend with no contract gives the lines of the no-contract list for the "
        "year (a payee in a directorate, the redacted payees of a directorate together), "
        "explained or not, by each line's total: it adds up to the spend with no contract.",
    ]
    return _section(
        "spend",
        "Spend and payments",
        figures={
            "paid": totals.paid,
            "on_contract": totals.on_contract,
            "no_contract": totals.no_contract,
            "waiting": totals.waiting,
            "invoices": overall.invoices,
            "within_30": overall.within_30,
            "within_target": overall.within_target,
            "no_invoice_date": timing.no_invoice_date,
            "past_value": past["contracts_over"],
            "near_value": past["contracts_near"],
        },
        narrative=narrative,
        tables=[
            _table(
                "Spend with no contract, by each line's total for the year",
                ["Line's total", "Lines", "Paid"],
                [[b.label, count(b.lines), money(b.paid, 0)] for b in bands],
                numeric=(1, 2),
            ),
            _table(
                f"Invoices paid within 30 days and within {timing.target_days} days",
                [
                    "Invoices",
                    "Number",
                    "Within 30 days",
                    "Paid late",
                    f"Within {timing.target_days} days",
                    "Average days",
                ],
                [
                    _timing_cells(row)
                    for row in (*timing.by_period, timing.overall, timing.sme, timing.vcse)
                ],
                numeric=(1, 2, 3, 4, 5),
            ),
        ],
    )


def training_section(scope: Scope) -> dict:
    """The training programme delivered in the year (RBKC §8a, §9; Kent R26): sessions, attendance
    by audience, members trained, and coverage of the mandatory courses at the year's end (or
    today, for the year in progress). Council-wide: people are not a directorate's contracts."""
    programme = programme_delivered(start=scope.start, end=scope.as_at)
    required = sum(row.required for row in programme.coverage)
    current = sum(row.current for row in programme.coverage)
    narrative = [
        f"The council ran {_plural(programme.sessions, 'training session')} in {scope.label}, "
        f"with {_plural(programme.attendances, 'attendance')} by "
        f"{_plural(programme.people, 'person', 'people')}; "
        f"{_plural(programme.members_trained, 'lead member was', 'lead members were')} trained."
        if programme.sessions
        else f"No training attendance was recorded in {scope.label}.",
        f"On {long_date(scope.as_at)}, {count(current)} of {count(required)} mandatory courses "
        f"due were current{_share_of(current, required)}."
        if required
        else "No course is mandatory for any role.",
    ]
    return _section(
        "training",
        "Training and capability",
        figures={
            "sessions": programme.sessions,
            "attendances": programme.attendances,
            "people": programme.people,
            "members_trained": programme.members_trained,
            "mandatory_required": required,
            "mandatory_current": current,
        },
        narrative=narrative,
        tables=[
            _table(
                "Training delivered in the year, by audience",
                ["Audience", "Sessions", "Attendances", "People"],
                [
                    [row.audience, count(row.sessions), count(row.attendances), count(row.people)]
                    for row in programme.by_audience
                ],
                numeric=(1, 2, 3),
            ),
            _table(
                "Coverage of the mandatory courses",
                ["Course", "People it is mandatory for", "Current", "Coverage"],
                [
                    [row.course, count(row.required), count(row.current), f"{row.percent}%"]
                    for row in programme.coverage
                ],
                numeric=(1, 2, 3),
            ),
        ],
    )


RISK_LEVELS = [*Contract.Risk, None]


def _risk_counts(contracts) -> dict:
    """For each part of the risk assessment, the contracts at each level (one query)."""
    return contracts.aggregate(
        **{
            f"{part}__{level or 'none'}": Count("pk", filter=Q(**{part: level or ""}))
            for part in Contract.RISK_PARTS
            for level in RISK_LEVELS
        }
    )


def resilience_section(scope: Scope) -> dict:
    """Key supplier risk (seed 000 §8d): health checks of suppliers in the year, strategic
    suppliers and their ratings, and the financial, contractual, operational and supplier failure
    risk of the key contracts (over £1.5m or rated high risk) running at the year's end or
    today."""
    as_at = scope.as_at
    key = Contract.objects.filter(running_condition(today=as_at), key_condition())
    if scope.directorate_id:
        key = key.filter(directorate_id=scope.directorate_id)
    risks = _risk_counts(key)
    key_running = key.count()
    no_plans = key.filter(data_quality_problems(today=as_at)["key_no_plans"][1]).count()
    checks = SupplierHealthCheck.objects.filter(checked_on__gte=scope.start, checked_on__lte=as_at)
    checked = checks.count()
    concerns = checks.filter(rating__in=SupplierHealthCheck.CONCERNS).count()
    overdue = health_checks_overdue(on=as_at).count()
    strategic = Supplier.objects.filter(is_strategic=True).count()
    high_financial = risks[f"financial_risk__{Contract.Risk.HIGH}"]
    narrative = [
        f"{_plural(checked, 'supplier health check was', 'supplier health checks were')} "
        f"recorded in {scope.label}, {count(concerns)} of them rating the supplier weak or "
        f"critical. On {long_date(as_at)} {_plural(overdue, 'supplier')} with running "
        f"contracts had a health check overdue. The council names "
        f"{_plural(strategic, 'strategic supplier')}.",
        f"{_plural(key_running, 'key contract')} ({key_words()}) "
        f"{'was' if key_running == 1 else 'were'} running on {long_date(as_at)}: "
        f"{count(high_financial)} rated high for financial risk, and {count(no_plans)} without "
        "a current continuity and exit plan.",
    ]
    rows = [
        [
            str(Contract._meta.get_field(part).verbose_name).capitalize(),
            *[count(risks[f"{part}__{level or 'none'}"]) for level in RISK_LEVELS],
        ]
        for part in Contract.RISK_PARTS
    ]
    return _section(
        "resilience",
        "Supplier resilience and key contract risk",
        figures={
            "health_checks": checked,
            "health_concerns": concerns,
            "health_overdue": overdue,
            "strategic_suppliers": strategic,
            "key_running": key_running,
            "key_no_plans": no_plans,
            **risks,
        },
        narrative=narrative,
        tables=[
            _table(
                f"Key contracts running on {long_date(as_at)}, by each part of their risk",
                ["Risk", *[level.label if level else "Not assessed" for level in RISK_LEVELS]],
                rows,
                numeric=(1, 2, 3, 4),
            )
        ],
    )


def _quarter_row(quarter) -> list:
    signed = quarter.assurance
    if signed is None:
        return [quarter.report.label, quarter.report.get_status_display(), "", "", ""]
    return [
        quarter.report.label,
        signed.get_assurance_display() + (" (corrected)" if quarter.is_correction else ""),
        str(signed.signed_by),
        short_date(timezone.localtime(signed.signed_at).date()),
        signed.statement,
    ]


def assurance_section(scope: Scope) -> dict:
    """The quarters of the year signed off by the Head of Paid Service (Cotswold §4), with the
    statement of assurance each was given and any correction."""
    quarters = quarters_of_year(financial_year=scope.year)
    signed = [q for q in quarters if q.assurance is not None]
    levels = {level: 0 for level in SignOff.Assurance.values}
    for quarter in signed:
        levels[quarter.assurance.assurance] += 1
    corrected = sum(1 for q in signed if q.is_correction)
    narrative = [
        f"The Head of Paid Service signed off {_plural(len(signed), 'quarter')} of "
        f"{scope.label}: {count(levels[SignOff.Assurance.ASSURED])} assured, "
        f"{count(levels[SignOff.Assurance.WITH_EXCEPTIONS])} assured with exceptions and "
        f"{count(levels[SignOff.Assurance.NOT_ASSURED])} not assured, each after the Chief "
        "Finance Officer signed its financial figures."
        if signed
        else f"No quarter of {scope.label} has been signed off yet.",
        f"Corrections: {_plural(corrected, 'signed quarter was', 'signed quarters were')} "
        "re-opened, corrected and signed again.",
    ]
    return _section(
        "assurance",
        "Quarterly performance assurance",
        figures={"signed": len(signed), "corrected": corrected, **levels},
        narrative=narrative,
        tables=[
            _table(
                "Each quarter's statement of assurance",
                ["Quarter", "Assurance", "Signed by", "Signed on", "Statement"],
                [_quarter_row(quarter) for quarter in quarters],
            )
        ],
    )


SECTIONS: tuple[tuple[str, Callable[[Scope], dict]], ...] = (
    ("Forward plan delivery", forward_plan_section),
    ("Gateways", gateways_section),
    ("Compliance", compliance_section),
    ("Social value", social_value_section),
    ("Council Plan themes", plan_themes_section),
    ("Savings", savings_section),
    ("SME and VCSE share", suppliers_section),
    ("Performance of key contracts", performance_section),
    ("Quarterly performance assurance", assurance_section),
    ("Maturity", maturity_section),
    ("Spend and payments", spend_section),
    ("Training and capability", training_section),
    ("Supplier resilience", resilience_section),
)


def annual_figures(
    scope: Scope, *, progress: Callable[[int, int, str], None] | None = None
) -> dict:
    """Every section of the report for ``scope``, calling ``progress(done, of, section)`` as each
    is worked out."""
    sections = []
    for done, (label, build) in enumerate(SECTIONS):
        if progress:
            progress(done, len(SECTIONS), label)
        sections.append(build(scope))
    return {
        "year": scope.year,
        "label": scope.label,
        "start": scope.start.isoformat(),
        "end": scope.end.isoformat(),
        "as_at": scope.as_at.isoformat(),
        "in_progress": scope.in_progress,
        "sections": sections,
    }
