"""What the training pages, and the pages the training rule gates, say to the person: money as
people write it, a refusal said before the form and with a way forward, and specific messages."""

import html
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from contracts.tests.factories import SupplierFactory
from gateways.services import review_create
from gateways.tests.factories import ProjectFactory
from procurement.roles import Role
from procurement.tests.factories import DirectorateFactory
from training.models import Course, TrainingRule
from training.tests.test_training import _at_sign_off, _course, _rule

pytestmark = pytest.mark.django_db


@pytest.fixture
def partner(make_user):
    return make_user(Role.BUSINESS_PARTNER, first_name="Pat", last_name="Jones")


@pytest.fixture
def head(make_user):
    return make_user(Role.HEAD_OF_PROCUREMENT)


def _text(response) -> str:
    return " ".join(html.unescape(response.content.decode()).split())


# --- 1. Money as people write it -----------------------------------------------------------------


def test_the_rules_show_their_value_with_one_pound_sign(client, partner, head):
    _rule(head, _course(partner), on=False)
    client.force_login(head)
    page = _text(client.get(reverse("training:courses")))
    assert "Contract management, over £100,000: switched off" in page
    assert "££" not in page


def test_the_rule_form_offers_its_value_as_the_hint_writes_it(client, partner, head):
    _rule(head, _course(partner))
    client.force_login(head)
    url = reverse("training:rule_edit", args=[TrainingRule.Activity.CONTRACT_MANAGEMENT])
    page = client.get(url).content.decode()
    assert 'value="100,000"' in page
    assert "100000.00" not in page


# --- 2. The gateway refusal, said before the form --------------------------------------------


def _gateway_rule(partner, head):
    course = _course(partner, name="Gateway approvals", roles=(Role.EXECUTIVE_DIRECTOR,), months=24)
    _rule(head, course, activity=TrainingRule.Activity.GATEWAY_DECISION)
    return course


def test_an_untrained_approver_is_warned_before_the_form(client, partner, head, make_user):
    _gateway_rule(partner, head)
    review, director = _at_sign_off(make_user, partner)
    client.force_login(director)
    warning = (
        "You cannot take this step until you have a current record of Gateway approvals: "
        "no attendance at it is recorded for you."
    )
    for url in (
        reverse("gateways:review", args=[review.pk]),
        reverse("gateways:decide", args=[review.pk]),
    ):
        page = _text(client.get(url))
        assert warning in page, url
        assert page.index(warning) < page.index('name="outcome"'), url
        assert f'href="{reverse("training:mine")}"' in page
        assert f'href="{reverse("gateways:delegations")}"' in page


def test_a_trained_approver_sees_no_warning(client, partner, head, make_user):
    from training.services import attendance_record

    course = _gateway_rule(partner, head)
    review, director = _at_sign_off(make_user, partner)
    attendance_record(
        person=director, course=course, attended_on=timezone.localdate(), evidence="x", by=partner
    )
    client.force_login(director)
    page = _text(client.get(reverse("gateways:decide", args=[review.pk])))
    assert "You cannot take this step" not in page


def test_the_refusal_is_about_the_person_and_says_who_records_the_course(
    client, partner, head, make_user
):
    _gateway_rule(partner, head)
    review, director = _at_sign_off(make_user, partner)
    review.project.directorate.business_partner = partner
    review.project.directorate.save()
    director.directorate.business_partner = partner
    director.directorate.save()
    client.force_login(director)
    answer = client.post(reverse("gateways:decide", args=[review.pk]), {"outcome": "approved"})
    assert answer.status_code == 200
    form = answer.context["form"]
    assert list(form.errors) == ["__all__"]
    summary = answer.content.decode().split('govuk-error-summary__list">')[1]
    summary = " ".join(summary.split("</ul>")[0].split())
    assert "<a " not in summary
    assert "Ask the central team (Pat Jones) to record your attendance" in summary
    assert "delegate your approvals to a colleague who holds one. Delegate them at" in summary
    assert reverse("gateways:delegations") in summary


def test_a_gateway_2_author_is_warned_of_an_untrained_lead_officer_at_submission(
    client, partner, head, make_user
):
    course = _course(partner)
    _rule(head, course)
    directorate = DirectorateFactory()
    author = make_user(Role.PROCUREMENT_OFFICER, directorate=directorate)
    lead = make_user(
        Role.CONTRACT_MANAGER, directorate=directorate, first_name="Dana", last_name="Reed"
    )
    director = make_user(Role.EXECUTIVE_DIRECTOR, directorate=directorate)
    review = review_create(
        author=author,
        stage="G2",
        summary="Award",
        project=ProjectFactory(directorate=directorate, lead_officer=lead),
        report={
            "tender_outcome": "Four bids",
            "recommended_supplier": SupplierFactory(),
            "award_value": Decimal("480000.00"),
            "contract_start": date(2027, 4, 1),
            "contract_end": date(2030, 3, 31),
            "contract_lead_director": director,
        },
    )
    client.force_login(author)
    warning = (
        "Dana Reed has no record of the course Contract management: record a current course "
        "before making Dana Reed the manager of a contract over £100,000"
    )
    for url in (
        reverse("gateways:review", args=[review.pk]),
        reverse("gateways:submit", args=[review.pk]),
    ):
        assert warning in _text(client.get(url)), url


# --- 3. The contract manager refusal, with a way forward ------------------------------------------


def _manager_change(partner, head, make_user):
    from contracts.tests.factories import ContractFactory
    from training.services import attendance_record

    course = _course(partner)
    directorate = DirectorateFactory(business_partner=partner)
    trained = make_user(Role.CONTRACT_MANAGER, directorate=directorate)
    attendance_record(
        person=trained, course=course, attended_on=timezone.localdate(), evidence="x", by=partner
    )
    untrained = make_user(
        Role.CONTRACT_MANAGER, directorate=directorate, first_name="Dana", last_name="Reed"
    )
    contract = ContractFactory(
        whole_life_value=Decimal("300000.00"),
        contract_manager=trained,
        lead_director=trained,
        directorate=directorate,
    )
    _rule(head, course)
    return contract, untrained


def test_a_refused_manager_comes_with_a_link_to_record_their_course(
    client, partner, head, make_user
):
    from contracts.tests.test_pages import form_data

    contract, untrained = _manager_change(partner, head, make_user)
    client.force_login(partner)
    answer = client.post(
        reverse("contracts:edit", args=[contract.pk]),
        form_data(contract, contract_manager=untrained.pk, change_reason="New manager"),
    )
    assert answer.status_code == 200
    page = _text(answer)
    assert "Dana Reed has no record of the course Contract management" in page
    record = f"{reverse('training:record')}?person={untrained.pk}"
    assert f'href="{record}">Record Dana Reed\'s attendance at a current course</a>' in page
    form = client.get(record).context["form"]
    assert form["person"].value() == untrained.pk


def test_someone_outside_the_central_team_is_told_whom_to_ask(client, partner, head, make_user):
    from contracts.tests.test_pages import form_data

    contract, untrained = _manager_change(partner, head, make_user)
    officer = make_user(Role.PROCUREMENT_OFFICER, directorate=contract.directorate)
    client.force_login(officer)
    answer = client.post(
        reverse("contracts:edit", args=[contract.pk]),
        form_data(contract, contract_manager=untrained.pk, change_reason="New manager"),
    )
    page = _text(answer)
    assert (
        "Ask the central team (Pat Jones) to record Dana Reed's attendance at a current course"
        in page
    )


def test_a_running_contract_warns_of_its_untrained_manager(client, partner, head, make_user):
    from contracts.tests.factories import ContractFactory

    course = _course(partner)
    dana = make_user(Role.CONTRACT_MANAGER, first_name="Dana", last_name="Reed")
    contract = ContractFactory(
        whole_life_value=Decimal("300000.00"),
        contract_manager=dana,
        lead_director=dana,
        directorate=dana.directorate,
    )
    _rule(head, course)
    client.force_login(partner)
    page = _text(client.get(reverse("contracts:detail", args=[contract.pk])))
    assert (
        "Dana Reed has no record of the course Contract management: the policy asks the "
        "manager of a contract over £100,000 for a current course." in page
    )
    assert f"{reverse('training:record')}?person={dana.pk}" in page


# --- 7. Specific messages ---------------------------------------------------------------------


def _errors(response) -> list[str]:
    return [str(e) for errors in response.context["form"].errors.values() for e in errors]


def test_the_rule_form_says_what_is_missing_or_wrong(client, partner, head):
    _course(partner)
    client.force_login(head)
    url = reverse("training:rule_edit", args=[TrainingRule.Activity.CONTRACT_MANAGEMENT])
    empty = _errors(client.post(url, {"value_above": "", "reason": ""}))
    assert "Enter the value over which the rule applies, for example £100,000" in empty
    assert "Say why you are making this change" in empty
    negative = _errors(client.post(url, {"value_above": "-1", "reason": "x"}))
    assert "The value over which the rule applies must be £0 or more" in negative


def test_the_course_form_says_what_is_missing_or_wrong(client, partner):
    _course(partner)
    client.force_login(partner)
    url = reverse("training:course_add")
    data = {"name": "", "audience": "officers", "refresh_months": "121", "reason": "x"}
    errors = _errors(client.post(url, data))
    assert "Enter the course name" in errors
    assert "Enter how many months before the course must be refreshed, from 1 to 120" in errors
    again = _errors(client.post(url, {**data, "name": "Contract management", "refresh_months": ""}))
    assert again == ["A course called Contract management already exists"]


def test_each_rule_page_speaks_of_its_own_activity(client, head):
    client.force_login(head)
    manager = _text(
        client.get(reverse("training:rule_edit", args=[TrainingRule.Activity.CONTRACT_MANAGEMENT]))
    )
    gateway = _text(
        client.get(reverse("training:rule_edit", args=[TrainingRule.Activity.GATEWAY_DECISION]))
    )
    assert "refuses to name as a contract's manager anyone without" in manager
    assert "gateway step" not in manager
    assert "refuses a decision or a recommendation at a gateway step" in gateway
    assert "contract's manager" not in gateway


# --- 4. Attendance: a sensible date, and once ----------------------------------------------------


def _attendance(person, course, day, evidence="Register signed") -> dict:
    return {
        "person": person.pk,
        "course": course.pk,
        "attended_on_day": day.day,
        "attended_on_month": day.month,
        "attended_on_year": day.year,
        "evidence": evidence,
    }


def test_an_attendance_more_than_ten_years_ago_is_refused(client, partner, make_user):
    from training.models import Attendance, add_months

    course = _course(partner)
    dana = make_user(Role.CONTRACT_MANAGER, first_name="Dana", last_name="Reed")
    client.force_login(partner)
    earliest = add_months(timezone.localdate(), -120)
    answer = client.post(reverse("training:record"), _attendance(dana, course, date(1900, 1, 1)))
    assert answer.status_code == 200
    assert _errors(answer) == [
        "The date attended must be within the last 10 years: 1 January 1900 is more than 10 "
        f"years ago. Enter a date on or after {earliest:%-d %B %Y}"
    ]
    assert not Attendance.objects.exists()
    answer = client.post(reverse("training:record"), _attendance(dana, course, earliest))
    assert answer.status_code == 302


def test_the_same_attendance_twice_is_refused(client, partner, make_user):
    from training.models import Attendance

    course = _course(partner)
    dana = make_user(Role.CONTRACT_MANAGER, first_name="Dana", last_name="Reed")
    client.force_login(partner)
    day = date(2026, 5, 12)
    assert (
        client.post(reverse("training:record"), _attendance(dana, course, day)).status_code == 302
    )
    again = client.post(reverse("training:record"), _attendance(dana, course, day, "Again"))
    assert again.status_code == 200
    assert _errors(again) == [
        "Dana Reed's attendance at Contract management on 12 May 2026 is already recorded: "
        "enter another date, or another course"
    ]
    assert Attendance.objects.count() == 1


# --- 5. The list's count, in words that fit the status --------------------------------------------


def test_the_list_counts_people_and_courses_by_the_status_shown(client, partner, make_user):
    from training.services import attendance_record

    course = _course(partner)
    _course(partner, name="Gateway approvals")
    today = timezone.localdate()
    for name in ("Ann", "Bea"):
        person = make_user(Role.CONTRACT_MANAGER, first_name=name)
        for each in course, Course.objects.get(name="Gateway approvals"):
            attendance_record(
                person=person, course=each, attended_on=today, evidence="x", by=partner
            )
    make_user(Role.CONTRACT_MANAGER, first_name="Cy")
    client.force_login(partner)
    due = reverse("training:due")
    assert "4 mandatory courses current, for 2 people." in _text(
        client.get(due, {"status": "current"})
    )
    assert "2 mandatory courses not taken, for 1 person." in _text(
        client.get(due, {"status": "not_taken"})
    )
    assert "1 mandatory course not taken, for 1 person." in _text(
        client.get(due, {"status": "not_taken", "course": course.pk})
    )
    expired = _text(client.get(due, {"status": "expired"}))
    assert "0 mandatory courses expired, for 0 people." in expired
    assert "No one's mandatory course is expired." in expired
    assert "to attend" not in _text(client.get(due))


# --- 8. An overdue course is something waiting ------------------------------------------------


def test_an_overdue_course_is_waiting_on_the_home_page(client, partner, make_user):
    _course(partner)
    person = make_user(Role.CONTRACT_MANAGER)
    client.force_login(person)
    home = client.get(reverse("procurement:home"))
    page = _text(home)
    assert "Nothing is waiting for you" not in page
    items = {item.title: item for item in home.context["attention_items"]}
    waiting = items["Your mandatory training to attend"]
    assert (waiting.count, waiting.href) == (1, reverse("training:mine"))
    assert waiting.description.startswith("1 overdue:")


def test_nothing_is_waiting_for_someone_whose_training_is_current(client, partner, make_user):
    from training.services import attendance_record

    course = _course(partner)
    person = make_user(Role.CONTRACT_MANAGER)
    attendance_record(
        person=person, course=course, attended_on=timezone.localdate(), evidence="x", by=partner
    )
    client.force_login(person)
    assert "Nothing is waiting for you" in _text(client.get(reverse("procurement:home")))


# --- 6. A filter that does not parse is said, and only it ignored ---------------------------------


def test_a_filter_that_does_not_parse_is_said_and_ignored_alone(client, partner, make_user):
    _course(partner)
    make_user(Role.CONTRACT_MANAGER, first_name="Nora", last_name="Never")
    client.force_login(partner)
    due = reverse("training:due")
    answer = client.get(due, {"status": "nonsense", "course": "abc"})
    page = _text(answer)
    assert "govuk-error-summary" in page
    assert "Choose a status from the list" in page
    assert "Choose a course from the list" in page
    assert "<title> Error:" in page
    assert "1 mandatory course due or overdue, for 1 person." in page
    # The filter that parses is kept.
    current = _text(client.get(due, {"status": "current", "course": "abc"}))
    assert "Choose a course from the list" in current
    assert "0 mandatory courses current, for 0 people." in current
