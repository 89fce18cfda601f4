"""On the demo council, a figure shown in two places is the same in both: the maturity
evidence, the dashboard and the key contracts page count the same key contracts, and every
figure of the dashboard is the count or sum of the list its link opens."""

import io
import re
from decimal import Decimal
from html import unescape

import pytest
from django.core.management import call_command
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from contracts.models import Contract
from contracts.selectors import running_condition
from gateways.models import ProcurementProject
from maturity import evidence
from performance.models import Saving, financial_year_of
from performance.selectors import key_condition
from procurement.models import User
from procurement.numbers import count, money
from reporting.dashboard import SECTIONS, pounds
from reporting.selectors import FIGURES, share

pytestmark = pytest.mark.django_db

MEMBER = "member@northmere.example"


@pytest.fixture
def demo(settings, client):
    settings.DEBUG = True
    call_command("seed_demo", contracts=120, stdout=io.StringIO())
    client.force_login(User.objects.get(email=MEMBER))
    return client


def _number(text: str) -> int:
    return int(text.replace(",", ""))


def test_key_contracts_are_counted_alike_by_the_evidence_the_dashboard_and_their_page(demo):
    today = timezone.localdate()
    shown = evidence.key_contracts_with_kpis(today).figure
    with_kpis, key = (_number(n) for n in re.search(r"\(([\d,]+) of ([\d,]+)\)", shown).groups())
    section = demo.get(reverse("reporting:section", args=["performance"])).content.decode()
    on_dashboard = re.search(r'data-figure="key">([\d,]+)<', section).group(1)
    page = demo.get(reverse("performance:key_contracts")).content.decode()
    on_page = re.search(r"<li>([\d,]+) running contracts?</li>", page).group(1)
    assert key == _number(on_dashboard) == _number(on_page)
    running_key = Contract.objects.filter(running_condition(today=today)).filter(key_condition())
    assert 0 < with_kpis < key
    assert with_kpis == running_key.filter(kpis__isnull=False).distinct().count()


# --- Every figure the dashboard shows against the list its link opens --------------------------

FIGURE_LINK = re.compile(
    r'<a class="govuk-link[^"]*"\s+href="(?P<url>/dashboard/figures/(?P<key>[\w-]+)/[^"]*)"'
    r'(?:\s+data-figure="[\w-]+")?>(?P<number>[\d,]+)<span'
)
# How the rows of each kind of list link to their records: the ids the list shows.
ROW_LINK = {
    "contracts": ("contracts:detail", 1),
    "savings": ("contracts:detail", 1),
    "projects": ("gateways:project", 1),
    "reviews": ("gateways:review", 1),
    "exceptions": ("performance:exception", 2),
}
# The sums a tile's detail gives, in order, and what each sums over the rows of its list.
TILE_SUMS = {
    "running": ("whole_life_value", "annual_value"),
    "awarded": ("whole_life_value",),
    "forward_plan": ("estimated_value",),
    "sme": ("annual_value",),
    "vcse": ("annual_value",),
    "savings": ("total", "cashable", "non_cashable"),
    "planned_savings": ("planned_savings",),
}
MONEY = re.compile(r"-?£[\d,]+")


def _row_pattern(kind: str) -> re.Pattern:
    name, ids = ROW_LINK[kind]
    url = re.escape(reverse(name, args=[*[1111] * (ids - 1), 9999]))
    return re.compile(url.replace("9999", r"(\d+)").replace("1111", r"\d+"))


def _listed(client, url: str) -> tuple[int, list[int]]:
    """The total a figure's list states, and the ids of every row it lists, page by page."""
    kind = FIGURES[url.split("/")[3]].kind
    pattern = _row_pattern(kind)
    ids: list[int] = []
    for number in range(1, 100):
        response = client.get(f"{url}&page={number}")
        html = response.content.decode()
        total = int(re.search(r'data-total="(\d+)"', html).group(1))
        ids += [int(found) for found in pattern.findall(html)]
        if len(ids) >= total or response.context["page"].number < number:
            return total, ids
    raise AssertionError(url)


def _sums(kind: str, ids: list[int], year: int) -> dict[str, Decimal]:
    if kind == "savings":
        rows = Saving.objects.filter(contract__in=ids, financial_year=year)
        sums = rows.aggregate(cashable=Sum("cashable"), non_cashable=Sum("non_cashable"))
        sums = {name: value or Decimal("0") for name, value in sums.items()}
        return {**sums, "total": sums["cashable"] + sums["non_cashable"]}
    model = ProcurementProject if kind == "projects" else Contract
    fields = ("estimated_value",) if kind == "projects" else SUMMED_FIELDS
    sums = model.objects.filter(pk__in=ids).aggregate(**{name: Sum(name) for name in fields})
    return {name: value or Decimal("0") for name, value in sums.items()}


SUMMED_FIELDS = ("whole_life_value", "annual_value", "planned_savings")


TILE = re.compile(r'<div class="app-figure">(.*?)</div>', re.S)
GROUP_VALUE = re.compile(
    r'href="(?P<url>/dashboard/figures/running/[^"]*)">[\d,]+<span[^>]*> contracts: [^<]*</span>'
    r'</a>\s*</td>\s*<td class="govuk-table__cell govuk-table__cell--numeric">(?P<value>[^<]*)</td>'
)


def _sums_shown(html: str) -> list[tuple[str, str, tuple[str, ...]]]:
    """Each tile's list and the sums its detail gives; each group row's list and its value."""
    found = []
    for tile in TILE.findall(html):
        link = FIGURE_LINK.search(tile)
        detail = re.search(r'<p class="govuk-body-s govuk-!-margin-bottom-0">([^<]*)</p>', tile)
        sums = TILE_SUMS.get(link["key"], ())
        if sums and detail and MONEY.search(detail.group(1)):
            shown = MONEY.findall(detail.group(1))[: len(sums)]
            found += [
                (link["url"], name, (amount,)) for name, amount in zip(sums, shown, strict=True)
            ]
    for row in GROUP_VALUE.finditer(html):
        found.append((row["url"], "whole_life_value", (row["value"].strip(),)))
    return found


def _check_section(client, slug: str, year: int) -> tuple[set[str], int]:
    """Each figure of a section of ``year`` against its list: the figures and sums checked."""
    page = client.get(reverse("reporting:section", args=[slug]), {"year": year})
    html = unescape(page.content.decode())
    lists, counted, summed = {}, set(), 0
    for link in FIGURE_LINK.finditer(html):
        total, ids = lists.setdefault(link["url"], _listed(client, link["url"]))
        shown = int(link["number"].replace(",", ""))
        assert shown == total == len(set(ids)), (slug, link["url"])
        counted.add(link["key"])
    for url, name, (amount,) in _sums_shown(html):
        kind = FIGURES[url.split("/")[3]].kind
        listed = _sums(kind, lists[url][1], year)[name]
        assert amount == money(listed, 0), (slug, url, name)
        summed += 1
    return counted, summed


def test_every_figure_on_the_dashboard_is_the_count_or_sum_of_the_list_it_opens(demo):
    current = financial_year_of(timezone.localdate())
    for year in (current, current - 1):  # a year still running, and a year closed
        counted, summed = set(), 0
        for section in SECTIONS:
            figures, sums = _check_section(demo, section.slug, year)
            counted |= figures
            summed += sums
        assert {"running", "key", "savings", "forward_plan", "decided", "key_none"} <= counted
        assert summed >= 12


def _running_list(client, year: int) -> list[int]:
    section = client.get(reverse("reporting:section", args=["contracts"]), {"year": year})
    return _listed(client, unescape(FIGURE_LINK.search(section.content.decode())["url"]))[1]


def _social_value_listed(client, url: str) -> tuple[Decimal, Decimal]:
    """The £ committed and delivered the social value portfolio lists, theme by theme."""
    html = client.get(url).content.decode()
    rows = re.findall(
        r'<th scope="row" class="govuk-table__header">[^<]*</th>\s*'
        r'<td class="govuk-table__cell govuk-table__cell--numeric">(£[\d,]+)</td>\s*'
        r'<td class="govuk-table__cell govuk-table__cell--numeric">(£[\d,]+)</td>',
        html,
    )
    pounds_of = lambda shown: Decimal(shown.strip("£").replace(",", ""))  # noqa: E731
    return (
        sum((pounds_of(committed) for committed, _ in rows), Decimal("0")),
        sum((pounds_of(delivered) for _, delivered in rows), Decimal("0")),
    )


def _check_headline(client, year: int) -> None:
    html = client.get(reverse("reporting:dashboard"), {"year": year}).content.decode()
    headline = dict(
        re.findall(
            r'data-headline="([\w-]+)">\s*<h3[^>]*>[^<]*</h3>\s*<p class="govuk-heading-l[^"]*">'
            r"([^<]*)</p>",
            html,
        )
    )
    running = _sums("contracts", _running_list(client, year), year)
    scope = f"?year={year}"
    savings = _sums("savings", _listed(client, f"/dashboard/figures/savings/{scope}")[1], year)
    decided = _listed(client, f"/dashboard/figures/decided/{scope}")[0]
    sme = _sums("contracts", _listed(client, f"/dashboard/figures/sme/{scope}")[1], year)
    assert headline["contracts"] == pounds(running["whole_life_value"])
    assert headline["savings"] == pounds(savings["total"])
    assert headline["gateways"] == count(decided)
    assert headline["suppliers"] == f"{share(sme['annual_value'], running['annual_value'])}%"
    section = client.get(reverse("reporting:section", args=["social-value"]), {"year": year})
    section = unescape(section.content.decode())
    # A year with nothing due or delivered says so in words: £0 of each.
    due = re.search(r"(£[\d,]+) was due for|$", section).group(1) or "£0"
    delivered = re.search(r"(£[\d,]+) was delivered and verified|$", section).group(1) or "£0"
    url = re.search(r'href="([^"]+)">See social value by theme and measure', section).group(1)
    listed_due, listed_delivered = _social_value_listed(client, url)
    assert (due, delivered) == (money(listed_due, 0), money(listed_delivered, 0))
    assert headline["social-value"] == pounds(listed_delivered)


def test_the_headline_and_social_value_are_the_sums_of_the_lists_behind_them(demo):
    current = financial_year_of(timezone.localdate())
    for year in (current, current - 1):
        _check_headline(demo, year)
