"""The pages of the payments import: the upload with its finance system, the run with its mapping
step (saved under the source's name, and used for the source's next file), the template and the
list of files imported."""

import csv
import io
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from procurement.models import Directorate, ImportMapping, ImportRun
from procurement.roles import Role
from procurement.uploads import value_field
from spend.importing import COLUMNS
from spend.models import Payment, PaymentImport, PaymentSource

from .factories import PaymentSourceFactory

pytestmark = pytest.mark.django_db
FILES = Path(__file__).parent / "files"


def upload(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, (FILES / name).read_bytes(), content_type="text/csv")


@pytest.fixture(autouse=True)
def _no_progress_left():
    """A run's progress stays in the cache after its test; a later test's run of the same pk
    (its rows rolled back) must not read it."""
    yield
    cache.clear()


@pytest.fixture
def partner(client, make_user):
    user = make_user(Role.BUSINESS_PARTNER)
    client.force_login(user)
    return user


def test_the_upload_asks_for_the_source(client, partner):
    page = client.get(reverse("spend:import")).content.decode()
    assert "Which finance system is the file from?" in page
    assert "Or add a finance system" in page  # the central team keeps the sources
    refused = client.post(reverse("spend:import"), {"file": upload("ledger_april.csv")})
    assert refused.status_code == 200
    assert "Choose the finance system the file comes from" in refused.content.decode()
    assert not ImportRun.objects.exists()


def test_a_run_is_mapped_saved_under_its_source_and_the_next_file_maps_itself(
    client, partner, imports_run_here
):
    asc, _ = Directorate.objects.get_or_create(name="Adult Social Care", defaults={"code": "asc"})
    Directorate.objects.get_or_create(name="Children's Services", defaults={"code": "cs"})
    response = client.post(
        reverse("spend:import"), {"new_source": "Ledger", "file": upload("ledger_april.csv")}
    )
    assert response.status_code == 302
    # The finance system is added with the import, not before the file is even checked.
    assert not PaymentSource.objects.exists()
    run = ImportRun.objects.get()
    assert run.options == {"new_source": "Ledger"}
    page = client.get(response["Location"]).content.decode()
    assert "Adults &amp; Health" in page
    assert 'value="Ledger"' in page  # the mapping is offered to be saved under the source
    field = value_field("directorate", "Adults & Health")
    columns = {f"column-{n}": "" for n in range(10)}
    layout = run.result["layout"]["positions"]
    columns.update({f"column-{n}": attribute for n, attribute in layout.items()})
    mapped = client.post(
        response["Location"],
        {"action": "map", **columns, field: str(asc.pk), "save_as": "Ledger"},
    )
    assert mapped.status_code == 302
    assert ImportMapping.objects.get(kind="payments").name == "Ledger"
    client.post(response["Location"], {"action": "import"})
    assert Payment.objects.count() == 8
    assert PaymentImport.objects.get().imported_by == partner
    source = PaymentSource.objects.get(name="Ledger")
    assert source.history.get().history_user == partner
    assert PaymentImport.objects.get().source == source

    # The source's next file is read with its saved mapping, and adds only what is new.
    again = client.post(
        reverse("spend:import"),
        {"source": source.pk, "file": upload("ledger_april_may.csv")},
    )
    run = ImportRun.objects.get(token=again["Location"].rstrip("/").rsplit("/", 1)[-1])
    assert run.options == {"source": source.pk}
    assert (run.mapping_name, run.result["ok"]) == ("Ledger", True)
    client.post(again["Location"], {"action": "import"})
    assert Payment.objects.count() == 10
    listing = client.get(reverse("spend:imports")).content.decode()
    assert "ledger_april_may.csv" in listing
    assert "ledger_april.csv" in listing


def test_a_new_source_named_with_a_refused_file_is_not_added(client, partner, imports_run_here):
    response = client.post(
        reverse("spend:import"), {"new_source": "Ledger", "file": upload("with_problems.csv")}
    )
    run = ImportRun.objects.get()
    assert not run.result["ok"]
    client.post(response["Location"], {"action": "import"})
    assert not PaymentSource.objects.exists()
    assert not Payment.objects.exists()


def test_a_source_already_kept_is_chosen_not_added_again(client, partner):
    PaymentSourceFactory(name="Ledger")
    refused = client.post(
        reverse("spend:import"), {"new_source": "ledger", "file": upload("ledger_april.csv")}
    )
    assert "ledger is a finance system already: choose it above" in refused.content.decode()
    assert PaymentSource.objects.count() == 1


def test_the_templates_download_with_every_column(client, partner):
    response = client.get(reverse("spend:template_csv"))
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == [column.name for column in COLUMNS]
    assert rows[2][COLUMNS.index(next(c for c in COLUMNS if c.attribute == "amount"))] == "(125.00)"
    assert client.get(reverse("spend:template_xlsx")).status_code == 200


def test_the_list_of_imports_reads_the_same_queries_whatever_its_length(
    client, partner, django_assert_max_num_queries
):
    from .factories import PaymentImportFactory

    PaymentImportFactory.create_batch(2, imported_by=partner)
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("spend:imports"))
    PaymentImportFactory.create_batch(20, imported_by=partner)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(reverse("spend:imports")).status_code == 200


def test_an_officer_may_not_import_payments(client, make_user):
    client.force_login(make_user(Role.PROCUREMENT_OFFICER))
    assert client.get(reverse("spend:import")).status_code == 403
    assert client.get(reverse("spend:imports")).status_code == 403
