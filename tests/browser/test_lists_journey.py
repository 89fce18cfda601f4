"""The public searches and filters the published register and downloads what they found; a
business partner follows the navigation's count to the report awaiting them, and an officer
goes from a filtered register to a contract and back to the same list."""

from decimal import Decimal

import pytest

from contracts.tests.factories import ContractFactory, SupplierFactory
from gateways.services import review_create, review_submit
from gateways.tests.factories import G1_REPORT, ProjectFactory
from procurement.roles import Role
from procurement.tests.factories import DirectorateFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_the_public_search_the_register_and_download_what_they_found(live_server, audit):
    roads = DirectorateFactory(name="Roads")
    housing = DirectorateFactory(name="Housing")
    ContractFactory(
        reference="R-1",
        title="Winter gritting",
        directorate=roads,
        supplier=SupplierFactory(name="Salt Co", is_sme=True),
        whole_life_value=Decimal("90000"),
    )
    ContractFactory(reference="R-2", title="Road signs", directorate=roads)
    ContractFactory(reference="H-1", title="Boiler repairs", directorate=housing)
    page = audit.page
    page.goto(f"{live_server.url}/register/")
    audit.check()
    page.get_by_label("Directorate").select_option(label="Roads")
    page.get_by_label("SME suppliers only").check()
    page.get_by_role("button", name="Apply").click()
    audit.check()
    rows = page.locator("tbody tr")
    assert rows.count() == 1
    assert "Winter gritting" in rows.first.inner_text()
    download = page.get_by_role("link", name="Download these as CSV")
    assert "sme=on" in download.get_attribute("href")

    page.goto(f"{live_server.url}/register/?q=R-&sort=value&order=desc&value=nonsense")
    audit.check()
    assert "Choose a value band from the list" in page.locator(".govuk-error-summary").inner_text()
    assert [page.locator("tbody tr").nth(i).locator("td").first.inner_text() for i in (0, 1)] == [
        "R-1",
        "R-2",
    ]


def test_an_approver_follows_the_count_in_the_navigation(live_server, sign_in, make_user):
    directorate = DirectorateFactory()
    author = make_user(Role.PROCUREMENT_OFFICER, directorate=directorate)
    partner = make_user(Role.BUSINESS_PARTNER, directorate=directorate)
    review = review_create(
        author=author,
        stage="G1",
        summary="Fleet strategy",
        project=ProjectFactory(title="Fleet", directorate=directorate),
        report=G1_REPORT,
    )
    review_submit(review=review, by=author)
    page, audit = sign_in(partner)
    menu = page.get_by_role("navigation", name="Menu")
    menu.get_by_role("link", name="Awaiting my decision (1)").click()
    audit.check()
    assert "Fleet" in page.inner_text("main")


def test_an_officer_returns_from_a_contract_to_the_filtered_register(
    live_server, sign_in, make_user
):
    manager = make_user(Role.CONTRACT_MANAGER)
    ContractFactory(reference="L-1", title="Library books", contract_manager=manager)
    ContractFactory(reference="L-2", title="Library vans", contract_manager=manager)
    page, audit = sign_in(manager)
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Performance").click()
    audit.check()
    page.goto(f"{live_server.url}/contracts/?q=books")
    audit.check()
    page.get_by_role("link", name="L-1").click()
    audit.check()
    page.get_by_role("navigation", name="Breadcrumb").get_by_role(
        "link", name="Contract register"
    ).click()
    audit.check()
    assert page.url.endswith("/contracts/?q=books")
    assert page.locator("tbody tr").count() == 1
