"""The maturity self-assessment in the browser: the head of procurement scores a key area from the
home page, agrees its current and target levels, sees the radar chart and the gap list, and adds
an action for the widest gap to a new action plan. Axe on every page."""

import pytest

from maturity.models import ActionItem, AgreedLevel, Score
from maturity.selectors import framework_default
from maturity.services import assessment_create
from procurement.roles import Role

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_score_agree_see_the_radar_and_gaps_and_add_an_action(live_server, sign_in, make_user):
    head = make_user(
        Role.HEAD_OF_PROCUREMENT, email="head@council.example", first_name="Hana", last_name="Bell"
    )
    officer = make_user(Role.PROCUREMENT_OFFICER, first_name="Olu", last_name="Ade")
    assessment = assessment_create(
        framework=framework_default(),
        name="NPS self-assessment",
        year=2026,
        score_by=None,
        participants=[head, officer],
        by=head,
    )

    page, audit = sign_in(head)
    page.get_by_role("link", name="Behaviours to score in NPS self-assessment (2026/27)").click()
    audit.check()
    page.get_by_role("link", name="1. Engaging Councillors and Senior Managers").click()
    audit.check()
    first = page.get_by_role("group", name="1.1 Influence and Impact: where is the council today?")
    first.get_by_label("Developing").check()
    page.get_by_role("button", name="Save these scores").click()
    summary = page.locator(".govuk-error-summary")
    assert "Say what shows Influence and Impact is at Developing" in summary.inner_text()
    audit.check()
    behaviours = [
        ("Influence and Impact", "Developing", "Advice noted on two projects this year."),
        ("Mission and Strategy", "Mature", "Strategy approved by Cabinet in 2025."),
        ("Processes", "Developing", "Gateway reviews started, roles not yet defined."),
        ("Training and Development", "Minimum", "No member training this year."),
    ]
    for number, (name, level, evidence) in enumerate(behaviours, start=1):
        group = page.get_by_role("group", name=f"1.{number} {name}: where is the council today?")
        group.get_by_label(level, exact=True).check()
        page.get_by_label(f"Evidence for {name}").fill(evidence)
    page.get_by_role("button", name="Save these scores").click()
    assert "Your scores for Engaging Councillors and Senior Managers have been saved" in (
        page.locator(".govuk-notification-banner").inner_text()
    )
    assert "Completed" in page.locator("main").inner_text()
    audit.check()
    assert Score.objects.filter(participant__user=head).count() == 4

    page.get_by_role("link", name=str(assessment)).click()
    audit.check()
    page.get_by_role("link", name="1. Engaging Councillors and Senior Managers").click()
    audit.check()
    page.get_by_role("link", name="Agree the levels").click()
    audit.check()
    # The current level starts at the participants' view; the central team sets the targets.
    assert page.get_by_label("Agreed current level for Mission and Strategy").input_value() == "3"
    for name, target in [
        ("Influence and Impact", "Leader"),
        ("Mission and Strategy", "Leader"),
        ("Processes", "Mature"),
        ("Training and Development", "Innovator"),
    ]:
        page.get_by_label(f"Target level for {name}").select_option(label=target)
    page.get_by_role("button", name="Save the agreed levels").click()
    assert "The levels for Engaging Councillors and Senior Managers have been agreed" in (
        page.locator(".govuk-notification-banner").inner_text()
    )
    audit.check()
    assert AgreedLevel.objects.filter(assessment=assessment).count() == 4

    page.get_by_role("link", name=str(assessment)).click()
    radar = page.get_by_role("img", name="Maturity by key area")
    assert radar.is_visible()
    table = page.locator("#results-table")
    row = table.get_by_role("row", name="1. Engaging Councillors and Senior Managers")
    # Current (2 + 3 + 2 + 1) / 4 = 2.0; target (4 + 4 + 3 + 5) / 4 = 4.0.
    assert row.get_by_role("cell").all_inner_texts()[1:4] == ["2.0", "4.0", "2.0"]
    # The widest gap first: Training and Development, Minimum to Innovator.
    widest = page.locator("#gaps-table tbody tr").first
    assert widest.inner_text().startswith("1.4 Training and Development")
    audit.check()

    page.get_by_role("link", name="Start an action plan for these gaps").click()
    audit.check()
    page.get_by_label("Name").fill("Improvement plan 2026/27")
    page.get_by_role("button", name="Start the plan").click()
    audit.check()
    page.get_by_role("link", name="NPS self-assessment (2026/27)").first.click()
    page.get_by_role("link", name="Add an action for 1.4 Training and Development").click()
    audit.check()
    assert (
        "from Minimum to Innovator" in page.get_by_label("The recommendation or gap").input_value()
    )
    page.get_by_label("Proposed actions").fill("Commercial module in the member induction.")
    page.get_by_label("Owner").select_option(label="Olu Ade")
    page.get_by_label("Day").fill("31")
    page.get_by_label("Month").fill("3")
    page.get_by_label("Year").fill("2027")
    page.get_by_role("button", name="Add the action").click()
    assert "The action has been added to the plan" in (
        page.locator(".govuk-notification-banner").inner_text()
    )
    audit.check()
    item = ActionItem.objects.get()
    assert (item.kind, item.behaviour.code, item.owner) == ("gap", "1.4", officer)
    assert "R1" in page.locator("table").inner_text()
