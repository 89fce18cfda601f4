"""The page cache (procurement/caching.py): pieces kept per data generation and retired by any
write, never shown to someone they were not built for, and their forms' CSRF tokens the
visitor's own. These tests commit, as pages do: a piece is kept only outside a transaction."""

import re
import threading
import time
from datetime import timedelta

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from alerts.services import renewal_alerts_send
from alerts.tests.factories import contract_ending
from contracts.importing import contracts_import
from contracts.lead_times import add_months
from contracts.services import contract_update
from contracts.tests.factories import ContractFactory, ContractWithOptionsFactory
from contracts.tests.test_import import csv_file, row
from gateways.models import GatewayReview
from gateways.services import review_create, review_decide, review_submit
from gateways.tests.factories import G1_REPORT, ProjectFactory, g1_draft
from procurement.caching import BUILDING_SECONDS, cached, data_changed, generation, new_generation
from procurement.models import Directorate
from procurement.roles import Role
from procurement.services import user_set_roles
from procurement.tests.factories import DirectorateFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_every_kind_of_write_starts_a_new_generation_and_a_session_does_not():
    seen = [generation()]
    directorate = DirectorateFactory()
    seen.append(generation())
    user = UserFactory(roles=[Role.AUDITOR])
    seen.append(generation())
    user.groups.clear()
    seen.append(generation())
    Directorate.objects.get(pk=directorate.pk).delete()
    seen.append(generation())
    assert len(set(seen)) == len(seen)
    store = SessionStore()
    store["visited"] = True
    store.save()
    assert generation() == seen[-1]


def test_a_piece_is_kept_until_the_next_write_and_never_from_inside_a_transaction():
    built = []

    def build():
        built.append(len(built) + 1)
        return built[-1]

    assert cached("test", "a", build=build) == 1
    assert cached("test", "a", build=build) == 1
    assert cached("test", "b", build=build) == 2
    DirectorateFactory()
    assert cached("test", "a", build=build) == 3
    DirectorateFactory()
    with transaction.atomic():
        assert cached("test", "a", build=build) == 4
    # Built inside a transaction, so not kept: built again.
    assert cached("test", "a", build=build) == 5


def _counter():
    built = []

    def build():
        built.append(len(built) + 1)
        return built[-1]

    return build


def test_a_write_retires_only_the_pieces_that_read_what_it_changed():
    contracts, gateways = _counter(), _counter()
    assert cached("test", reads=("contracts",), build=contracts) == 1
    assert cached("test", reads=("gateways.procurementproject",), build=gateways) == 1
    ProjectFactory()  # a write to gateways (and, through its directorate, to procurement)
    assert cached("test", reads=("contracts",), build=contracts) == 1
    assert cached("test", reads=("gateways.procurementproject",), build=gateways) == 2
    ContractFactory()
    assert cached("test", reads=("contracts",), build=contracts) == 2
    assert cached("test", reads=("gateways.procurementproject",), build=gateways) == 2
    # A bulk write that names nothing, and migrate, retire every piece.
    data_changed()
    assert cached("test", reads=("contracts",), build=contracts) == 3
    new_generation()
    assert cached("test", reads=("gateways.procurementproject",), build=gateways) == 3


def test_a_transaction_retires_what_all_its_writes_touched_when_it_commits():
    contracts, gateways = _counter(), _counter()
    assert cached("test", reads=("contracts",), build=contracts) == 1
    assert cached("test", reads=("gateways",), build=gateways) == 1
    with transaction.atomic():
        DirectorateFactory()
        with transaction.atomic():
            ContractFactory()
        ProjectFactory()
        # Nothing is retired before the commit.
        assert generation() == generation()
    assert cached("test", reads=("contracts",), build=contracts) == 2
    assert cached("test", reads=("gateways",), build=gateways) == 2
    # A savepoint rolled back retires nothing of its own; what was written around it is.
    with transaction.atomic():
        DirectorateFactory()
        try:
            with transaction.atomic():
                ContractFactory()
                raise RuntimeError
        except RuntimeError:
            pass
        ProjectFactory()
    assert cached("test", reads=("gateways",), build=gateways) == 3
    # A rolled-back transaction retires nothing.
    try:
        with transaction.atomic():
            ProjectFactory()
            raise RuntimeError
    except RuntimeError:
        pass
    assert cached("test", reads=("gateways",), build=gateways) == 3


def test_a_sign_in_retires_nothing():
    user = UserFactory(roles=[Role.AUDITOR])
    before = generation()
    Client().force_login(user)
    assert generation() == before


def test_a_report_submitted_leaves_the_register_kept_and_a_contract_edit_retires_it():
    directorate = DirectorateFactory()
    contract = ContractFactory(title="Grounds maintenance", directorate=directorate)
    client, officer = _signed_in(Role.PROCUREMENT_OFFICER, directorate=directorate)
    project = ProjectFactory(directorate=directorate)
    register = reverse("contracts:register")
    _, built = _queries(client, register)
    review = g1_draft(officer, project=project)
    _, served = _queries(client, register)
    assert served < built
    review_submit(review=review, by=officer)
    assert _queries(client, register)[1] == served
    contract_update(contract=contract, fields={"title": "Parks"}, by=officer, reason="Renamed")
    page, rebuilt = _queries(client, register)
    assert rebuilt > served
    assert "Parks" in page


def _in_thread(target) -> threading.Thread:
    def run():
        try:
            target()
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_a_piece_asked_for_while_it_is_built_is_built_once():
    built, results = [], []
    started = threading.Event()

    def build():
        built.append(1)
        started.set()
        time.sleep(0.3)
        return "piece"

    def ask():
        results.append(cached("test", "single", build=build))

    first = _in_thread(ask)
    assert started.wait(5)
    others = [_in_thread(ask) for _ in range(3)]
    for thread in (first, *others):
        thread.join()
    assert results == ["piece"] * 4
    assert len(built) == 1


def test_when_a_build_fails_the_others_build_their_own_at_once():
    started, release = threading.Event(), threading.Event()
    outcome = {}

    def refuse():
        started.set()
        release.wait(5)
        raise PermissionDenied

    def first():
        try:
            cached("test", "refused", build=refuse)
        except PermissionDenied:
            outcome["first"] = "refused"

    def second():
        start = time.monotonic()
        outcome["second"] = cached("test", "refused", build=lambda: "built")
        outcome["waited"] = time.monotonic() - start

    refused = _in_thread(first)
    assert started.wait(5)
    waiting = _in_thread(second)
    time.sleep(0.1)
    release.set()
    refused.join()
    waiting.join()
    assert (outcome["first"], outcome["second"]) == ("refused", "built")
    assert outcome["waited"] < BUILDING_SECONDS


def _signed_in(*roles, **fields) -> tuple[Client, object]:
    user = UserFactory(roles=list(roles), **fields)
    client = Client()
    client.force_login(user)
    return client, user


def _queries(client: Client, path: str) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return response.content.decode(), len(queries)


def test_the_register_comes_from_the_cache_until_a_contract_changes():
    directorate = DirectorateFactory()
    contract = ContractFactory(title="Grounds maintenance", directorate=directorate)
    client, officer = _signed_in(Role.PROCUREMENT_OFFICER, directorate=directorate)
    register = reverse("contracts:register")
    first, built = _queries(client, register)
    again, served = _queries(client, register)
    assert "Grounds maintenance" in first
    assert "Grounds maintenance" in again
    assert served < built
    contract_update(
        contract=contract, fields={"title": "Parks maintenance"}, by=officer, reason="Renamed"
    )
    changed, _ = _queries(client, register)
    assert "Parks maintenance" in changed
    assert "Grounds maintenance" not in changed


def test_an_import_retires_the_cached_register(make_user):
    directorate = DirectorateFactory(name="Adult Social Care", code="asc")
    partner = make_user(Role.BUSINESS_PARTNER, email="partner@council.example")
    make_user(Role.CONTRACT_MANAGER, email="manager@council.example")
    make_user(Role.EXECUTIVE_DIRECTOR, email="director@council.example")
    ContractFactory(title="Grounds maintenance", directorate=directorate)
    client = Client()
    client.force_login(partner)
    register = reverse("contracts:register")
    assert "Home care (north)" not in _queries(client, register)[0]
    result = contracts_import(
        stream=csv_file(row("C-1")), filename="register.csv", by=partner, reason="Annual load"
    )
    assert (result.ok, result.created) == (True, 1)
    assert "Home care (north)" in _queries(client, register)[0]


def test_a_contract_page_is_kept_for_its_visitor_alone():
    directorate = DirectorateFactory()
    contract = ContractFactory(directorate=directorate)
    officer, _ = _signed_in(Role.PROCUREMENT_OFFICER, directorate=directorate)
    member, _ = _signed_in(Role.LEAD_MEMBER)
    page = reverse("contracts:detail", args=[contract.pk])
    assert "Edit details" in _queries(officer, page)[0]
    assert "Edit details" in _queries(officer, page)[0]
    assert "Edit details" not in _queries(member, page)[0]


def _title(page: str) -> str:
    return " ".join(re.search(r"<title>(.*?)</title>", page, re.DOTALL).group(1).split())


def test_a_kept_contract_page_reads_no_contract_and_keeps_its_title():
    contract = ContractFactory(reference="C-0042", title="Grounds maintenance")
    client, _ = _signed_in(Role.PROCUREMENT_OFFICER, directorate=contract.directorate)
    page = reverse("contracts:detail", args=[contract.pk])
    _queries(client, page)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(page)
    assert _title(response.content.decode()).startswith("C-0042: Grounds maintenance \N{EN DASH}")
    assert not [q for q in queries if '"contracts_contract"' in q["sql"]]
    # A contract that is not there is looked for on every visit: a refusal is never kept.
    missing = reverse("contracts:detail", args=[contract.pk + 1000])
    assert client.get(missing).status_code == 404
    ContractFactory(pk=contract.pk + 1000, title="Street lighting")
    assert "Street lighting" in _queries(client, missing)[0]


def test_a_gateway_report_is_kept_only_for_a_visitor_let_read_it():
    author = UserFactory(roles=[Role.PROCUREMENT_OFFICER])
    review = g1_draft(author)
    page = reverse("gateways:review", args=[review.pk])
    colleague, officer = _signed_in(Role.PROCUREMENT_OFFICER, directorate=author.directorate)
    outsider, _ = _signed_in(Role.CONTRACT_MANAGER)
    _, built = _queries(colleague, page)
    again, served = _queries(colleague, page)
    assert served < built
    assert _title(again).startswith(f"{escape(review)} \N{EN DASH}")
    # Each visitor is checked: the draft is refused to a contract manager, every time.
    assert outsider.get(page).status_code == 403
    assert outsider.get(page).status_code == 403
    # A change of roles retires the kept page: a Lead Member does not read drafts.
    user_set_roles(
        user=officer,
        roles=[Role.LEAD_MEMBER],
        by=UserFactory(roles=[Role.ADMINISTRATOR]),
        reason="Elected",
    )
    assert colleague.get(page).status_code == 403


def test_a_cached_form_carries_each_visitors_own_csrf_token():
    contract = ContractWithOptionsFactory(end_date=timezone.localdate() + timedelta(days=60))
    plan = reverse("gateways:forward_plan")
    clients = [Client(enforce_csrf_checks=True) for _ in range(2)]
    for client in clients:
        client.force_login(UserFactory(roles=[Role.BUSINESS_PARTNER]))
    visits = []
    for client in clients:
        page, queries = _queries(client, plan)
        assert "propose an extension (Gateway 3)" in page
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        visits.append((client, token, queries))
    (_, first_token, built), (client, token, served) = visits
    assert served < built  # the second visitor's page came from the cache
    # With the second visitor's own token: the first visitor's is refused for them.
    proposal = reverse("gateways:propose_extension", args=[contract.pk])
    assert client.post(proposal, {"csrfmiddlewaretoken": first_token}).status_code == 403
    assert not GatewayReview.objects.exists()
    assert client.post(proposal, {"csrfmiddlewaretoken": token}).status_code == 302
    assert GatewayReview.objects.get().contract == contract


UNREACHABLE_REDIS = {
    "default": {
        "BACKEND": "procurement.rediscache.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
        "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.5},
    }
}


def test_with_the_cache_out_of_reach_pages_are_built_and_writes_go_on(client, settings):
    reachable = settings.CACHES
    before = generation()
    settings.CACHES = UNREACHABLE_REDIS
    directorate = DirectorateFactory()  # the write goes on; its new generation is owed
    assert generation() is None
    assert cached("test", build=lambda: "built") == "built"
    client.force_login(UserFactory(roles=[Role.PROCUREMENT_OFFICER], directorate=directorate))
    assert client.get(reverse("contracts:register")).status_code == 200
    # Back in reach, the same cache: the owed generation is started before anything is read.
    settings.CACHES = reachable
    back = generation()
    assert back is not None
    assert back != before


def test_the_navigation_kept_for_a_person_follows_their_roles():
    admin = UserFactory(roles=[Role.ADMINISTRATOR])
    client, auditor = _signed_in(Role.AUDITOR)
    home = reverse("procurement:home")
    people = reverse("procurement:people")
    assert f'href="{people}"' in _queries(client, home)[0]
    assert f'href="{people}"' in _queries(client, home)[0]
    user_set_roles(user=auditor, roles=[Role.LEAD_MEMBER], by=admin, reason="Moved to members")
    assert f'href="{people}"' not in _queries(client, home)[0]


def test_an_alert_sent_about_a_contract_retires_its_kept_page():
    # The notification ledger writes in bulk, without signals.
    today = timezone.localdate()
    contract = contract_ending(add_months(today, 9))
    client = Client()
    client.force_login(contract.contract_manager)
    page = contract.get_absolute_url()
    assert "Alerts sent about this contract" not in _queries(client, page)[0]
    assert "Alerts sent about this contract" not in _queries(client, page)[0]
    renewal_alerts_send(on=today)
    assert "Alerts sent about this contract" in _queries(client, page)[0]


def test_the_navigation_counts_the_reports_awaiting_a_decision_until_it_is_made():
    directorate = DirectorateFactory()
    author = UserFactory(roles=[Role.PROCUREMENT_OFFICER], directorate=directorate)
    client, partner = _signed_in(Role.BUSINESS_PARTNER, directorate=directorate)
    home = reverse("procurement:home")
    awaiting = reverse("gateways:awaiting")
    assert "Awaiting my decision (0)" in _queries(client, home)[0]
    reviews = []
    for title in ("Fleet", "Catering"):
        project = ProjectFactory(title=title, directorate=directorate)
        review = review_create(
            author=author, stage="G1", summary="Strategy", project=project, report=G1_REPORT
        )
        reviews.append(review_submit(review=review, by=author))
    new_generation()  # both counts below are built afresh, every piece with them
    page, built = _queries(client, awaiting)
    assert f'href="{awaiting}"' in page
    assert "Awaiting my decision (2)" in page
    assert "Awaiting my decision (2)" in _queries(client, home)[0]
    review_decide(review=reviews[0], by=partner, outcome="approved")
    new_generation()
    page, after = _queries(client, awaiting)
    assert "Awaiting my decision (1)" in page
    # The count costs the same whatever is waiting.
    assert after == built


def test_the_header_says_whether_a_page_came_from_the_cache_and_the_cache_turns_off(settings):
    settings.PAGE_CACHE_HEADER = True
    client, _ = _signed_in(Role.PROCUREMENT_OFFICER)
    register = reverse("contracts:register")
    assert client.get(register)["X-Cache"] == "miss"
    assert client.get(register)["X-Cache"] == "hit"
    settings.PAGE_CACHE = False
    assert client.get(register)["X-Cache"] == "miss"
    assert client.get(register)["X-Cache"] == "miss"
    settings.PAGE_CACHE_HEADER = False
    assert "X-Cache" not in Client().get(reverse("accounts:sign_in"))
