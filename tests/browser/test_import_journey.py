"""An officer imports a register with errors, reads the problems, fixes the file and imports it;
then finds a contract, reads its history, and the public sees the published register."""

import csv

import pytest

from conftest import TEST_PASSWORD
from contracts.models import Contract
from procurement.roles import Role
from procurement.tests.factories import DirectorateFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

HEADINGS = [
    "Reference",
    "Title",
    "Directorate",
    "Supplier name",
    "Whole-life value",
    "Start date",
    "End date",
    "Procurement route",
]


def write(path, rows) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADINGS)
        writer.writerows(rows)


def test_import_with_errors_then_fixed(live_server, audit, make_user, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    directorate = DirectorateFactory(name="Housing", code="hsg")
    make_user(Role.PROCUREMENT_OFFICER, email="officer@council.example", directorate=directorate)
    bad = tmp_path / "register.csv"
    write(
        bad,
        [
            [
                "H-1",
                "Repairs",
                "Housing",
                "Fixit Ltd",
                "£45,000",
                "01/04/2025",
                "31/03/2027",
                "Quotation",
            ],
            ["H-2", "Lifts", "Parks", "Up Ltd", "12,000", "31/02/2025", "31/03/2027", "Quotation"],
        ],
    )
    page = audit.page
    page.goto(f"{live_server.url}/accounts/sign-in/")
    audit.check()
    page.get_by_label("Email address").fill("officer@council.example")
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/")
    audit.check()

    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Contracts").click()
    page.wait_for_url(f"{live_server.url}/contracts/")
    audit.check()
    page.get_by_role("link", name="Import contracts").click()
    page.wait_for_url(f"{live_server.url}/contracts/import/")
    audit.check()

    page.get_by_role("button", name="Check the file").click()
    assert "Choose the file to import" in page.locator(".govuk-error-summary").inner_text()
    audit.check()

    page.get_by_label("Upload the register").set_input_files(str(bad))
    page.get_by_role("button", name="Check the file").click()
    page.wait_for_url(f"{live_server.url}/contracts/import/*/")
    summary = page.locator(".govuk-error-summary").inner_text()
    assert "2 problems in register.csv: nothing has been imported" in summary
    problems = page.locator("#problems + p + table").inner_text()
    assert "'Parks' is not a directorate of the council" in problems
    assert "'31/02/2025' is not a real date" in problems
    assert page.get_by_role("button", name="Import").count() == 0
    audit.check()
    assert not Contract.objects.exists()

    fixed = tmp_path / "register-fixed.csv"
    write(
        fixed,
        [
            [
                "H-1",
                "Repairs",
                "Housing",
                "Fixit Ltd",
                "£45,000",
                "01/04/2025",
                "31/03/2027",
                "Quotation",
            ],
            [
                "H-2",
                "Lifts",
                "Housing",
                "Up Ltd",
                "12,000",
                "28/02/2025",
                "31/03/2027",
                "Quotation",
            ],
        ],
    )
    page.get_by_role("link", name="Upload a different file").click()
    page.wait_for_url(f"{live_server.url}/contracts/import/")
    audit.check()
    page.get_by_label("Upload the register").set_input_files(str(fixed))
    page.get_by_role("button", name="Check the file").click()
    page.wait_for_url(f"{live_server.url}/contracts/import/*/")
    assert page.locator(".govuk-error-summary").count() == 0
    audit.check()
    page.get_by_role("button", name="Import 2 contracts").click()
    page.wait_for_url(f"{live_server.url}/contracts/")
    assert (
        "2 contracts added, 0 updated, 0 unchanged"
        in page.locator(".govuk-notification-banner").inner_text()
    )
    audit.check()
    assert Contract.objects.count() == 2

    page.get_by_role("link", name="H-2").click()
    page.wait_for_url(f"{live_server.url}/contracts/*/")
    assert page.get_by_role("heading", level=1).inner_text() == "Lifts"
    audit.check()
    page.get_by_role("tab", name="History").click()
    assert "Why: Imported from register-fixed.csv" in page.locator("#history").inner_text()
    audit.check()

    page.get_by_role("link", name="Edit details").click()
    page.wait_for_url(f"{live_server.url}/contracts/*/edit/")
    audit.check()
    page.get_by_label("Title").fill("")
    page.get_by_role("button", name="Save").click()
    assert "Enter the contract title" in page.locator(".govuk-error-summary").inner_text()
    audit.check()

    page.goto(f"{live_server.url}/contracts/data-quality/")
    assert page.get_by_role("heading", level=1).inner_text() == "Data quality of the register"
    audit.check()
    page.goto(f"{live_server.url}/contracts/suppliers/")
    assert "Fixit Ltd" in page.locator("table").inner_text()
    audit.check()

    page.goto(f"{live_server.url}/register/")
    assert "Repairs" in page.locator("table").inner_text()
    audit.check()
