"""Social value in the browser: an officer records a quarter's return with the supplier's
evidence, the contract manager verifies it from the home page, and the contract's committed
against delivered moves; the central team reads the portfolio and imports a library. Axe on every
page."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from contracts.tests.factories import ContractOverFiftyThousandFactory
from procurement.roles import Role
from socialvalue.models import DeliveryReturn, Measure
from socialvalue.services import commitment_add

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_return_with_evidence_is_verified_and_counts_as_delivered(
    live_server, sign_in, make_user, tmp_path, import_worker
):
    today = timezone.localdate()
    manager = make_user(Role.CONTRACT_MANAGER, email="manager@council.example", first_name="Mo")
    contract = ContractOverFiftyThousandFactory(
        title="Grounds maintenance",
        contract_manager=manager,
        start_date=today - timedelta(days=400),
        end_date=today + timedelta(days=700),
    )
    officer = make_user(
        Role.PROCUREMENT_OFFICER, email="officer@council.example", directorate=contract.directorate
    )
    hours = Measure.objects.get(code="LSV4", library__version="1")
    commitment_add(
        contract=contract,
        measure=hours,
        quantity=Decimal(200),
        target_date=contract.end_date,
        by=manager,
    )
    evidence = tmp_path / "timesheets.pdf"
    evidence.write_bytes(b"%PDF-1.4 volunteering timesheets")

    page, audit = sign_in(officer)
    page.goto(f"{live_server.url}{contract.get_absolute_url()}")
    audit.check()
    page.get_by_role("navigation", name="Contents").get_by_role("link", name="Social value").click()
    page.get_by_role("link", name="Social value plan and delivery returns").click()
    audit.check()
    plan = page.locator("table", has_text="Committed against delivered")
    assert "0 hours" in plan.inner_text()
    page.get_by_role("link", name="Record a return for LSV4").click()
    audit.check()
    page.get_by_role("button", name="Record the return").click()
    assert "Choose the quarter" in page.locator(".govuk-error-summary").inner_text()
    audit.check()
    page.get_by_label("Quarter", exact=True).select_option(index=2)
    page.get_by_label("Quantity delivered in the quarter").fill("120")
    page.get_by_label("Evidence", exact=True).fill("Volunteering timesheets from two schools")
    page.get_by_label("Evidence document (optional)").set_input_files(str(evidence))
    page.get_by_role("button", name="Record the return").click()
    assert "for the contract manager to verify" in page.inner_text("main")
    audit.check()
    row = page.locator("table", has_text="Committed against delivered").locator("tbody tr")
    assert "120 hours" in row.locator("td").nth(2).inner_text()  # awaiting verification
    assert "0 hours" in row.locator("td").nth(1).inner_text()  # nothing verified yet

    page, audit = sign_in(manager)
    page.get_by_role("link", name="Social value returns awaiting your verification").click()
    audit.check()
    page.get_by_role("link", name=contract.reference).click()
    audit.check()
    assert "Volunteering timesheets from two schools" in page.inner_text("main")
    with page.expect_download() as download:
        page.get_by_role("link", name="timesheets.pdf").click()
    assert download.value.suggested_filename == "timesheets.pdf"
    page.get_by_role("button", name="Verify the return").click()
    assert "it now counts as delivered" in page.inner_text("main")
    audit.check()
    row = page.locator("table", has_text="Committed against delivered").locator("tbody tr")
    assert "120 hours" in row.locator("td").nth(1).inner_text()
    assert "60%" in row.locator("td").nth(1).inner_text()
    assert DeliveryReturn.objects.get().status == DeliveryReturn.Status.VERIFIED

    page, audit = sign_in(make_user(Role.HEAD_OF_PROCUREMENT))
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Social value").click()
    audit.check()
    assert "120 hours" in page.inner_text("main")
    page.get_by_label("Group by").select_option("directorate")
    page.get_by_role("button", name="Show").click()
    audit.check()
    page.get_by_role("link", name="measure libraries").click()
    audit.check()
    page.get_by_role("link", name="Council social value measures (1)").click()
    audit.check()
    page.goto(f"{live_server.url}/social-value/measures/import/")
    audit.check()
    library = tmp_path / "ours.csv"
    library.write_text(
        "Library,Version,Theme,Outcome,Measure code,Measure,Unit,Proxy value\n"
        "Ours,2027/28,Skills,Training,SK1,Apprentices,people,not a number\n"
    )
    page.get_by_label("Upload the measure library").set_input_files(str(library))
    page.get_by_role("button", name="Check the file").click()
    assert "nothing has been imported" in page.locator(".govuk-error-summary").inner_text()
    audit.check()
