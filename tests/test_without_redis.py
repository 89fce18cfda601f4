"""With Redis out of reach (the cache, the broker and the results at a port where nothing
listens), the service answers at once with what it can do and says what it cannot: pages are
built afresh, the API counts its limit in the process, and work for the worker is refused
with a message and leaves nothing waiting for ever."""

import io
import time
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from rest_framework.test import APIClient

from contracts.tests.factories import ContractFactory
from procurement import rediscache, throttles
from procurement.models import ImportRun
from procurement.roles import Role
from procurement.tokens import api_token_create
from reporting.models import AnnualReport
from reporting.services import NOT_QUEUED

# Requests commit, so that the work they hand over is handed over in the request, as live.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

NOWHERE = "redis://127.0.0.1:6390/0"  # nothing listens there
# Each answer must come well within this, however Redis fails.
QUICK = 2.0
WORKERS_GONE = "background work is unavailable"


def _drop_connections(app) -> None:
    """Make Celery connect afresh, to the broker and results its configuration names now."""
    app._pool = None
    app.amqp._producer_pool = None
    app._local.__dict__.pop("backend", None)


@pytest.fixture
def redis_out_of_reach(settings):
    from config.celery import app

    settings.REDIS_URL = NOWHERE
    settings.CACHES = {
        "default": {
            "BACKEND": "procurement.rediscache.RedisCache",
            "LOCATION": NOWHERE,
            "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.5},
        }
    }
    settings.CELERY_BROKER_URL = settings.CELERY_RESULT_BACKEND = NOWHERE
    kept = {key: app.conf[key] for key in ("broker_url", "result_backend", "task_always_eager")}
    app.conf.update(broker_url=NOWHERE, result_backend=NOWHERE, task_always_eager=False)
    _drop_connections(app)
    rediscache._skipping_until.clear()
    throttles._local.clear()
    yield
    app.conf.update(kept)
    _drop_connections(app)
    rediscache._skipping_until.clear()
    throttles._local.clear()


def timed(call):
    started = time.monotonic()
    answer = call()
    return answer, time.monotonic() - started


def test_a_signed_in_page_is_built_afresh(client, make_user, redis_out_of_reach):
    contract = ContractFactory(title="Street lighting maintenance")
    client.force_login(make_user(Role.AUDITOR))
    for _ in range(2):  # the first call finds Redis away, the second skips it
        response, seconds = timed(lambda: client.get(reverse("contracts:register")))
        assert response.status_code == 200
        page = response.content.decode()
        assert "Contract register" in page
        assert contract.title in page
        assert seconds < QUICK


def test_an_api_call_answers_and_its_limit_is_counted_in_the_process(
    settings, make_user, redis_out_of_reach
):
    settings.API_RATE = "3/minute"
    contract = ContractFactory(title="Library book supply")
    auditor = make_user(Role.AUDITOR)
    _, key = api_token_create(
        user=auditor,
        name="Finance system",
        expires_on=timezone.localdate() + timedelta(days=30),
        by=auditor,
    )
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    answers = []
    for _ in range(3):
        response, seconds = timed(lambda: api.get("/api/v1/contracts/"))
        assert seconds < QUICK
        answers.append(response)
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert [row["title"] for row in answers[0].json()["results"]] == [contract.title]
    refused, seconds = timed(lambda: api.get("/api/v1/contracts/"))
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert seconds < QUICK


def test_asking_for_an_annual_report_says_it_cannot_start_and_leaves_nothing_queued(
    client, make_user, redis_out_of_reach
):
    client.force_login(make_user(Role.BUSINESS_PARTNER))
    url = reverse("reporting:annual_reports")
    page = client.get(url).content.decode()
    assert "cannot tell whether its background worker is running" in page
    response, seconds = timed(lambda: client.post(url, {"year": 2024, "reason": "Committee"}))
    assert seconds < QUICK
    assert response.status_code == 302  # the failed version is written: a refresh posts nothing
    answer = client.get(response["Location"]).content.decode()
    assert WORKERS_GONE in answer
    assert "Try again later" in answer
    report = AnnualReport.objects.get()
    assert (report.state, report.error, report.reason) == ("failed", NOT_QUEUED, "Committee")
    assert report.finished_at is not None
    assert escape(NOT_QUEUED) in client.get(url).content.decode()


def test_an_import_that_cannot_be_handed_over_says_so_on_its_page(
    client, make_user, settings, tmp_path, redis_out_of_reach
):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(make_user(Role.BUSINESS_PARTNER))
    upload = io.BytesIO(b"Reference,Title\nC-1,Grounds maintenance\n")
    upload.name = "register.csv"
    response, seconds = timed(lambda: client.post(reverse("contracts:import"), {"file": upload}))
    assert seconds < QUICK
    assert response.status_code == 302
    run = ImportRun.objects.get()
    assert run.state == ImportRun.State.REFUSED
    page = client.get(response["Location"]).content.decode()
    assert escape("could not be handed to the service's background work") in page


def test_a_password_reset_says_no_link_can_be_sent_now(client, make_user, redis_out_of_reach):
    make_user(Role.CONTRACT_MANAGER, email="tom@council.example")
    response, seconds = timed(
        lambda: client.post(reverse("accounts:password_reset"), {"email": "tom@council.example"})
    )
    assert seconds < QUICK
    assert response.status_code == 200
    assert "cannot be sent at the moment" in response.content.decode()
    assert mail.outbox == []


def test_healthz_says_redis_is_down_and_the_worker_unknown(client, redis_out_of_reach):
    response, seconds = timed(lambda: client.get("/healthz"))
    assert seconds < 5  # its own check of Redis waits up to two seconds
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["redis"]["ok"] is False
    assert checks["database"]["ok"] is True
    assert checks["worker"] == {"ok": False, "state": "unknown", "seconds_since_heartbeat": None}
