"""The dashboard, the lists behind its figures and the annual reports' pages: who may see them,
what they show, and what bad input gets."""

import re
import time
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from contracts.tests.factories import ContractOverFiftyThousandFactory
from performance.models import financial_year_of
from procurement.background import HEARTBEAT_KEY, worker_heartbeat
from procurement.caching import Retirement, new_generation
from procurement.roles import Role
from reporting.dashboard import SECTIONS
from reporting.models import AnnualReport
from reporting.selectors import Scope, figure_rows
from reporting.services import annual_report_build

from . import world

pytestmark = pytest.mark.django_db

READERS = (
    Role.LEAD_MEMBER,
    Role.EXECUTIVE_DIRECTOR,
    Role.OFFICER_BOARD_MEMBER,
    Role.BUSINESS_PARTNER,
    Role.HEAD_OF_PROCUREMENT,
    Role.AUDITOR,
)
REFUSED = (
    Role.PROCUREMENT_OFFICER,
    Role.CONTRACT_MANAGER,
    Role.CONSULTEE_LEGAL,
    Role.ADMINISTRATOR,
)
YEAR = financial_year_of(timezone.localdate())


@pytest.mark.parametrize(
    "url",
    [
        reverse("reporting:dashboard"),
        reverse("reporting:figure", args=["running"]),
        reverse("reporting:annual_reports"),
    ],
)
def test_readers_see_the_pages_and_everyone_else_is_refused(client, make_user, url):
    assert client.get(url).status_code == 302  # to sign in
    for role in READERS:
        client.force_login(make_user(role))
        assert client.get(url).status_code == 200, role
    for role in REFUSED:
        client.force_login(make_user(role))
        assert client.get(url).status_code == 403, role


def _total(response) -> int:
    return int(re.search(r'data-total="(\d+)"', response.content.decode()).group(1))


def test_each_figure_on_the_dashboard_matches_its_list(client, make_user):
    world.build()
    client.force_login(make_user(Role.LEAD_MEMBER))
    links = []
    for section in SECTIONS:
        page = client.get(
            reverse("reporting:section", args=[section.slug]), {"year": world.YEAR}
        ).content.decode()
        links += re.findall(
            r'href="(/dashboard/figures/([a-z_]+)/\?[^"]*)"\s+data-figure="[a-z_]+">([\d,]+)',
            page,
        )
    assert len({key for _, key, _ in links}) == 28
    for url, key, shown in links:
        listed = client.get(url.replace("&amp;", "&"))
        assert listed.status_code == 200
        assert _total(listed) == int(shown.replace(",", "")), key


def test_a_list_by_directorate_and_category_from_the_charts(client, make_user):
    council = world.build()
    client.force_login(make_user(Role.AUDITOR))
    url = reverse("reporting:figure", args=["running"])
    adults = council["adults"].pk
    assert _total(client.get(url, {"year": world.YEAR, "directorate": adults})) == 3
    category = council["contracts"]["C1"].category_id
    by_category = client.get(url, {"year": world.YEAR, "category": category})
    scope = Scope(year=world.YEAR, today=timezone.localdate(), category_id=category)
    assert _total(by_category) == figure_rows("running", scope).count()


def test_bad_filters_are_explained_and_the_page_still_answers(client, make_user):
    client.force_login(make_user(Role.LEAD_MEMBER))
    response = client.get(reverse("reporting:dashboard"), {"year": "1066", "directorate": "x"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in body
    assert "Choose the financial year from the list" in body
    listed = client.get(reverse("reporting:figure", args=["running"]), {"category": "99999"})
    assert "There is no such category: go back to the dashboard" in listed.content.decode()
    assert client.get(reverse("reporting:figure", args=["nothing"])).status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        reverse("reporting:dashboard"),
        *(reverse("reporting:section", args=[section.slug]) for section in SECTIONS),
    ],
)
def test_the_dashboard_runs_the_same_queries_whatever_the_data(client, make_user, url):
    world.build()
    client.force_login(make_user(Role.LEAD_MEMBER))

    def queries() -> int:
        new_generation()  # nothing from the cache: every figure worked out again
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url, {"year": world.YEAR}).status_code == 200
        return len(captured)

    queries()  # the first request of a day works out the contract figures it keeps
    before = queries()
    ContractOverFiftyThousandFactory.create_batch(20)
    assert queries() == before


def test_the_central_team_builds_a_new_version_and_a_second_adds_another(
    client, make_user, django_capture_on_commit_callbacks
):
    world.build()
    head = make_user(Role.HEAD_OF_PROCUREMENT)
    client.force_login(head)
    url = reverse("reporting:annual_reports")
    for version in (1, 2):
        with django_capture_on_commit_callbacks() as queued:
            response = client.post(url, {"year": world.YEAR, "reason": f"Try {version}"})
        assert response.status_code == 302
        # The build, sent to a worker once the request commits (and the page cache retired).
        assert len([q for q in queued if not isinstance(q, Retirement)]) == 1
        report = AnnualReport.objects.get(year=world.YEAR, version=version)
        assert (report.state, report.requested_by, report.reason) == (
            "queued",
            head,
            f"Try {version}",
        )
        progress = client.get(reverse("reporting:progress", args=[report.pk])).json()
        assert (progress["state"], progress["finished"]) == ("queued", False)
        assert "js/progress.js" in client.get(url).content.decode()
        annual_report_build(report_id=report.pk)
    reports = AnnualReport.objects.filter(year=world.YEAR).order_by("version")
    assert [(r.version, r.state) for r in reports] == [(1, "ready"), (2, "ready")]
    assert reports[0].file.name != reports[1].file.name
    listing = client.get(url).content.decode()
    assert listing.count("Download the PDF") == 2
    assert "js/progress.js" not in listing
    download = client.get(reverse("reporting:download", args=[reports[1].pk]))
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    page = client.get(reports[1].get_absolute_url()).content.decode()
    assert "Forward plan delivery" in page
    assert "Maturity position, movement and action plan" in page


def test_only_the_central_team_builds_and_a_bad_year_writes_nothing(client, make_user):
    url = reverse("reporting:annual_reports")
    for role in (Role.LEAD_MEMBER, Role.AUDITOR, Role.EXECUTIVE_DIRECTOR):
        client.force_login(make_user(role))
        assert "Build the report" not in client.get(url).content.decode()
        assert client.post(url, {"year": YEAR}).status_code == 403
    client.force_login(make_user(Role.BUSINESS_PARTNER))
    response = client.post(url, {"year": YEAR + 1})
    assert "govuk-error-summary" in response.content.decode()
    assert "Choose the financial year from the list" in response.content.decode()
    assert not AnnualReport.objects.exists()


def test_missing_versions_and_files_are_not_found(client, make_user):
    client.force_login(make_user(Role.AUDITOR))
    queued = AnnualReport.objects.create(year=2024, version=1, source="page")
    assert client.get(reverse("reporting:download", args=[queued.pk])).status_code == 404
    assert client.get(reverse("reporting:annual_report", args=[999])).status_code == 404
    assert client.get(reverse("reporting:progress", args=[999])).status_code == 404


def test_a_build_whose_worker_stopped_is_shown_as_stopped(client, make_user):
    started = timezone.now() - timedelta(minutes=31)
    AnnualReport.objects.create(
        year=2024, version=1, source="page", state="building", started_at=started
    )
    client.force_login(make_user(Role.AUDITOR))
    listing = client.get(reverse("reporting:annual_reports")).content.decode()
    assert "Stopped without finishing: build a new version" in listing
    assert "js/progress.js" not in listing


def test_the_menu_marks_only_the_closest_section(client, make_user):
    client.force_login(make_user(Role.HEAD_OF_PROCUREMENT))
    navigation = client.get(reverse("reporting:annual_reports")).context["navigation"]
    assert [item["text"] for item in navigation if item["current"]] == ["Annual reports"]
    navigation = client.get(reverse("reporting:dashboard")).context["navigation"]
    assert [item["text"] for item in navigation if item["current"]] == ["Dashboard"]


def test_the_report_pages_say_when_this_server_cannot_draw_pdfs(client, make_user, monkeypatch):
    reason = "PDFs cannot be built on this server because its PDF libraries are missing (pango)."
    monkeypatch.setattr("reporting.views.pdf_unavailable", lambda: reason)
    monkeypatch.setattr("reporting.services.pdf_unavailable", lambda: reason)
    client.force_login(make_user(Role.HEAD_OF_PROCUREMENT))
    url = reverse("reporting:annual_reports")
    report = AnnualReport.objects.create(year=YEAR - 1, version=1, source="schedule")
    for page in (url, report.get_absolute_url()):
        shown = client.get(page).content.decode()
        assert "govuk-notification-banner" in shown, page
        assert reason in shown, page
    # Asking for a build is refused with the reason, and no version is made to fail.
    response = client.post(url, {"year": YEAR - 1})
    assert response.status_code == 200
    assert "govuk-error-summary" in response.content.decode()
    assert response.content.decode().count(reason) == 2  # in the banner and the error summary
    assert AnnualReport.objects.count() == 1


def test_the_report_pages_say_nothing_of_pdfs_where_they_can_be_drawn(client, make_user):
    client.force_login(make_user(Role.AUDITOR))
    assert (
        "govuk-notification-banner"
        not in client.get(reverse("reporting:annual_reports")).content.decode()
    )


def test_the_reports_page_warns_while_no_worker_is_heard_from(client, make_user, settings):
    settings.REDIS_URL = "redis://redis.internal:6379/0"  # work goes to a worker
    cache.delete(HEARTBEAT_KEY)
    client.force_login(make_user(Role.BUSINESS_PARTNER))
    url = reverse("reporting:annual_reports")

    def warning() -> str | None:
        page = client.get(url).content.decode()
        found = re.search(r'govuk-warning-text__text">(.*?)</strong>', page, re.DOTALL)
        return " ".join(found.group(1).split()) if found else None

    assert warning() == (
        '<span class="govuk-visually-hidden">Warning</span> Background work is not running: '
        "the service's background worker has not been heard from, so a report asked for now "
        "will wait until it is running. Tell the service's administrator."
    )
    worker_heartbeat(now=time.time() - 5 * 60)
    assert "has not been heard from for 5 minutes, so a report asked for now will wait" in (
        warning() or ""
    )
    worker_heartbeat()
    assert warning() is None
    # Without Redis the work is done in the request: there is no worker to wait for.
    cache.delete(HEARTBEAT_KEY)
    settings.REDIS_URL = ""
    assert warning() is None


def test_a_build_under_way_shows_its_year_and_progress_and_whether_work_is_running(
    client, make_user, settings
):
    settings.REDIS_URL = "redis://redis.internal:6379/0"  # work goes to a worker
    cache.delete(HEARTBEAT_KEY)
    report = AnnualReport.objects.create(year=2024, version=2, source="page")
    client.force_login(make_user(Role.AUDITOR))
    url = reverse("reporting:annual_reports")
    progress_url = reverse("reporting:progress", args=[report.pk])
    page = client.get(url).content.decode()
    waiting = (
        "Waiting: background work is not running, so the 2024/25 report, version 2 will not "
        "be built until it is"
    )
    assert "Waiting to build the 2024/25 report" in page
    assert f"{waiting}." in page
    assert f'data-progress-url="{progress_url}"' in page
    assert "js/progress.js" in page
    assert client.get(progress_url).json()["label"] == waiting
    worker_heartbeat()
    assert client.get(progress_url).json()["label"] == (
        "Waiting for the background worker to start the 2024/25 report, version 2"
    )
    report.start()
    report.progress, report.stage = 44, "Working out: Compliance"
    report.save()
    progress = client.get(progress_url).json()
    assert (progress["label"], progress["finished"]) == (
        "Building the 2024/25 report, version 2: 44% done (working out: Compliance)",
        False,
    )
    page = client.get(url).content.decode()
    assert re.search(r"Building the 2024/25 report\s*</h2>", page)
    assert '<progress class="app-progress"' in page
