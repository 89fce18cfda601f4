"""The training records and every rule they carry: courses and attendance kept with history, who
is due or overdue, the home panel and the weekly digest (sent once), and the policy's rule
refusing an untrained person a gateway decision or a contract over its value, on every path."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from alerts.services import escalation_digests_send
from contracts.services import contract_create, contract_update
from contracts.tests.factories import ContractFactory, SupplierFactory
from gateways.services import GatewayError, review_create, review_decide, review_submit
from gateways.tests.factories import G1_REPORT, ProjectFactory
from procurement.models import ContractCategory, Notification
from procurement.roles import Role
from procurement.tests.factories import DirectorateFactory
from tests.test_api import client_with, token_for
from training.models import Attendance, Course, TrainingRule, add_months
from training.selectors import (
    DueFilters,
    Status,
    contract_manager_refusal,
    programme_delivered,
    training_due,
)
from training.services import TrainingError, attendance_record, course_save, training_rule_set

pytestmark = pytest.mark.django_db

CONSULTATION = {
    "consulted": "Cllr Adeyemi",
    "consulted_on": date(2026, 11, 18),
    "consultation_notes": "Content to proceed.",
}


def _course(
    by,
    name="Contract management",
    roles=(Role.CONTRACT_MANAGER,),
    months=36,
    audience=Course.Audience.CONTRACT_MANAGERS,
):
    return course_save(
        course=None,
        fields={
            "name": name,
            "audience": audience,
            "refresh_months": months,
            "description": "",
            "is_active": True,
        },
        mandatory_for=list(Group.objects.filter(name__in=[r.label for r in roles])),
        by=by,
        reason="The strategy's training plan",
    )


def _rule(by, course, activity=TrainingRule.Activity.CONTRACT_MANAGEMENT, on=True):
    return training_rule_set(
        activity=activity,
        fields={"course": course, "value_above": Decimal("100000.00"), "is_enforced": on},
        by=by,
        reason="Policy: training before managing large contracts",
    )


@pytest.fixture
def partner(make_user):
    return make_user(Role.BUSINESS_PARTNER)


@pytest.fixture
def head(make_user):
    return make_user(Role.HEAD_OF_PROCUREMENT)


# --- Courses and attendance ---------------------------------------------------------------------


def test_courses_are_kept_by_the_central_team_with_history(partner, make_user):
    course = _course(partner)
    assert [g.name for g in course.mandatory_for.all()] == [Role.CONTRACT_MANAGER.label]
    course_save(
        course=course,
        fields={"refresh_months": 24},
        mandatory_for=list(course.mandatory_for.all()),
        by=partner,
        reason="Refresh every two years",
    )
    latest = course.history.order_by("-history_date", "-pk").first()
    assert (latest.refresh_months, latest.history_user, latest.history_change_reason) == (
        24,
        partner,
        "Refresh every two years",
    )
    with pytest.raises(PermissionDenied):
        _course(make_user(Role.PROCUREMENT_OFFICER), name="Other")


def test_attendance_is_recorded_with_evidence_once_and_never_in_the_future(partner, make_user):
    course = _course(partner)
    person = make_user(Role.CONTRACT_MANAGER)
    today = timezone.localdate()
    made = attendance_record(
        person=person, course=course, attended_on=today, evidence="Register signed", by=partner
    )
    assert made.history.get().history_user == partner
    with pytest.raises(TrainingError, match="already recorded"):
        attendance_record(
            person=person, course=course, attended_on=today, evidence="Again", by=partner
        )
    with pytest.raises(TrainingError, match="future"):
        attendance_record(
            person=person,
            course=course,
            attended_on=today + timedelta(days=1),
            evidence="x",
            by=partner,
        )
    with pytest.raises(TrainingError, match="evidence"):
        attendance_record(
            person=person,
            course=course,
            attended_on=today - timedelta(days=1),
            evidence=" ",
            by=partner,
        )
    with pytest.raises(PermissionDenied):
        attendance_record(person=person, course=course, attended_on=today, evidence="x", by=person)


def test_who_is_due_or_overdue_and_who_is_current(partner, make_user):
    course = _course(partner, months=12)
    today = timezone.localdate()
    never = make_user(Role.CONTRACT_MANAGER, first_name="Nora", last_name="Never")
    lapsed = make_user(Role.CONTRACT_MANAGER, first_name="Dana", last_name="Reed")
    due = make_user(Role.CONTRACT_MANAGER, first_name="Dev", last_name="Soon")
    current = make_user(Role.CONTRACT_MANAGER, first_name="Cat", last_name="Current")
    make_user(Role.AUDITOR)  # no mandatory course for their role
    for person, day in (
        (lapsed, add_months(today, -12) - timedelta(days=1)),
        (due, add_months(today, -12) + timedelta(days=10)),
        (current, today),
    ):
        attendance_record(person=person, course=course, attended_on=day, evidence="x", by=partner)
    listed = training_due(on=today)
    assert [(s.person, s.status) for s in listed] == [
        (never, Status.NOT_TAKEN),
        (lapsed, Status.EXPIRED),
        (due, Status.DUE),
    ]
    overdue = training_due(on=today, filters=DueFilters(overdue_only=True))
    assert [s.person for s in overdue] == [never, lapsed]
    # The last day of the refresh period is still current: a year from 5 March is 4 March.
    assert course.current_until(date(2025, 3, 5)) == date(2026, 3, 4)


def test_recording_attendance_takes_a_person_off_the_overdue_list(client, partner, make_user):
    course = _course(partner)
    person = make_user(Role.CONTRACT_MANAGER, first_name="Dana", last_name="Reed")
    client.force_login(partner)
    listed = reverse("training:person", args=[person.pk])
    page = client.get(reverse("training:due"), {"status": "overdue"})
    assert listed in page.content.decode()
    today = timezone.localdate()
    answer = client.post(
        reverse("training:record"),
        {
            "person": person.pk,
            "course": course.pk,
            "attended_on_day": today.day,
            "attended_on_month": today.month,
            "attended_on_year": today.year,
            "evidence": "Certificate CM-2291",
        },
    )
    assert answer.status_code == 302
    assert Attendance.objects.get().evidence == "Certificate CM-2291"
    page = client.get(reverse("training:due"), {"status": "overdue"})
    assert listed not in page.content.decode()
    csv = client.get(reverse("training:due_csv"))
    assert b"Dana Reed" not in b"".join(csv.streaming_content)


def test_a_person_sees_their_own_record_and_the_home_panel(client, partner, make_user):
    _course(partner)
    person = make_user(Role.CONTRACT_MANAGER)
    other = make_user(Role.CONTRACT_MANAGER)
    client.force_login(person)
    home = client.get("/")
    assert "Your training" in home.content.decode()
    assert "Contract management" in home.content.decode()
    assert client.get(reverse("training:mine")).status_code == 200
    assert client.get(reverse("training:person", args=[person.pk])).status_code == 200
    assert client.get(reverse("training:person", args=[other.pk])).status_code == 403
    assert client.get(reverse("training:due")).status_code == 403


def test_the_weekly_digest_tells_the_person_and_the_central_team_once(partner, head, make_user):
    _course(partner)
    directorate = DirectorateFactory(business_partner=partner)
    person = make_user(Role.CONTRACT_MANAGER, directorate=directorate, last_name="Reed")
    today = timezone.localdate()
    first = escalation_digests_send(on=today)
    again = escalation_digests_send(on=today)
    assert again.claimed == 0
    sent = Notification.objects.filter(kind=Notification.Kind.ESCALATION_DIGEST)
    assert {n.recipient for n in sent} >= {person, partner, head}
    assert first.claimed == sent.count()
    mine = sent.get(recipient=person)
    assert "Your mandatory training due or overdue" in mine.body_text
    assert "Contract management" in mine.body_text
    central = sent.get(recipient=partner)
    assert "People overdue for a mandatory course" in central.body_text
    assert "Reed" in central.body_text


# --- The training rule: contracts ---------------------------------------------------------------


def _contract_fields(manager, value):
    return {
        "reference": "C-TRAIN-1",
        "title": "Home care",
        "directorate": manager.directorate,
        "category": ContractCategory.objects.order_by("pk").first(),
        "supplier": SupplierFactory(),
        "whole_life_value": value,
        "start_date": date(2026, 4, 1),
        "end_date": date(2028, 3, 31),
        "procurement_route": "tender",
        "contract_manager": manager,
        "lead_director": manager,
    }


def test_an_untrained_manager_is_refused_a_contract_over_the_value(partner, head, make_user):
    course = _course(partner)
    _rule(head, course)
    dana = make_user(Role.CONTRACT_MANAGER, first_name="Dana", last_name="Reed")
    lapsed_on = add_months(timezone.localdate(), -37)
    attendance_record(person=dana, course=course, attended_on=lapsed_on, evidence="x", by=partner)
    expired = course.current_until(lapsed_on)
    refusal = contract_manager_refusal(
        person=dana, value=Decimal("100000.01"), on=timezone.localdate()
    )
    assert refusal == (
        f"Dana Reed's training in Contract management expired on {expired:%-d %B %Y}: record a "
        "current course before making Dana Reed the manager of a contract over £100,000"
    )
    fields = _contract_fields(dana, Decimal("100000.01"))
    with pytest.raises(ValidationError, match="Dana Reed's training"):
        contract_create(fields=fields, by=partner, reason="New contract")
    # At the value itself the rule does not apply.
    made = contract_create(
        fields=_contract_fields(dana, Decimal("100000.00")), by=partner, reason="New"
    )
    with pytest.raises(ValidationError, match="record a current course"):
        contract_update(
            contract=made,
            fields={"whole_life_value": Decimal("150000.00")},
            by=partner,
            reason="Varied",
        )
    attendance_record(
        person=dana, course=course, attended_on=timezone.localdate(), evidence="x", by=partner
    )
    contract_update(
        contract=made, fields={"whole_life_value": Decimal("150000.00")}, by=partner, reason="Up"
    )


def test_a_rule_switched_off_refuses_nothing(partner, head, make_user):
    course = _course(partner)
    _rule(head, course, on=False)
    manager = make_user(Role.CONTRACT_MANAGER)
    contract_create(
        fields=_contract_fields(manager, Decimal("500000.00")), by=partner, reason="New"
    )


def test_the_courses_page_writes_a_rule_s_value_once_in_pounds(client, partner, head):
    _rule(head, _course(partner))
    client.force_login(partner)
    page = client.get(reverse("training:courses")).content.decode()
    assert "Contract management, over £100,000:" in page
    assert "££" not in page


def test_only_the_head_of_procurement_or_an_administrator_sets_the_rule(partner, make_user):
    course = _course(partner)
    with pytest.raises(PermissionDenied):
        _rule(partner, course)
    rule = _rule(make_user(Role.ADMINISTRATOR), course)
    assert rule.history.get().history_change_reason.startswith("Policy")


def test_naming_an_untrained_manager_is_refused_and_a_lapse_since_keeps_the_contract(
    partner, head, make_user
):
    course = _course(partner)
    trained = make_user(Role.CONTRACT_MANAGER)
    untrained = make_user(Role.CONTRACT_MANAGER, first_name="Dana", last_name="Reed")
    attendance_record(
        person=trained,
        course=course,
        attended_on=timezone.localdate(),
        evidence="x",
        by=partner,
    )
    contract = ContractFactory(
        whole_life_value=Decimal("300000.00"),
        contract_manager=untrained,
        lead_director=untrained,
        directorate=untrained.directorate,
    )
    _rule(head, course)
    with pytest.raises(ValidationError, match="Dana Reed has no record of the course"):
        contract_update(
            contract=ContractFactory(
                whole_life_value=Decimal("300000.00"),
                contract_manager=trained,
                lead_director=trained,
                directorate=untrained.directorate,
            ),
            fields={"contract_manager": untrained},
            by=partner,
            reason="New manager",
        )
    # Already its manager before the rule: other corrections go through.
    contract_update(contract=contract, fields={"title": "Renamed"}, by=partner, reason="Typo")


def test_the_register_import_refuses_an_untrained_manager(partner, head, make_user, tmp_path):
    from contracts.importing import contracts_import_check

    course = _course(partner)
    _rule(head, course)
    directorate = DirectorateFactory(name="Adult Social Care", code="ASC")
    make_user(
        Role.CONTRACT_MANAGER,
        first_name="Dana",
        last_name="Reed",
        email="dana.reed@example.org",
        directorate=directorate,
    )
    officer = make_user(Role.BUSINESS_PARTNER, directorate=directorate)
    path = tmp_path / "register.csv"
    path.write_text(
        "Reference,Title,Directorate,Supplier name,Whole life value,Start date,End date,"
        "Procurement route,Contract manager,Lead director\n"
        "C-1,Home care,Adult Social Care,Acme Care Ltd,250000,01/04/2026,31/03/2028,"
        "Published tender,dana.reed@example.org,dana.reed@example.org\n"
    )
    with path.open("rb") as handle:
        result = contracts_import_check(stream=handle, filename="register.csv", by=officer)
    messages = [problem.message for problem in result.problems]
    assert any("Dana Reed has no record of the course" in m for m in messages), messages


# --- The training rule: gateways ---------------------------------------------------------------


def _at_sign_off(make_user, partner, value=Decimal("500000.00")):
    directorate = DirectorateFactory()
    author = make_user(Role.PROCUREMENT_OFFICER, directorate=directorate)
    director = make_user(
        Role.EXECUTIVE_DIRECTOR, directorate=directorate, first_name="Ed", last_name="Hale"
    )
    review = review_create(
        author=author,
        stage="G1",
        summary="Strategy",
        project=ProjectFactory(directorate=directorate, estimated_value=value),
        report=G1_REPORT,
    )
    review = review_submit(review=review, by=author)
    review_decide(review=review, by=partner, outcome="approved")
    return review, director


def test_an_untrained_approver_is_refused_the_decision_and_told_what_to_do(
    partner, head, make_user
):
    course = _course(partner, name="Gateway approvals", roles=(Role.EXECUTIVE_DIRECTOR,), months=24)
    _rule(head, course, activity=TrainingRule.Activity.GATEWAY_DECISION)
    review, director = _at_sign_off(make_user, partner)
    with pytest.raises(
        GatewayError,
        match="current record of Gateway approvals: no attendance at it is recorded for you",
    ):
        review_decide(review=review, by=director, outcome="approved", **CONSULTATION)
    attendance_record(
        person=director, course=course, attended_on=timezone.localdate(), evidence="x", by=partner
    )
    decision = review_decide(review=review, by=director, outcome="approved", **CONSULTATION)
    assert decision.outcome == "approved"


def test_the_api_refuses_an_untrained_approver_with_the_reason(partner, head, make_user):
    course = _course(partner, name="Gateway approvals", roles=(Role.EXECUTIVE_DIRECTOR,), months=24)
    _rule(head, course, activity=TrainingRule.Activity.GATEWAY_DECISION)
    review, director = _at_sign_off(make_user, partner)
    api = client_with(token_for(director))
    refused = api.post(
        f"/api/v1/reviews/{review.pk}/decide/",
        {"outcome": "approved", **CONSULTATION, "consulted_on": "2026-11-18"},
        format="json",
    )
    assert refused.status_code == 403
    assert "current record of Gateway approvals: no attendance" in refused.json()["detail"]
    assert "Ask the central team" in refused.json()["detail"]


# --- The annual report's figures -----------------------------------------------------------------


def test_the_programme_delivered_counts_sessions_audiences_members_and_coverage(partner, make_user):
    course = _course(partner)
    member_course = _course(
        partner,
        name="Members' briefing",
        roles=(Role.LEAD_MEMBER,),
        months=12,
        audience=Course.Audience.MEMBERS,
    )
    member = make_user(Role.LEAD_MEMBER)
    managers = [make_user(Role.CONTRACT_MANAGER) for _ in range(3)]
    day = date(2026, 5, 12)
    for manager in managers[:2]:
        attendance_record(person=manager, course=course, attended_on=day, evidence="x", by=partner)
    attendance_record(
        person=member, course=member_course, attended_on=day, evidence="x", by=partner
    )
    programme = programme_delivered(start=date(2026, 4, 1), end=date(2027, 3, 31))
    assert (programme.sessions, programme.attendances, programme.members_trained) == (2, 3, 1)
    by_audience = {row.audience: row for row in programme.by_audience}
    assert by_audience["Contract managers"].attendances == 2
    coverage = {row.course: (row.required, row.current) for row in programme.coverage}
    assert coverage["Contract management"] == (3, 2)


def test_no_one_records_their_own_attendance(partner, make_user):
    """The courses gate what a person may do: the central team cannot make itself current."""
    course = _course(partner)
    with pytest.raises(TrainingError, match="must record your own attendance"):
        attendance_record(
            person=partner,
            course=course,
            attended_on=timezone.localdate(),
            evidence="x",
            by=partner,
        )
    assert not Attendance.objects.exists()


def test_only_those_who_set_the_rules_loosen_a_course_a_rule_names(partner, head, make_user):
    course = _course(partner)
    _rule(head, course)
    fields = {"refresh_months": None}
    with pytest.raises(PermissionDenied):
        course_save(course=course, fields=fields, mandatory_for=[], by=partner, reason="Never")
    with pytest.raises(PermissionDenied):
        course_save(
            course=course, fields={"is_active": False}, mandatory_for=[], by=partner, reason="Off"
        )
    course.refresh_from_db()
    assert (course.refresh_months, course.is_active) == (36, True)
    course_save(
        course=course,
        fields={"description": "Updated"},
        mandatory_for=list(course.mandatory_for.all()),
        by=partner,
        reason="Words",
    )
    course_save(
        course=course,
        fields=fields,
        mandatory_for=list(course.mandatory_for.all()),
        by=head,
        reason="Policy",
    )


def test_a_variation_over_the_value_is_refused_under_an_untrained_manager(partner, head, make_user):
    from contracts.services import ContractError, contract_vary

    course = _course(partner)
    _rule(head, course)
    manager = make_user(Role.CONTRACT_MANAGER)
    made = contract_create(
        fields=_contract_fields(manager, Decimal("100000.00")), by=partner, reason="New"
    )
    with pytest.raises(ContractError, match="record a current course"):
        contract_vary(
            contract=made,
            value_change=Decimal("50000.00"),
            new_end_date=None,
            effective_date=made.start_date,
            reason="More visits",
            approved_by="Director",
            by=partner,
        )
    made.refresh_from_db()
    assert made.whole_life_value == Decimal("100000.00")
