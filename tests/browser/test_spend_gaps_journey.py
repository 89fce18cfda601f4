"""The gaps in the browser: the spend section, spend with no contract explained through its form
(errors first), contracts past their value and a contract's Spend section, axe-core on every page
and none wider than a 320 px screen."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from contracts.tests.factories import ContractFactory, SupplierFactory
from procurement.roles import Role
from procurement.tests.factories import DirectorateFactory
from spend.models import Explanation, Payment
from spend.tests.factories import PaymentFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
Match = Payment.SupplierMatch
ContractMatch = Payment.ContractMatch


def _narrow_fits(page) -> bool:
    page.set_viewport_size({"width": 320, "height": 800})
    fits = page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.set_viewport_size({"width": 1280, "height": 720})
    return fits


def test_the_gaps_are_read_and_explained(live_server, sign_in, make_user):
    today = timezone.localdate()
    care = DirectorateFactory(name="Adult care")
    supplier = SupplierFactory(name="Acme Cleaning Ltd")
    PaymentFactory(
        amount=Decimal("45000"),
        supplier=supplier,
        supplier_match=Match.NAME,
        contract_match=ContractMatch.NONE,
        directorate=care,
        paid_on=today - timedelta(days=40),
    )
    contract = ContractFactory(directorate=care, whole_life_value=Decimal("10000"))
    PaymentFactory(
        amount=Decimal("10500"),
        supplier=contract.supplier,
        supplier_match=Match.NAME,
        contract=contract,
        contract_match=ContractMatch.ONLY_LIVE,
        directorate=care,
        paid_on=today - timedelta(days=10),
    )
    page, audit = sign_in(make_user(Role.HEAD_OF_PROCUREMENT))
    page.get_by_role("link", name="Spend", exact=True).first.click()
    assert "Paid with no contract" in page.inner_text("main")
    audit.check()
    assert _narrow_fits(page)
    page.get_by_role("link", name="Spend with no contract").click()
    assert "Acme Cleaning Ltd" in page.inner_text("main")
    audit.check()
    assert _narrow_fits(page)
    page.get_by_role("link", name="Explain the spend with Acme Cleaning Ltd").click()
    audit.check()
    page.get_by_label("A waiver").check()
    page.get_by_role("button", name="Save the explanation").click()
    assert "Enter the waiver's reference" in page.locator(".govuk-error-summary").inner_text()
    audit.check()
    page.get_by_label("Waiver reference").fill("WVR-2026-004")
    page.get_by_role("button", name="Save the explanation").click()
    assert "is explained" in page.inner_text("main")
    audit.check()
    assert Explanation.objects.get().waiver_reference == "WVR-2026-004"
    page.goto(f"{live_server.url}/spend/over-value/")
    assert "Past its value" in page.inner_text("main")
    audit.check()
    assert _narrow_fits(page)
    page.get_by_role("link", name=contract.reference).click()
    spend = page.locator("section#spend")
    assert "105.0% of £10,000.00" in spend.inner_text()
    assert "£10,500.00" in spend.get_by_role("table", name="Paid each month").inner_text()
    audit.check()
    assert _narrow_fits(page)
