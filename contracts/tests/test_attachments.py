"""Documents on a contract: checked by type, content and size; always downloaded, never run."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from contracts.models import ContractAttachment
from contracts.services import ContractError, attachment_add
from contracts.tests.factories import ContractFactory
from procurement.roles import Role

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n% a small contract\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_a_pdf_is_attached_and_downloads_as_a_file(client, make_user):
    partner = make_user(Role.BUSINESS_PARTNER)
    contract = ContractFactory()
    client.force_login(partner)
    response = client.post(
        reverse("contracts:attach", args=[contract.pk]),
        {"kind": "contract", "file": SimpleUploadedFile("signed contract.pdf", PDF)},
    )
    assert response.status_code == 302
    attachment = ContractAttachment.objects.get()
    assert (attachment.original_name, attachment.size, attachment.uploaded_by) == (
        "signed contract.pdf",
        len(PDF),
        partner,
    )
    download = client.get(reverse("contracts:download", args=[contract.pk, attachment.pk]))
    assert download["Content-Disposition"].startswith("attachment")
    assert b"".join(download.streaming_content) == PDF


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("script.html", b"<script>alert(1)</script>", "must be one of these types"),
        ("fake.pdf", b"MZ\x90\x00 an executable", "not a real PDF file"),
        ("empty.pdf", b"", "The file is empty"),
    ],
)
def test_files_of_the_wrong_type_or_content_are_refused(make_user, name, content, message):
    contract = ContractFactory()
    with pytest.raises(ContractError, match=message):
        attachment_add(
            contract=contract,
            upload=SimpleUploadedFile(name, content),
            kind="contract",
            by=make_user(Role.BUSINESS_PARTNER),
        )
    assert not ContractAttachment.objects.exists()


def test_a_file_over_the_size_limit_is_refused_on_the_page(client, make_user, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024
    contract = ContractFactory()
    client.force_login(make_user(Role.BUSINESS_PARTNER))
    response = client.post(
        reverse("contracts:attach", args=[contract.pk]),
        {"kind": "contract", "file": SimpleUploadedFile("big.pdf", PDF + b"0" * 2048)},
    )
    assert response.status_code == 200
    assert "The file must be smaller than" in response.content.decode()
    assert not ContractAttachment.objects.exists()


def test_a_lead_member_cannot_attach(client, make_user):
    contract = ContractFactory()
    client.force_login(make_user(Role.LEAD_MEMBER))
    response = client.post(
        reverse("contracts:attach", args=[contract.pk]),
        {"kind": "contract", "file": SimpleUploadedFile("a.pdf", PDF)},
    )
    assert response.status_code == 403
    assert not ContractAttachment.objects.exists()
