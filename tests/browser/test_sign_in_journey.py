"""A person signs in, sees their home page and the reference data, is refused what their role does
not allow, signs out and asks for a new password, with axe-core checking every page."""

import pytest
from playwright.sync_api import expect

from conftest import TEST_PASSWORD
from procurement.roles import Role

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_sign_in_home_reference_data_and_sign_out(live_server, audit, make_user):
    make_user(
        Role.BUSINESS_PARTNER,
        email="hannah.lewis@council.example",
        first_name="Hannah",
        last_name="Lewis",
    )
    page = audit.page

    page.goto(f"{live_server.url}/")
    assert page.url.startswith(f"{live_server.url}/accounts/sign-in/")
    assert page.title().startswith("Sign in")
    audit.check()

    page.get_by_role("button", name="Sign in").click()
    summary = page.locator(".govuk-error-summary")
    assert "Enter your email address" in summary.inner_text()
    # GOV.UK Frontend's script moves focus to the summary so screen readers announce it.
    assert page.evaluate("document.activeElement.classList.contains('govuk-error-summary')")
    audit.check()

    page.get_by_label("Email address").fill("hannah.lewis@council.example")
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/")
    assert page.get_by_role("heading", level=1).inner_text().endswith("What needs your attention")
    assert "Nothing is waiting for you" in page.locator("main").inner_text()
    assert "Signed in as Hannah Lewis" in page.locator(".app-user-bar").inner_text()
    daily = [
        "Awaiting my decision (0)",
        "Dashboard",
        "Contracts",
        "Performance",
        "Social value",
        "Forward plan",
    ]
    now_and_then = [
        "Reference data",
        "Maturity",
        "Spend",
        "Assurance",
        "Procurement Act",
        "Training",
        "Annual reports",
    ]
    navigation = page.get_by_role("navigation", name="Menu")
    others = page.get_by_role("navigation", name="Other sections")
    assert navigation.get_by_role("link").all_inner_texts() == daily
    assert others.get_by_role("link").all_inner_texts() == now_and_then
    audit.check()
    # On a phone the menu folds behind its button, and holds every section.
    page.set_viewport_size({"width": 390, "height": 800})
    # The menu folds as the page learns of the narrower window: wait for it.
    expect(navigation.get_by_role("link", name="Contracts")).to_be_hidden()
    expect(others).to_be_hidden()
    page.get_by_role("button", name="Menu").click()
    assert navigation.get_by_role("link").all_inner_texts() == daily + now_and_then
    audit.check()
    page.set_viewport_size({"width": 1280, "height": 720})

    others.get_by_role("link", name="Reference data").click()
    page.wait_for_url(f"{live_server.url}/reference-data/")
    assert page.get_by_role("heading", name="Approval policy in force").is_visible()
    audit.check()

    page.get_by_role("link", name="Check which gateways and approvers a procurement needs").click()
    page.wait_for_url(f"{live_server.url}/gateways/routing-preview/")
    audit.check()
    page.get_by_role("button", name="Show the route").click()
    assert "Choose the gateway" in page.locator(".govuk-error-summary").inner_text()
    audit.check()
    page.get_by_label("Gateway 1: procurement strategy").check()
    page.get_by_label("Estimated whole-life value (£)").fill("£1,500,000.01")
    page.get_by_role("button", name="Show the route").click()
    assert page.locator("#route").inner_text() == "G1 is required: Tier B"
    audit.check()

    page.get_by_role("link", name="Accessibility statement").click()
    page.wait_for_url(f"{live_server.url}/accessibility/")
    audit.check()

    # A business partner is not an administrator: the admin answers with the styled 403 page.
    page.goto(f"{live_server.url}/admin/")
    assert page.get_by_role("heading", level=1).inner_text() == (
        "You do not have access to this page"
    )
    audit.check()

    page.goto(f"{live_server.url}/no-such-page/")
    assert page.get_by_role("heading", level=1).inner_text() == "Page not found"
    audit.check()

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{live_server.url}/accounts/signed-out/")
    assert page.get_by_role("heading", level=1).inner_text() == "You have signed out"
    audit.check()

    page.goto(f"{live_server.url}/reference-data/")
    assert page.url.startswith(f"{live_server.url}/accounts/sign-in/")
    audit.check()

    page.get_by_role("link", name="I have forgotten my password").click()
    page.wait_for_url(f"{live_server.url}/accounts/password-reset/")
    page.get_by_role("button", name="Send the link").click()
    assert "Enter your email address" in page.locator(".govuk-error-summary").inner_text()
    audit.check()
    page.get_by_label("Email address").fill("hannah.lewis@council.example")
    page.get_by_role("button", name="Send the link").click()
    page.wait_for_url(f"{live_server.url}/accounts/password-reset/sent/")
    assert page.get_by_role("heading", level=1).inner_text() == "Check your email"
    audit.check()
