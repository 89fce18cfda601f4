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


def test_import_with_errors_then_fixed(
    live_server, audit, make_user, tmp_path, settings, import_worker
):
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
    problems = page.locator("#problems ~ .app-table-container table").first.inner_text()
    assert "'Parks' is not a directorate of the council" in problems
    assert "'31/02/2025' is not a real date" in problems
    assert page.get_by_role("button", name="Import").count() == 0
    audit.check()
    assert_fits_a_phone(page)
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
    page.get_by_role("heading", name="Import complete").wait_for()
    assert (
        "2 contracts added, 0 updated, 0 unchanged"
        in page.locator(".govuk-notification-banner").inner_text()
    )
    audit.check()
    assert Contract.objects.count() == 2
    page.get_by_role("link", name="Go to the contracts").click()
    page.wait_for_url(f"{live_server.url}/contracts/")

    page.get_by_role("link", name="H-2").click()
    page.wait_for_url(f"{live_server.url}/contracts/*/")
    assert page.get_by_role("heading", level=1).inner_text() == "Lifts"
    audit.check()
    page.get_by_role("navigation", name="Contents").get_by_role("link", name="History").click()
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


def test_a_big_council_file_is_checked_and_imported_in_the_background_with_progress(
    live_server, sign_in, make_user, tmp_path, settings, redis_url, import_worker
):
    """20,000 rows in the Code's layout, below a title: the check and the import run in the
    worker while the page shows how far they have got, and survive a reload."""
    settings.MEDIA_ROOT = tmp_path / "media"
    DirectorateFactory(name="Housing", code="hsg")
    partner = make_user(Role.BUSINESS_PARTNER, email="partner@council.example")
    big = tmp_path / "contracts-register-2026.csv"
    with big.open("w", newline="", encoding="cp1252") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Northmere Borough Council \u2013 contracts over £5,000"])
        writer.writerow([])
        writer.writerow(CODE_HEADINGS)
        for number in range(20000):
            writer.writerow(
                [
                    f"HSG/{number:05d}",
                    f"Repairs lot {number}",
                    "Housing",
                    f"Builder {number % 400} Ltd",
                    f"{number % 400 + 100000}",
                    f"£{5000 + number:,}.00",
                    "01-Apr-25",
                    "31 March 2027",
                    "Invitation to quote",
                ]
            )
    page, audit = sign_in(partner)
    page.goto(f"{live_server.url}/contracts/import/")
    audit.check()
    page.get_by_label("Upload the register").set_input_files(str(big))
    page.get_by_role("button", name="Check the file").click()
    page.wait_for_url(f"{live_server.url}/contracts/import/*/")
    audit.check()  # the page while the check runs, with its progress bar
    seen = watch_progress(page)
    assert len(seen) >= 2, seen  # it moved while the page was open
    assert seen == sorted(seen), seen  # and only forwards
    page.get_by_role("button", name="Import 20,000 contracts").wait_for(timeout=240_000)
    assert "Headings found on" in page.locator(".govuk-summary-list").inner_text()
    audit.check()
    page.get_by_text("What each column holds").click()
    assert_fits_a_phone(page)
    page.get_by_role("button", name="Import 20,000 contracts").click()
    page.reload()  # the page survives a reload while the import runs
    watch_progress(page)
    page.get_by_role("heading", name="Import complete").wait_for(timeout=240_000)
    assert Contract.objects.count() == 20000
    audit.check()


CODE_HEADINGS = [
    "Reference Number",
    "Title of Agreement",
    "Local Authority Department Responsible",
    "Supplier Name",
    "Supplier Company Registration Number",
    "Sum to be paid over the length of the contract",
    "Start Date",
    "End Date",
    "Invitation to quote or published invitation to tender",
]


def watch_progress(page) -> list[int]:
    """The per cent done the page shows each time its progress moves, until it is finished."""
    seen: list[int] = []
    for _ in range(480):
        bar = page.locator("progress")
        if bar.count() == 0:
            break
        try:
            value = int(float(bar.get_attribute("value", timeout=1000) or 0))
        except Exception:  # the page reloaded as the work finished
            break
        if 0 < value < 100 and (not seen or value != seen[-1]):
            seen.append(value)
        page.wait_for_timeout(500)
    return seen


def assert_fits_a_phone(page) -> None:
    """At 320 px the page reflows (WCAG 2.2 1.4.10): nothing makes it scroll sideways."""
    size = page.viewport_size
    page.set_viewport_size({"width": 320, "height": 640})
    try:
        width = page.evaluate("document.documentElement.scrollWidth")
        wide = page.evaluate(
            "Array.from(document.querySelectorAll('body *'))"
            ".filter(e => e.getBoundingClientRect().right > 320)"
            ".map(e => e.tagName + '.' + e.className + ' '"
            " + Math.round(e.getBoundingClientRect().right))"
            ".slice(0, 12)"
        )
        assert width <= 320, f"{page.url} is {width} px wide at 320 px: {wide}"
    finally:
        page.set_viewport_size(size)
