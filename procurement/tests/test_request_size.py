"""A request body larger than ``MAX_REQUEST_BYTES`` is refused from its declared length, before
the CSRF check or a form reads it into temporary files; a body without a length is not read."""

import pytest
from django.conf import settings as project_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from procurement.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def partner(make_user):
    return make_user(Role.BUSINESS_PARTNER)


@pytest.fixture
def small_limit(settings, tmp_path):
    settings.MAX_REQUEST_BYTES = 4096
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def register(size: int) -> SimpleUploadedFile:
    line = b"C-1,Home care (north),Adult Social Care\n"
    return SimpleUploadedFile("register.csv", line * (size // len(line) + 1), "text/csv")


def stored(media) -> list:
    return [path for path in media.rglob("*") if path.is_file()]


def test_a_file_over_the_limit_is_refused_with_a_page_saying_what_to_do(
    client, partner, small_limit
):
    client.force_login(partner)
    response = client.post(reverse("contracts:import"), {"file": register(5000)})
    assert response.status_code == 413
    page = response.content.decode()
    assert '<h1 class="govuk-heading-l">The file is too big</h1>' in page
    assert "larger than 4 KB, the most this service takes at once. Nothing was saved." in page
    assert "save it as CSV, or split it into files smaller than 10 MB" in page
    assert "Content-Security-Policy" in response
    assert stored(small_limit) == []


def test_a_file_within_the_limit_reaches_the_form(client, partner, small_limit):
    client.force_login(partner)
    response = client.post(reverse("contracts:import"), {"file": register(1000)})
    assert response.status_code == 302
    assert response["Location"].startswith("/contracts/import/")


def test_the_refusal_comes_before_the_csrf_check_reads_the_body(partner, small_limit):
    client = Client(enforce_csrf_checks=True)
    client.force_login(partner)
    response = client.post(reverse("contracts:import"), {"file": register(5000)})
    assert response.status_code == 413
    middleware = project_settings.MIDDLEWARE
    limit = middleware.index("procurement.request_size.RequestSizeLimitMiddleware")
    assert limit < middleware.index("django.middleware.csrf.CsrfViewMiddleware")
    assert limit < middleware.index("django.contrib.sessions.middleware.SessionMiddleware")


def test_the_api_refuses_in_its_own_json(client, small_limit):
    response = client.post(
        "/api/v1/reviews/1/submit/", data=b"{" + b" " * 5000 + b"}", content_type="application/json"
    )
    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "detail": "The request is larger than 4 KB, the most this service accepts."
    }


def test_a_body_without_a_length_is_not_read(client, partner, small_limit):
    """Sent chunked, with no Content-Length: Django reads none of it, so nothing is stored and
    the form asks for the file."""
    client.force_login(partner)
    response = client.post(
        reverse("contracts:import"),
        {"file": register(50_000)},
        CONTENT_LENGTH="",
        HTTP_TRANSFER_ENCODING="chunked",
    )
    assert response.status_code == 200
    assert "Choose the file to import" in response.content.decode()
    assert stored(small_limit) == []


def test_the_limit_takes_the_largest_file_any_form_accepts():
    largest = max(project_settings.IMPORT_MAX_BYTES, project_settings.ATTACHMENT_MAX_BYTES)
    assert project_settings.MAX_REQUEST_BYTES == largest + 1024 * 1024


def test_answers_over_django_s_own_limit_are_named_by_the_form(client, partner):
    """Fields of more than Django's default 2.5 MB, within ``MAX_REQUEST_BYTES``, reach the form,
    which names the answer too long, rather than a bare 400 (docs/decisions/0051)."""
    assert project_settings.DATA_UPLOAD_MAX_MEMORY_SIZE == project_settings.MAX_REQUEST_BYTES
    client.force_login(partner)
    response = client.post("/accounts/api-tokens/", {"name": "x" * 3 * 1024 * 1024})
    assert response.status_code == 200
    page = response.content.decode()
    assert "govuk-error-summary" in page
    assert "Name must be 100 characters or fewer" in page
