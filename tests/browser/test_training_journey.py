"""Training in the browser: the central team finds a contract manager overdue for a mandatory
course, records their attendance with its evidence (errors first), and sees them leave the
overdue list; axe-core on every page at 1280 and 320 px, none wider than a 320 px screen."""

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from procurement.roles import Role
from training.models import Attendance, Course
from training.services import course_save

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _checked_at_both_widths(page, audit) -> None:
    audit.check()
    page.set_viewport_size({"width": 320, "height": 800})
    audit.check()
    fits = page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.set_viewport_size({"width": 1280, "height": 720})
    assert fits, f"{page.url} is wider than a 320 px screen"


def test_recording_attendance_takes_a_person_off_the_overdue_list(live_server, sign_in, make_user):
    partner = make_user(Role.BUSINESS_PARTNER)
    course_save(
        course=None,
        fields={
            "name": "Contract management",
            "audience": Course.Audience.CONTRACT_MANAGERS,
            "refresh_months": 36,
            "description": "",
            "is_active": True,
        },
        mandatory_for=list(Group.objects.filter(name=Role.CONTRACT_MANAGER.label)),
        by=partner,
        reason="Training plan",
    )
    dana = make_user(Role.CONTRACT_MANAGER, first_name="Dana", last_name="Reed")
    page, audit = sign_in(partner)
    page.get_by_role("link", name="Training", exact=True).first.click()
    _checked_at_both_widths(page, audit)
    page.get_by_label("Status").select_option(label="Overdue only")
    page.get_by_role("button", name="Apply filters").click()
    assert "Dana Reed" in page.locator("table").inner_text()
    _checked_at_both_widths(page, audit)
    page.get_by_role("link", name="Dana Reed").click()
    _checked_at_both_widths(page, audit)
    page.get_by_role("link", name="Record an attendance").click()
    page.get_by_role("button", name="Record the attendance").click()
    assert page.locator(".govuk-error-summary").is_visible()
    _checked_at_both_widths(page, audit)
    page.get_by_label("Course").select_option(label="Contract management")
    today = timezone.localdate()
    page.locator("input[name=attended_on_day]").fill(str(today.day))
    page.locator("input[name=attended_on_month]").fill(str(today.month))
    page.locator("input[name=attended_on_year]").fill(str(today.year))
    page.get_by_label("Evidence of attendance").fill("Certificate CM-2291")
    page.get_by_role("button", name="Record the attendance").click()
    assert "attendance at Contract management is recorded" in page.inner_text("main")
    _checked_at_both_widths(page, audit)
    assert Attendance.objects.get(person=dana).evidence == "Certificate CM-2291"
    page.goto(f"{live_server.url}/training/?status=overdue")
    assert "Nobody is due or overdue" in page.inner_text("main")
    _checked_at_both_widths(page, audit)
