"""Who may decide a gateway report, through the pages: an executive director signs off a Tier A
report of their own directorate (recording the consultation with its date), another directorate's
executive director is offered no decision and refused one, and a Lead Member delegates their role
on the delegations page so that a deputy decides a Tier B report on their behalf. Each person in
their own browser, axe-core on every page."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from gateways.models import GatewayReview, StepDecision
from gateways.services import review_decide, review_submit
from gateways.tests.factories import ProjectFactory, TierBProjectFactory, g1_draft
from procurement.roles import Role
from procurement.services import user_set_portfolio
from procurement.tests.factories import DirectorateFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _main(page) -> str:
    return page.locator("main").inner_text()


def _fill_date(page, legend: str, day: date) -> None:
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def test_scope_and_delegation_of_gateway_decisions(live_server, sign_in, make_user):
    care = DirectorateFactory(name="Adult Social Care", code="care")
    housing = DirectorateFactory(name="Housing", code="housing")
    officer = make_user(Role.PROCUREMENT_OFFICER, directorate=care)
    partner = make_user(Role.BUSINESS_PARTNER)
    director = make_user(
        Role.EXECUTIVE_DIRECTOR, directorate=care, first_name="Fiona", last_name="MacLeod"
    )
    housing_director = make_user(
        Role.EXECUTIVE_DIRECTOR, directorate=housing, first_name="Oliver", last_name="Grant"
    )
    member = make_user(Role.LEAD_MEMBER, first_name="Ruth", last_name="Adeyemi")
    deputy = make_user(Role.LEAD_MEMBER, first_name="Sam", last_name="Patel")
    user_set_portfolio(user=member, directorates=[care], by=None, reason="Cabinet portfolio")
    user_set_portfolio(user=deputy, directorates=[housing], by=None, reason="Cabinet portfolio")
    today = timezone.localdate()

    def submitted(title: str, factory=ProjectFactory) -> GatewayReview:
        project = factory(title=title, directorate=care, lead_officer=officer)
        review = g1_draft(officer, project=project)
        return review_submit(review=review, by=officer)

    carers = submitted("Carers' support service")
    day_care = submitted("Day opportunities")
    review_decide(review=day_care, by=partner, outcome="approved")
    living = submitted("Supported living", TierBProjectFactory)
    review_decide(review=living, by=partner, outcome="approved")
    for role in (Role.CONSULTEE_LEGAL, Role.CONSULTEE_FINANCE, Role.CONSULTEE_COMMUNICATIONS):
        review_decide(review=living, by=make_user(role), outcome="commented", reasons="Content.")
    review_decide(
        review=living,
        by=make_user(Role.OFFICER_BOARD_MEMBER),
        outcome="recommended",
        meeting_date=today,
        minute_reference="OB 2026/11 min 3",
    )

    def open_from_awaiting(person, review):
        page, audit = sign_in(person)
        page.get_by_role("link", name="Gateway reports awaiting your decision").click()
        audit.check()
        page.get_by_role("link", name=str(review)).click()
        page.wait_for_url(f"{live_server.url}/gateways/reviews/{review.pk}/")
        audit.check()
        return page, audit

    # 1. Tier A, Adult Social Care: the business partner reviews it, then Adult Social Care's
    # executive director signs it off, recording who was consulted, when and what they said.
    page, audit = open_from_awaiting(partner, carers)
    page.get_by_label("Approved").check()
    page.get_by_role("button", name="Continue").click()
    audit.check()  # the check page
    page.get_by_role("button", name="Record your decision").click()
    assert "Recorded" in page.locator(".govuk-notification-banner").first.inner_text()
    audit.check()

    page, audit = open_from_awaiting(director, carers)
    assert "Your decision" in _main(page)
    page.get_by_label("Approved").check()
    page.get_by_label("Who was consulted (lead member)").fill("Cllr Ruth Adeyemi")
    page.get_by_label("What they said").fill("Content to proceed.")
    page.get_by_role("button", name="Continue").click()
    # The consultation's date is part of the record: without it, the decision is not taken.
    assert "who, on what date, and what they said" in (
        page.locator(".govuk-error-summary").inner_text()
    )
    audit.check()
    page.get_by_label("Approved").check()
    consulted_on = today - timedelta(days=2)
    _fill_date(page, "Date of the consultation", consulted_on)
    page.get_by_role("button", name="Continue").click()
    audit.check()  # the check page
    page.get_by_role("button", name="Record your decision").click()
    assert "Recorded" in page.locator(".govuk-notification-banner").first.inner_text()
    assert "Consulted Cllr Ruth Adeyemi on" in _main(page)
    audit.check()
    carers.refresh_from_db()
    assert carers.state == GatewayReview.State.APPROVED
    sign_off = StepDecision.objects.get(step__review=carers, decided_by=director)
    assert (sign_off.role, sign_off.consulted_on) == ("Executive director", consulted_on)

    # 2. Tier A, Adult Social Care, at the sign-off: Housing's executive director is not asked,
    # sees the report without a decision form, and a decision posted anyway is refused.
    page, audit = sign_in(housing_director)
    assert page.get_by_role("link", name="Gateway reports awaiting your decision").count() == 0
    page.goto(f"{live_server.url}/gateways/awaiting/")
    assert "No gateway report is waiting for you." in _main(page)
    audit.check()
    page.goto(f"{live_server.url}/gateways/reviews/{day_care.pk}/")
    assert "Day opportunities" in _main(page)
    assert page.get_by_role("button", name="Record your decision").count() == 0
    assert "Your decision" not in _main(page)
    audit.check()
    token = page.locator("input[name=csrfmiddlewaretoken]").first.get_attribute("value")
    refused = page.request.post(
        f"{live_server.url}/gateways/reviews/{day_care.pk}/decide/",
        form={
            "csrfmiddlewaretoken": token,
            "outcome": "approved",
            "consulted": "Cllr Ruth Adeyemi",
            "consulted_on_day": str(today.day),
            "consulted_on_month": str(today.month),
            "consulted_on_year": str(today.year),
            "consultation_notes": "Content to proceed.",
        },
        headers={"Referer": page.url},
        max_redirects=0,
    )
    # The service's refusal (not the CSRF check's): the person may not act here.
    assert refused.status == 403
    assert "You do not have access to this page" in refused.text()
    assert not StepDecision.objects.filter(decided_by=housing_director).exists()
    day_care.refresh_from_db()
    assert day_care.state == GatewayReview.State.IN_REVIEW

    # 3. Tier B, Adult Social Care, at the decision: the Lead Member delegates their lead member
    # role to a deputy, whose own portfolio does not hold the directorate.
    page, audit = sign_in(member)
    page.get_by_role("link", name="Delegate your gateway approvals while you are away").click()
    audit.check()
    page.get_by_label("Lead member").check()
    page.get_by_label("Who will decide for you?").select_option(label="Sam Patel")
    _fill_date(page, "From", today)
    _fill_date(page, "Until (inclusive)", today + timedelta(days=7))
    page.get_by_label("Why?").fill("Annual leave")
    page.get_by_role("button", name="Delegate").click()
    assert "Your approvals have been delegated" in (
        page.locator(".govuk-notification-banner").first.inner_text()
    )
    assert "Lead member to Sam Patel" in _main(page)
    audit.check()
    # The Lead Member is not asked for the decision: it is with their delegate.
    page.goto(f"{live_server.url}/gateways/awaiting/")
    assert "No gateway report is waiting for you." in _main(page)
    delegated = page.locator("h2:has-text('With your delegate') + p + ul")
    assert str(living) in delegated.inner_text()
    assert "with Sam Patel" in delegated.inner_text()
    audit.check()

    # The deputy decides it, on behalf of the Lead Member (chosen for them: they may not act in
    # their own right for this directorate).
    page, audit = open_from_awaiting(deputy, living)
    acting_for = page.get_by_label("Acting on behalf of")
    assert acting_for.locator("option:checked").inner_text().strip() == "Ruth Adeyemi"
    page.get_by_label("Approved").check()
    page.get_by_label("Key-decision reference", exact=True).fill("KD-2026-052")
    page.get_by_role("button", name="Continue").click()
    audit.check()  # the check page
    page.get_by_role("button", name="Record your decision").click()
    assert "Recorded" in page.locator(".govuk-notification-banner").first.inner_text()
    assert "Sam Patel on behalf of Ruth Adeyemi (lead member)" in _main(page)
    audit.check()
    living.refresh_from_db()
    assert living.state == GatewayReview.State.APPROVED
    decision = StepDecision.objects.get(step__review=living, outcome="approved", role="Lead member")
    assert (decision.decided_by, decision.on_behalf_of) == (deputy, member)
