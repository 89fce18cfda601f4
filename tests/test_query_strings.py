"""Malformed query strings: a parameter that does not parse is ignored, never a 500. Every page
that reads its query string (found by visiting every address in docs/access.md) is then given
hostile values in each parameter it reads (hypothesis)."""

import re
from typing import ClassVar
from unittest import mock
from urllib.parse import urlencode

import pytest
from django.core.handlers import wsgi
from django.http import QueryDict
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from contracts.tests.factories import SupplierFactory
from gateways.tests.factories import g1_draft
from maturity.services import action_plan_create
from maturity.tests.factories import assessment
from procurement.roles import Role
from procurement.tabular import CellError
from socialvalue.importing import _parse_year
from tests.test_authorisation_sweep import (
    FIELD_NAME,
    argument_maker,
    declared_table,
    objects_for,
    routes,
    visitor_user,
)

pytestmark = pytest.mark.django_db

SUPERSCRIPT_TWO = "%C2%B2"  # "²": str.isdigit() says yes, int() says no


@pytest.mark.parametrize(
    "url",
    [
        f"/gateways/?directorate={SUPERSCRIPT_TWO}",
        f"/gateways/?category={SUPERSCRIPT_TWO}",
        "/gateways/projects/new/?replaces=abc",
        "/contracts/suppliers/?q=%00",
    ],
)
def test_an_officer_s_page_ignores_a_malformed_parameter(client, make_user, url):
    client.force_login(make_user(Role.PROCUREMENT_OFFICER))
    SupplierFactory(name="Acme Care Ltd")
    assert client.get(url).status_code == 200


def test_a_new_action_for_a_behaviour_that_is_not_a_number_starts_empty(client, make_user):
    head = make_user(Role.HEAD_OF_PROCUREMENT)
    plan = action_plan_create(
        name="Plan", assessment=assessment(by=head, participants=[head]), description="", by=head
    )
    client.force_login(head)
    response = client.get(f"/maturity/plans/{plan.pk}/actions/new/?behaviour={SUPERSCRIPT_TWO}")
    assert response.status_code == 200


def test_the_weighting_page_ignores_a_row_count_that_is_not_a_number(client, make_user):
    """The page's hidden row count is read as strictly as a query parameter."""
    officer = make_user(Role.PROCUREMENT_OFFICER)
    review = g1_draft(officer)
    client.force_login(officer)
    response = client.post(
        f"/gateways/reviews/{review.pk}/weighting/", {"quality": "60", "rows": "²"}
    )
    assert response.status_code == 200
    assert "govuk-error-summary" in response.content.decode()


@pytest.mark.parametrize("year", ["²²²²", "٢٠٢٦"])
def test_a_measure_library_year_in_other_digits_is_refused_with_its_reason(year):
    with pytest.raises(CellError, match="is not a year"):
        _parse_year(year)


# --- Every page that reads its query string, given hostile values (hypothesis) -----------------

# Values that broke pages before: "²" passes str.isdigit() but not int(); PostgreSQL refuses NUL;
# ids beyond a PostgreSQL integer; more digits than Python's int() will read.
NOTORIOUS = ["²", "\x00", "-1", "0", "9" * 40, "9" * 5000, "", "\u202e", "١٢", "1e309", "abc"]
hostile_query_value = st.one_of(
    st.sampled_from(NOTORIOUS),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.integers(min_value=1, max_value=60).map(str),  # ids that may name real rows
    st.text(max_size=30),
)
# Who visits each page: the first of these the table serves it to.
VISITS_AS = ["anonymous", Role.ADMINISTRATOR.value, *(role.value for role in Role)]
EVERY = "*"  # a page that reads every parameter it is given (a cache key, a pagination link)


class AskedQueryDict(QueryDict):
    """A request's query string that notes each parameter the page asks for."""

    asked: ClassVar[set[str]] = set()

    def __getitem__(self, key):
        self.asked.add(key)
        return super().__getitem__(key)

    def __contains__(self, key):
        self.asked.add(key)
        return super().__contains__(key)

    def get(self, key, default=None):
        self.asked.add(key)
        return super().get(key, default)

    def getlist(self, key, default=None):
        self.asked.add(key)
        return super().getlist(key, default)

    def lists(self):
        self.asked.add(EVERY)
        return super().lists()

    def items(self):
        self.asked.add(EVERY)
        return super().items()


GET_FORM = re.compile(r"<form[^>]*method=\"get\"[^>]*>(.*?)</form>", re.S | re.I)
_query_pages: list[tuple[str, str, set[str]]] = []


def query_pages(world) -> list[tuple[str, str, set[str]]]:
    """(visitor, address, parameter names) for every page that reads its query string: each
    page the table serves someone is visited once with a parameter it does not know, noting the
    parameters it asks for; a page that reads them all is given every name any page asks for,
    and the fields of each GET form it shows."""
    if _query_pages:
        return _query_pages
    table = declared_table()
    found = []
    with mock.patch.object(wsgi, "QueryDict", AskedQueryDict):
        for name, _route, params in routes():
            cells = table[name]
            visitor = next((v for v in VISITS_AS if cells[v].split("/")[0].strip() == "200"), None)
            if visitor is None:
                continue
            kind, make = argument_maker(name, params)
            user = visitor_user(world, visitor)
            obj = objects_for(world, kind, user)[0][1]
            url = reverse(name, kwargs=make(obj) if make else None)
            client = Client()
            if user is not None:
                client.force_login(user)
            AskedQueryDict.asked = set()
            response = client.get(url, {"sweep-probe": "1"})
            # A template looking up ``query.urlencode`` asks for it first as a key.
            asked = {key for key in AskedQueryDict.asked if not hasattr(QueryDict, key)}
            asked.discard("sweep-probe")
            if not response.streaming and "text/html" in response.get("Content-Type", ""):
                for form in GET_FORM.findall(response.content.decode()):
                    asked |= set(FIELD_NAME.findall(form))
            if asked:
                found.append((visitor, url, asked))
    every_name = set().union(*(asked for _, _, asked in found)) - {EVERY}
    _query_pages.extend(
        (visitor, url, every_name if EVERY in asked else asked) for visitor, url, asked in found
    )
    return _query_pages


def server_errors(world, queries) -> list[str]:
    """Visit each page with its query; the pages that failed."""
    problems = []
    clients = {}
    for (visitor, url, _), query in zip(query_pages(world), queries, strict=True):
        if visitor not in clients:
            clients[visitor] = Client(raise_request_exception=False)
            user = visitor_user(world, visitor)
            if user is not None:
                clients[visitor].force_login(user)
        response = clients[visitor].get(url, query)
        if response.status_code >= 500:
            problems.append(f"{url}?{urlencode(query)}: answered {response.status_code}")
    return problems


def test_the_sweep_finds_the_pages_that_read_their_query_string(world, db):
    pages = {url.split("?")[0]: names for _, url, names in query_pages(world)}
    assert {"directorate", "category"} <= pages["/gateways/"]
    assert "replaces" in pages["/gateways/projects/new/"]
    assert "q" in pages["/contracts/suppliers/"]
    assert "behaviour" in next(n for u, n in pages.items() if u.endswith("/actions/new/"))
    assert len(pages) > 15


@pytest.mark.parametrize("value", NOTORIOUS)
def test_no_page_fails_on_a_notorious_value_in_any_parameter(world, db, value):
    queries = [dict.fromkeys(names, value) for _, _, names in query_pages(world)]
    assert server_errors(world, queries) == []


@given(data=st.data())
@hypothesis_settings(
    max_examples=10,
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],  # a failure names its page; no slow shrinking
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_no_page_fails_on_hostile_values_in_its_query_string(world, db, data):
    """Each page that reads its query string, given any mix of its parameters with any values,
    answers without a server error: a value it cannot read is ignored or refused."""
    queries = [
        data.draw(
            st.fixed_dictionaries({}, optional=dict.fromkeys(sorted(names), hostile_query_value)),
            label=url,
        )
        for _, url, names in query_pages(world)
    ]
    assert server_errors(world, queries) == []
