"""Contract management in the browser: the contract manager adds a KPI and records a red return,
the exception is raised to the lead director, the provider's remedial plan is recorded, and the
lead director closes it; axe on every page."""

from datetime import timedelta

import pytest
from django.utils import timezone

from contracts.tests.factories import ContractOverFiftyThousandFactory
from performance.models import PerformanceException
from procurement.roles import Role

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_red_return_raises_an_exception_closed_with_a_remedial_plan(
    live_server, sign_in, make_user
):
    today = timezone.localdate()
    manager = make_user(Role.CONTRACT_MANAGER, email="manager@council.example")
    director = make_user(
        Role.EXECUTIVE_DIRECTOR, email="director@council.example", first_name="Dana"
    )
    contract = ContractOverFiftyThousandFactory(
        title="Home care (north)",
        contract_manager=manager,
        lead_director=director,
        start_date=today - timedelta(days=400),
        end_date=today + timedelta(days=700),
    )

    page, audit = sign_in(manager)
    page.goto(f"{live_server.url}{contract.get_absolute_url()}")
    audit.check()
    page.get_by_role("navigation", name="Contents").get_by_role("link", name="Performance").click()
    page.get_by_role("link", name="KPIs, reviews, exceptions, savings and risk").click()
    audit.check()
    page.get_by_role("link", name="Add a KPI").click()
    audit.check()
    page.get_by_role("button", name="Save the KPI").click()
    assert "Enter the KPI's name" in page.locator(".govuk-error-summary").inner_text()
    audit.check()
    page.get_by_label("KPI", exact=True).fill("Visits on time")
    page.get_by_label("How it is measured").fill("Visits started within 15 minutes of the plan")
    page.get_by_label("Unit").fill("%")
    page.get_by_label("Target").fill("95")
    page.get_by_label("Higher is better").check()
    page.get_by_label("Tolerance").fill("5")
    page.get_by_label("Quarterly").check()
    page.get_by_role("button", name="Save the KPI").click()
    assert "The KPI has been saved" in page.inner_text("main")
    audit.check()

    page.get_by_role("link", name="Record a return for Visits on time").click()
    audit.check()
    page.get_by_label("Period").select_option(index=1)
    page.get_by_label("Value").fill("72.5")
    page.get_by_label("Comment").fill("Two carers left in the quarter")
    page.get_by_role("button", name="Record the return").click()
    page.wait_for_url(f"{live_server.url}/performance/contracts/{contract.pk}/exceptions/*/")
    main = page.inner_text("main")
    assert "an exception has been raised to the accountable officer" in main
    assert "Awaiting the provider's response" in main
    assert "Visits on time was red" in main
    audit.check()
    exception = PerformanceException.objects.get()
    assert exception.accountable_officer == director

    page.get_by_role("link", name="Record the provider's response").click()
    audit.check()
    page.get_by_label("The provider's explanation").fill("Two carers left at short notice.")
    page.get_by_label("Remedial plan").fill("Recruit two carers by the end of next month.")
    page.get_by_role("button", name="Save the response").click()
    assert "Remedial plan in place" in page.inner_text("main")
    audit.check()
    # The contract manager cannot close it: that is for the accountable officer.
    assert page.get_by_role("link", name="Close the exception").count() == 0

    page, audit = sign_in(director)
    exceptions = "Open performance exceptions on your contracts or for you"
    page.get_by_role("link", name=exceptions).click()
    audit.check()
    page.get_by_role("link", name=f"exception on {contract.reference}").click()
    audit.check()
    page.get_by_role("link", name="Close the exception").click()
    audit.check()
    page.get_by_role("button", name="Close the exception").click()
    assert "Say why the exception can be closed" in page.inner_text(".govuk-error-summary")
    audit.check()
    page.get_by_label("Why can the exception be closed?").fill("Staffing restored; on target.")
    page.get_by_role("button", name="Close the exception").click()
    assert "The exception has been closed" in page.inner_text("main")
    audit.check()
    exception.refresh_from_db()
    assert (exception.status, exception.closed_by) == ("closed", director)
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Key contracts").click()
    audit.check()
    page.goto(f"{live_server.url}/performance/strategic-suppliers/")
    audit.check()

    head, audit = sign_in(make_user(Role.HEAD_OF_PROCUREMENT))
    head.get_by_role("navigation", name="Menu").get_by_role("link", name="Performance").click()
    audit.check()
    head.get_by_role("link", name=contract.reference).click()
    audit.check()
    for tab in ("Reviews", "Exceptions", "Savings", "Risk"):
        head.get_by_role("tab", name=tab).click()
    head.get_by_role("link", name="Record a performance review").click()
    audit.check()
    head.goto(f"{live_server.url}/performance/contracts/{contract.pk}/risk/")
    audit.check()
    head.goto(f"{live_server.url}/performance/contracts/{contract.pk}/savings/new/")
    audit.check()
