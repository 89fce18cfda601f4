"""The published annual reports: the head of procurement publishes a built version, with
history; signed out, anyone reads each year's published version (page and PDF); drafts and
superseded versions stay internal, listed nowhere public and 404 by their id."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from procurement.roles import Role
from reporting.models import AnnualReport, PublishedReport
from reporting.services import ReportError, annual_report_build, annual_report_publish

pytestmark = pytest.mark.django_db

FAKE_PDF = b"%PDF-1.7 a stand-in for the drawn report"


@pytest.fixture
def built(settings, tmp_path, monkeypatch):
    """Build versions quickly: the figures are worked out, the PDF is a stand-in."""
    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr("reporting.services.report_pdf", lambda figures, report: (FAKE_PDF, 3))

    def build(year: int, version: int, reason: str = "") -> AnnualReport:
        report = AnnualReport.objects.create(
            year=year, version=version, source="page", reason=reason
        )
        return annual_report_build(report_id=report.pk)

    return build


@pytest.fixture
def head(make_user):
    return make_user(Role.HEAD_OF_PROCUREMENT)


def public_urls(report: AnnualReport) -> list[str]:
    return [
        reverse("public_report:read", args=[report.pk]),
        reverse("public_report:pdf", args=[report.pk]),
    ]


def test_signed_out_the_published_version_of_each_year_is_listed_and_read(client, built, head):
    first = built(2024, 1)
    second = built(2025, 1)
    annual_report_publish(report=first, by=head, reason="Committee, June 2025")
    annual_report_publish(report=second, by=head, reason="Committee, June 2026")

    listing = client.get(reverse("public_report:list"))
    page = listing.content.decode()
    assert listing.status_code == 200
    assert "2024/25" in page
    assert "2025/26" in page
    for report in (first, second):
        read, pdf = public_urls(report)
        assert read in page
        assert pdf in page
        assert "Forward plan delivery" in client.get(read).content.decode()
        download = client.get(pdf)
        assert download["Content-Type"] == "application/pdf"
        assert b"".join(download.streaming_content) == FAKE_PDF


def test_drafts_and_superseded_versions_stay_internal(client, built, head, make_user):
    superseded = built(2025, 1, reason="First cut")
    current = built(2025, 2)
    draft = built(2025, 3, reason="Not yet agreed")
    never_published_year = built(2024, 1)
    annual_report_publish(report=superseded, by=head, reason="Committee, June")
    annual_report_publish(report=current, by=head, reason="Corrected savings")

    page = client.get(reverse("public_report:list")).content.decode()
    assert public_urls(current)[0] in page
    assert "2024/25" not in page
    for hidden in (superseded, draft, never_published_year):
        for url in public_urls(hidden):
            assert url not in page
            assert client.get(url).status_code == 404, url
    # The internal pages still serve every version, to those who read them.
    client.force_login(make_user(Role.AUDITOR))
    assert client.get(draft.get_absolute_url()).status_code == 200


def test_publishing_keeps_who_when_and_why(built, head):
    first, second = built(2025, 1), built(2025, 2)
    annual_report_publish(report=first, by=head, reason="Committee, June")
    annual_report_publish(report=second, by=head, reason="Corrected savings")
    published = PublishedReport.objects.get(year=2025)
    assert published.report == second
    history = list(published.history.order_by("history_date"))
    assert [(h.report_id, h.history_user, h.history_change_reason) for h in history] == [
        (first.pk, head, "Committee, June"),
        (second.pk, head, "Corrected savings"),
    ]


def test_only_the_head_of_procurement_publishes_and_only_a_built_version(built, make_user):
    report = built(2025, 1)
    for role in (Role.BUSINESS_PARTNER, Role.AUDITOR, Role.LEAD_MEMBER):
        with pytest.raises(PermissionDenied):
            annual_report_publish(report=report, by=make_user(role), reason="Why not")
    head = make_user(Role.HEAD_OF_PROCUREMENT)
    queued = AnnualReport.objects.create(year=2025, version=2, source="page")
    with pytest.raises(ReportError, match="Only a version that has been built"):
        annual_report_publish(report=queued, by=head, reason="Too soon")
    annual_report_publish(report=report, by=head, reason="Committee")
    with pytest.raises(ReportError, match="already the published version"):
        annual_report_publish(report=report, by=head, reason="Again")
    assert PublishedReport.history.count() == 1


def test_the_report_page_publishes_with_a_reason(client, built, make_user):
    report = built(2025, 1)
    url = reverse("reporting:publish", args=[report.pk])
    client.force_login(make_user(Role.BUSINESS_PARTNER))
    assert "Publish this version" not in client.get(report.get_absolute_url()).content.decode()
    assert client.post(url, {"reason": "Mine"}).status_code == 403
    client.force_login(make_user(Role.HEAD_OF_PROCUREMENT))
    assert "Publish this version" in client.get(report.get_absolute_url()).content.decode()
    missing = client.post(url, {"reason": ""})
    assert missing.status_code == 200
    assert "govuk-error-summary" in missing.content.decode()
    assert not PublishedReport.objects.exists()
    response = client.post(url, {"reason": "Committee, June"})
    assert response["Location"] == report.get_absolute_url()
    assert PublishedReport.objects.get().report == report
    assert "This is the published version" in client.get(report.get_absolute_url()).content.decode()


@pytest.mark.parametrize(
    "path",
    [
        "/annual-report/abc/",
        "/annual-report/-1/",
        "/annual-report/99999999999999999999999/",
        "/annual-report/1/report.pdf%00",
        "/annual-report/?year=%27%3B--&page=<script>",
    ],
)
def test_bad_addresses_are_not_found_or_the_list(client, path):
    assert client.get(path).status_code in {200, 404}


def test_the_list_runs_a_fixed_number_of_queries(
    client, built, head, django_assert_max_num_queries
):
    for year in (2022, 2023, 2024, 2025):
        annual_report_publish(report=built(year, 1), by=head, reason="Committee")
    with django_assert_max_num_queries(3):
        client.get(reverse("public_report:list"))
