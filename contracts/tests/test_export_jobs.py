"""An export too large for the page is prepared in the background: a page says so, then offers
the file to the person who asked and to nobody else; files go after a day; every export is
logged with who asked."""

import io
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from contracts import exports
from contracts.tests.factories import ContractFactory
from procurement import exportjobs
from procurement.exportjobs import export_jobs_clear
from procurement.models import ExportJob
from procurement.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def exports_run_here(tasks_in_process, monkeypatch, settings, tmp_path):
    """Background exports run in this process as soon as they are queued, into a private
    folder of the test's own."""
    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(exportjobs.transaction, "on_commit", lambda run, *a, **k: run())
    monkeypatch.setitem(exports.STREAM_LIMITS, "xlsx", 2)
    monkeypatch.setitem(exports.STREAM_LIMITS, "csv", 2)


def test_a_small_export_streams_at_once_and_is_logged(client, make_user, exports_run_here):
    auditor = make_user(Role.AUDITOR)
    client.force_login(auditor)
    ContractFactory.create_batch(2)
    response = client.get(f"{reverse('contracts:export_csv')}?q=contract")
    assert response.streaming
    logged = ExportJob.objects.get()
    assert (logged.user, logged.kind, logged.format, logged.query) == (
        auditor,
        "contracts.register",
        "csv",
        "q=contract",
    )
    assert logged.state == ExportJob.State.STREAMED


def test_a_large_export_is_prepared_then_offered_to_its_owner_alone(
    client, make_user, exports_run_here
):
    auditor = make_user(Role.AUDITOR)
    client.force_login(auditor)
    ContractFactory.create_batch(3, title="Home care")
    ContractFactory(title="Stationery")
    response = client.get(f"{reverse('contracts:export_xlsx')}?q=home")
    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("procurement:export_job", args=[job.token])
    assert (job.state, job.rows, job.user) == (ExportJob.State.READY, 3, auditor)

    page = client.get(response.url)
    assert page.status_code == 200
    assert "Your export is ready" in page.content.decode()
    download = reverse("procurement:export_download", args=[job.token])
    assert download in page.content.decode()
    file = client.get(download)
    assert file["Content-Disposition"].startswith("attachment")
    sheet = load_workbook(io.BytesIO(b"".join(file.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == tuple(exports.REGISTER_HEADINGS)
    assert [row[2] for row in rows[1:]] == ["Home care"] * 3

    client.force_login(make_user(Role.AUDITOR))  # someone else, who may see the register
    for name in ("export_job", "export_download", "export_progress"):
        assert client.get(reverse(f"procurement:{name}", args=[job.token])).status_code == 404


def test_a_large_csv_in_the_background_is_the_csv_the_page_streams(
    client, make_user, exports_run_here, monkeypatch
):
    client.force_login(make_user(Role.AUDITOR))
    ContractFactory.create_batch(3, title="=1+1 care")
    monkeypatch.setitem(exports.STREAM_LIMITS, "csv", 3)
    streamed = b"".join(client.get(reverse("contracts:export_csv")).streaming_content)
    ExportJob.objects.all().delete()
    monkeypatch.setitem(exports.STREAM_LIMITS, "csv", 2)
    assert client.get(reverse("contracts:export_csv")).status_code == 302
    job = ExportJob.objects.get()
    file = client.get(reverse("procurement:export_download", args=[job.token]))
    assert b"".join(file.streaming_content) == streamed


def test_the_page_says_the_export_is_being_prepared(client, make_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    auditor = make_user(Role.AUDITOR)
    job = ExportJob.objects.create(
        token="t1", kind="contracts.register", format="xlsx", user=auditor, filename="r.xlsx"
    )
    client.force_login(auditor)
    page = client.get(reverse("procurement:export_job", args=[job.token])).content.decode()
    assert "Your export is being prepared" in page
    progress = client.get(reverse("procurement:export_progress", args=[job.token])).json()
    assert progress["finished"] is False
    download = reverse("procurement:export_download", args=[job.token])
    assert client.get(download).status_code == 404


def test_files_are_deleted_after_a_day_and_the_log_kept(client, make_user, exports_run_here):
    client.force_login(make_user(Role.AUDITOR))
    ContractFactory.create_batch(3)
    client.get(reverse("contracts:export_xlsx"))
    job = ExportJob.objects.get()
    assert default_storage.exists(job.path)
    assert export_jobs_clear(now=timezone.now() + timedelta(hours=23)) == 0
    assert export_jobs_clear(now=timezone.now() + timedelta(hours=25)) == 1
    assert not default_storage.exists(job.path)
    job.refresh_from_db()
    assert (job.state, job.path) == (ExportJob.State.EXPIRED, "")
    page = client.get(reverse("procurement:export_job", args=[job.token])).content.decode()
    assert "This export has expired" in page
