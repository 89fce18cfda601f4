"""The maturity pages: who may see and do what, the published framework, the forms' errors, the
tracker, and a fixed number of queries whatever the size of the assessment."""

import json
from datetime import date

import pytest
from django.urls import reverse

from maturity.models import ActionItem, AgreedLevel, Score
from maturity.services import ActionTerms, action_item_add, action_plan_create, participant_add
from maturity.toolkit import FRAMEWORK_FILE
from procurement.roles import Role

from .factories import agree, assessment, behaviours, key_area, score

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(make_user):
    return {
        "head": make_user(Role.HEAD_OF_PROCUREMENT, first_name="Hana", last_name="Head"),
        "officer": make_user(Role.PROCUREMENT_OFFICER, first_name="Olu", last_name="Officer"),
        "member": make_user(Role.LEAD_MEMBER),
        "auditor": make_user(Role.AUDITOR),
        "manager": make_user(Role.CONTRACT_MANAGER),
    }


@pytest.fixture
def open_assessment(people):
    made = assessment(by=people["head"], participants=[people["officer"]])
    score(made, people["officer"], 1, [2, 3, 3, 1], evidence="Cabinet papers from May")
    agree(made, people["head"], 1, [(2, 4), (3, 4), (3, 3), (1, 3)])
    return made


def url(name, *args):
    return reverse(f"maturity:{name}", args=args)


def test_the_framework_is_published_to_anyone_as_json(client):
    response = client.get(url("framework_json"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    published = response.json()
    shipped = json.loads(FRAMEWORK_FILE.read_text(encoding="utf-8"))
    assert published["themes"] == shipped["themes"]
    assert published["levels"] == ["Minimum", "Developing", "Mature", "Leader", "Innovator"]
    area = published["themes"][0]["key_areas"][0]
    assert set(area) == {
        "number",
        "name",
        "description",
        "help",
        "notes",
        "principle",
        "behaviours",
    }
    assert set(area["behaviours"][0]["descriptors"]) == {
        "minimum",
        "developing",
        "mature",
        "leader",
        "innovator",
    }


@pytest.mark.parametrize("role", list(Role))
def test_every_council_role_reads_the_results(client, user_for_role, role, people, open_assessment):
    client.force_login(user_for_role(role))
    for page in (
        url("index"),
        url("framework"),
        url("assessment", open_assessment.pk),
        url("key_area", open_assessment.pk, key_area(1).pk),
    ):
        assert client.get(page).status_code == 200, page


def test_the_public_and_people_without_a_role_see_no_results(client, make_user, open_assessment):
    page = url("assessment", open_assessment.pk)
    assert client.get(page).status_code == 302
    client.force_login(make_user())
    assert client.get(page).status_code == 403


def test_participants_evidence_is_for_the_central_team_auditors_and_participants(
    client, people, open_assessment
):
    page = url("key_area", open_assessment.pk, key_area(1).pk)
    for who, sees in [
        ("head", True),
        ("auditor", True),
        ("officer", True),
        ("member", False),
        ("manager", False),
    ]:
        client.force_login(people[who])
        assert ("Cabinet papers from May" in client.get(page).content.decode()) is sees, who


def test_only_participants_reach_the_scoring_pages(client, people, open_assessment):
    area = key_area(2).pk
    client.force_login(people["head"])  # central team, but not a participant
    assert client.get(url("score", open_assessment.pk, area)).status_code == 403
    assert client.get(url("score_list", open_assessment.pk)).status_code == 403
    client.force_login(people["officer"])
    assert client.get(url("score", open_assessment.pk, area)).status_code == 200
    assert client.get(url("agree", open_assessment.pk, area)).status_code == 403
    assert client.post(url("close", open_assessment.pk)).status_code == 403


def test_a_key_area_of_another_framework_or_assessment_is_not_found(
    client, people, open_assessment
):
    client.force_login(people["officer"])
    assert client.get(url("score", open_assessment.pk, 9999)).status_code == 404
    assert client.get(url("key_area", 9999, key_area(1).pk)).status_code == 404


def test_scoring_a_key_area_shows_each_error_and_writes_nothing(client, people, open_assessment):
    client.force_login(people["officer"])
    first, second, third = behaviours(2)
    response = client.post(
        url("score", open_assessment.pk, key_area(2).pk),
        {
            f"level_{first.pk}": "3",
            f"evidence_{first.pk}": "Joint board minutes",
            f"level_{second.pk}": "2",
            f"evidence_{second.pk}": "",
            f"level_{third.pk}": "9",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "govuk-error-summary" in page
    assert "Choose one of the answers to" in page
    assert not Score.objects.filter(behaviour__key_area=key_area(2)).exists()
    response = client.post(
        url("score", open_assessment.pk, key_area(2).pk),
        {
            f"level_{first.pk}": "3",
            f"evidence_{first.pk}": "Joint board minutes",
            f"level_{second.pk}": "2",
            f"evidence_{second.pk}": "",
        },
    )
    assert "Say what shows Processes is at Developing" in response.content.decode()
    assert not Score.objects.filter(behaviour__key_area=key_area(2)).exists()


def test_agreeing_levels_from_the_page(client, people, open_assessment):
    client.force_login(people["head"])
    first, second, _ = behaviours(2)
    page = url("agree", open_assessment.pk, key_area(2).pk)
    response = client.post(
        page, {f"current_{first.pk}": "3", f"target_{first.pk}": "2", f"current_{second.pk}": ""}
    )
    assert "cannot be below its current level (Mature)" in response.content.decode()
    response = client.post(
        page,
        {f"current_{first.pk}": "3", f"target_{first.pk}": "4", f"rationale_{first.pk}": "Pilots"},
    )
    assert response.status_code == 302
    agreed = AgreedLevel.objects.get(assessment=open_assessment, behaviour=first)
    assert (agreed.current, agreed.target, agreed.agreed_by) == (3, 4, people["head"])


def test_the_results_page_has_the_radar_its_table_and_the_gaps(client, people, open_assessment):
    client.force_login(people["member"])
    page = client.get(url("assessment", open_assessment.pk)).content.decode()
    assert '<svg width="100%"' in page
    assert "Maturity by key area" in page
    assert "Current against target, by theme and key area" in page
    # Key area 1: current (2+3+3+1)/4 = 2.3, target (4+4+3+3)/4 = 3.5.
    assert ">2.3<" in page
    assert ">3.5<" in page
    gaps = page.split('id="gaps"')[1]
    assert gaps.index("1.1 Influence and Impact") < gaps.index("1.2 Mission and Strategy")


def test_the_results_page_reads_a_fixed_number_of_queries(
    client, people, open_assessment, make_user, django_assert_max_num_queries
):
    client.force_login(people["head"])
    page = url("assessment", open_assessment.pk)
    client.get(page)
    with django_assert_max_num_queries(20) as few:
        client.get(page)
    for n in range(4):
        extra = make_user(Role.PROCUREMENT_OFFICER)
        participant_add(assessment=open_assessment, user=extra, by=people["head"])
        for number in range(1, 10):
            score(open_assessment, extra, number, [n % 5 + 1] * 10)
        agree(open_assessment, people["head"], n + 2, [(2, 3)] * 10)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(page)


@pytest.fixture
def plan(people):
    made = action_plan_create(
        name="Kent-style plan", assessment=None, description="", by=people["head"]
    )
    action_item_add(
        plan=made,
        terms=ActionTerms(
            kind=ActionItem.Kind.RECOMMENDATION,
            recommendation="Every contract over £50,000 has a named manager.",
            behaviour=None,
            key_areas=[key_area(5)],
            actions="Assign managers; check monthly.",
            owner=people["manager"],
            due_by=date(2026, 3, 31),
        ),
        by=people["head"],
    )
    return made


def test_the_tracker_has_kents_columns(client, people, plan):
    client.force_login(people["auditor"])
    page = client.get(url("tracker", plan.pk)).content.decode()
    for heading in (
        "Recommendation",
        "Proposed actions",
        "Timescale",
        "Responsible owner",
        "Progress to date",
        "Status",
    ):
        assert f">{heading}</th>" in page
    assert "March 2026" in page
    assert "Not started" in page


def test_the_owner_records_progress_and_others_may_not(client, people, plan):
    item = plan.items.get()
    progress = url("progress", plan.pk, item.pk)
    client.force_login(people["officer"])
    assert client.get(progress).status_code == 403
    assert client.get(url("item_create", plan.pk)).status_code == 403
    client.force_login(people["manager"])
    response = client.post(
        progress,
        {
            "noted_on_day": "1",
            "noted_on_month": "2",
            "noted_on_year": "2026",
            "text": "14 contracts assigned",
            "status": "ongoing",
        },
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == ActionItem.Status.ONGOING
    # Another plan's id in the address finds nothing.
    other = action_plan_create(name="Other", assessment=None, description="", by=people["head"])
    assert client.get(url("item", other.pk, item.pk)).status_code == 404


def test_an_action_for_a_gap_starts_filled_in(client, people, open_assessment):
    made = action_plan_create(
        name="Gaps", assessment=open_assessment, description="", by=people["head"]
    )
    first = behaviours(1)[0]
    client.force_login(people["head"])
    page = client.get(url("item_create", made.pk) + f"?behaviour={first.pk}")
    form = page.context["form"]
    assert form.initial["kind"] == ActionItem.Kind.GAP
    assert form.initial["recommendation"] == (
        "Move 1.1 Influence and Impact (Engaging Councillors and Senior Managers) from "
        "Developing to Leader."
    )
