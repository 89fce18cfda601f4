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
