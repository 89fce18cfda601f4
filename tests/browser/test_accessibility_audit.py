"""The accessibility audit fails on a page that breaks WCAG, so a clean run means something."""

import pytest

from tests.browser.conftest import AccessibilityAudit

pytestmark = pytest.mark.browser


def test_the_audit_reports_a_wcag_violation(page):
    page.set_content(
        '<html lang="en"><head><title>t</title></head><body><img src="a.png"></body></html>'
    )
    audit = AccessibilityAudit(page)
    with pytest.raises(AssertionError, match="image-alt"):
        audit.check()


def test_the_audit_passes_an_accessible_page(page):
    page.set_content(
        '<html lang="en"><head><title>t</title></head>'
        '<body><main><h1>Title</h1><img src="a.png" alt="A chart"></main></body></html>'
    )
    AccessibilityAudit(page).check()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_audit_fails_on_anything_the_content_security_policy_blocks(page, live_server):
    page.goto(f"{live_server.url}/accessibility/")
    audit = AccessibilityAudit(page)
    audit.check()  # the service's own page: nothing blocked
    page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.ran = true'; document.body.appendChild(s); }"
    )
    assert page.evaluate("() => window.ran") is None  # the inline script did not run
    with pytest.raises(AssertionError, match="blocked by the Content Security Policy"):
        audit.check()
