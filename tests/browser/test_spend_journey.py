"""A month of payments, from the finance system's file to the contract page: the central team
imports the file through the mapping step, confirms two payees' suppliers in the review queue,
sees the list of spend with no contract change, and opens a contract's Spend section. axe-core on
every page, and every page read at 320 CSS pixels without scrolling sideways."""

import csv
from datetime import timedelta

import pytest
from django.utils import timezone

from contracts.tests.factories import ContractFactory, SupplierFactory
from procurement.roles import Role
from procurement.tests.factories import DirectorateFactory
from spend.models import Payment, SupplierMatch

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
NARROW = {"width": 320, "height": 800}
SCROLLS_SIDEWAYS = "() => document.documentElement.scrollWidth > window.innerWidth"


def _checked(page, audit) -> None:
    """axe-core on the page, then the page read at 320 pixels."""
    audit.check()
    wide = page.viewport_size
    page.set_viewport_size(NARROW)
    assert not page.evaluate(SCROLLS_SIDEWAYS), f"{page.url} scrolls sideways at 320px"
    page.set_viewport_size(wide)


def _month_file(path, day) -> None:
    """A month as a finance system exports it: a title, its own headings, a credit note, a
    redacted payee, a directorate written its own way."""
    paid = day.strftime("%d/%m/%Y")
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Northmere Council - payments to suppliers"])
        writer.writerow([])
        writer.writerow(
            ["Name:", "Payment Date", "HBC Ref No.", "Line", "Amount Paid", "Department Area"]
        )
        writer.writerows(
            [
                ["GREENWAY GROUNDS MAINT", paid, "700001", "1", "£12,400.00", "Adults & Health"],
                ["Greenway Grounds Maint", paid, "700002", "1", "(400.00)", "Adults & Health"],
                ["Riverside Catering Svcs", paid, "700003", "1", "6,250.00", "Adults & Health"],
                ["REDACTED", paid, "700004", "1", "310.00", "Adults & Health"],
            ]
        )


def test_a_month_imported_matched_and_seen_on_the_contract(
    live_server, sign_in, make_user, tmp_path, settings, import_worker
):
    settings.MEDIA_ROOT = tmp_path / "media"
    adults = DirectorateFactory(name="Adult Social Care", code="asc")
    partner = make_user(Role.BUSINESS_PARTNER, email="partner@council.example")
    greenway = SupplierFactory(name="Greenway Grounds Maintenance Ltd")
    riverside = SupplierFactory(name="Riverside Catering Services Ltd")
    start = timezone.localdate() - timedelta(days=200)
    grounds = ContractFactory(
        supplier=greenway, directorate=adults, start_date=start, title="Grounds maintenance"
    )
    month = tmp_path / "payments-november.csv"
    _month_file(month, timezone.localdate() - timedelta(days=10))

    page, audit = sign_in(partner)
    page.goto(f"{live_server.url}/spend/imports/upload/")
    _checked(page, audit)
    page.get_by_label("Or add a finance system").fill("Ledger")
    page.get_by_label("Upload the payment file").set_input_files(str(month))
    page.get_by_role("button", name="Check the file").click()
    page.wait_for_url(f"{live_server.url}/spend/imports/*/")
    page.get_by_text("values the service does not know").wait_for()
    _checked(page, audit)
    # The mapping step: the file's "Adults & Health" is the council's Adult Social Care.
    page.get_by_label("“Adults & Health” (4 rows)").select_option(label="Adult Social Care")
    page.get_by_role("button", name="Check the file again").click()
    page.get_by_role("button", name="Import 4 payments").wait_for()
    _checked(page, audit)
    page.get_by_role("button", name="Import 4 payments").click()
    page.get_by_role("heading", name="Import complete").wait_for()
    _checked(page, audit)
    assert Payment.objects.count() == 4

    # Nothing is under no contract yet: both payees wait for an officer.
    page.goto(f"{live_server.url}/spend/no-contract/")
    _checked(page, audit)
    assert "Riverside" not in page.inner_text("main")

    page.goto(f"{live_server.url}/spend/queue/")
    _checked(page, audit)
    page.get_by_role("link", name="GREENWAY GROUNDS MAINT").click()
    _checked(page, audit)
    page.get_by_label("Greenway Grounds Maintenance Ltd").check()
    page.get_by_role("button", name="Confirm").click()
    assert "is matched to Greenway Grounds Maintenance Ltd" in page.inner_text("main")
    _checked(page, audit)
    page.goto(f"{live_server.url}/spend/queue/")
    page.get_by_role("link", name="Riverside Catering Svcs").click()
    _checked(page, audit)
    page.get_by_label("Riverside Catering Services Ltd").check()
    page.get_by_role("button", name="Confirm").click()
    _checked(page, audit)
    assert set(SupplierMatch.objects.values_list("supplier", flat=True)) == {
        greenway.pk,
        riverside.pk,
    }

    # Riverside has no contract on the register: its £6,250 is now spend with no contract,
    # past the first threshold; Greenway's payments, credit note and all, are on its contract.
    page.goto(f"{live_server.url}/spend/no-contract/")
    _checked(page, audit)
    listed = page.inner_text("main")
    assert "Riverside Catering Services Ltd" in listed
    assert "£6,250" in listed
    assert "Greenway" not in listed

    page.goto(f"{live_server.url}{grounds.get_absolute_url()}")
    _checked(page, audit)
    shown = page.inner_text("main")
    assert "£12,000" in shown
    assert "in 2 payment lines, net of credit notes" in shown
