"""The review queue in Chromium: an officer confirms a payee's supplier among the likely ones and
chooses a contract for a supplier's payments; axe-core on every page, and each page read at 320
CSS pixels without scrolling sideways."""

from datetime import timedelta

import pytest
from django.utils import timezone

from contracts.tests.factories import ContractFactory, SupplierFactory
from procurement.roles import Role
from procurement.tests.factories import DirectorateFactory
from spend.matching import attribute_contracts
from spend.models import Payment, SupplierMatch
from spend.tests.factories import PaymentFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
NARROW = {"width": 320, "height": 800}
SCROLLS_SIDEWAYS = "() => document.documentElement.scrollWidth > window.innerWidth"


def _reflows(page) -> None:
    wide = page.viewport_size
    page.set_viewport_size(NARROW)
    assert not page.evaluate(SCROLLS_SIDEWAYS), f"{page.url} scrolls sideways at 320px"
    page.set_viewport_size(wide)


def test_an_officer_works_the_queue(live_server, sign_in, make_user):
    here = DirectorateFactory(name="Adults and Health")
    officer = make_user(Role.PROCUREMENT_OFFICER, directorate=here)
    acme = SupplierFactory(name="Acme Cleaning Services Ltd")
    PaymentFactory(payee="ACME CLEAN SERVICES", directorate=here)
    supplier = SupplierFactory(name="Homecare Partners Ltd")
    start = timezone.localdate() - timedelta(days=300)
    chosen = ContractFactory(supplier=supplier, directorate=here, start_date=start, title="North")
    ContractFactory(supplier=supplier, directorate=here, start_date=start, title="South")
    PaymentFactory(supplier=supplier, supplier_match=Payment.SupplierMatch.NAME, directorate=here)
    attribute_contracts(Payment.objects.all())

    page, audit = sign_in(officer)
    page.goto(f"{live_server.url}/spend/queue/")
    audit.check()
    _reflows(page)
    page.get_by_role("link", name="ACME CLEAN SERVICES").click()
    audit.check()
    _reflows(page)
    assert "out of 100: likely" in page.inner_text("main")
    page.get_by_role("button", name="Confirm").click()
    assert "There is a problem" in page.locator(".govuk-error-summary").inner_text()
    audit.check()
    page.get_by_label("Acme Cleaning Services Ltd").check()
    page.get_by_role("button", name="Confirm").click()
    assert "is matched to Acme Cleaning Services Ltd" in page.inner_text("main")
    audit.check()
    assert SupplierMatch.objects.get().supplier == acme

    page.get_by_role("link", name="Payments waiting for their contract").click()
    audit.check()
    _reflows(page)
    page.get_by_role("link", name="Homecare Partners Ltd").click()
    audit.check()
    _reflows(page)
    page.get_by_label(chosen.reference).check()
    page.get_by_role("button", name="Save the choice").click()
    assert "are now under" in page.inner_text("main")
    audit.check()
    assert Payment.objects.get(supplier=supplier).contract == chosen
