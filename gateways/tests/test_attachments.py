"""Documents on a gateway report: checked like contract documents, added by the author."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from gateways.models import ReportAttachment
from gateways.services import GatewayError, review_attach, review_submit
from gateways.tests.factories import g1_draft
from procurement.roles import Role

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.7\n% options appraisal\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def draft(make_user):
    author = make_user(Role.PROCUREMENT_OFFICER)
    return g1_draft(author)


def test_the_author_attaches_a_document_that_downloads_as_a_file(client, draft):
    client.force_login(draft.author)
    response = client.post(
        reverse("gateways:attach", args=[draft.pk]),
        {"file": SimpleUploadedFile("options appraisal.pdf", PDF)},
    )
    assert response.status_code == 302
    attachment = ReportAttachment.objects.get()
    assert (attachment.original_name, attachment.uploaded_by) == (
        "options appraisal.pdf",
        draft.author,
    )
    download = client.get(reverse("gateways:download", args=[draft.pk, attachment.pk]))
    assert download["Content-Disposition"].startswith("attachment")
    assert b"".join(download.streaming_content) == PDF


def test_wrong_files_and_other_people_are_refused(draft, make_user):
    with pytest.raises(GatewayError, match="not a real PDF file"):
        review_attach(
            review=draft, upload=SimpleUploadedFile("x.pdf", b"MZ not a pdf"), by=draft.author
        )
    with pytest.raises(GatewayError, match="Only the report's author"):
        review_attach(
            review=draft,
            upload=SimpleUploadedFile("x.pdf", PDF),
            by=make_user(Role.BUSINESS_PARTNER),
        )
    review_submit(review=draft, by=draft.author)
    with pytest.raises(GatewayError, match="only while the report is a draft or returned"):
        review_attach(review=draft, upload=SimpleUploadedFile("x.pdf", PDF), by=draft.author)
    assert not ReportAttachment.objects.exists()
