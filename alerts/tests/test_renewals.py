"""The daily renewal alert job: each lead time of each band on its exact day, once."""

from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from alerts.selectors import renewals_due
from alerts.services import renewal_alerts_send
from alerts.tasks import council_day
from alerts.tests.factories import contract_ending
from config.celery import app
from contracts.lead_times import bands
from contracts.models import RenewalBand
from contracts.services import contract_confirm_ending, contract_extend
from gateways.services import review_create
from gateways.tests.factories import ProjectFactory
from procurement.models import Notification
from procurement.roles import Role
from procurement.services import user_set_roles

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")


def sent_keys(contract) -> list[tuple[str, str]]:
    return sorted(
        Notification.objects.filter(kind="renewal", subject_id=contract.pk).values_list(
            "key", "recipient__email"
        )
    )


def due_months(contract, on: date) -> int | None:
    due = [d for d in renewals_due(on=on, in_force=bands()) if d.contract.pk == contract.pk]
    return due[0].months if due else None


# Each band's lead times, worked by hand from the end date: the same day of the month that many
# months earlier, kept within the month (31/08 less 6 months is 28/02).
@pytest.mark.parametrize(
    ("value", "end", "days"),
    [
        (
            "1500000.01",
            date(2028, 2, 29),
            {18: date(2026, 8, 29), 12: date(2027, 2, 28), 6: date(2027, 8, 29)},
        ),
        (
            "1500000.00",
            date(2027, 8, 31),
            {9: date(2026, 11, 30), 6: date(2027, 2, 28), 3: date(2027, 5, 31)},
        ),
        (
            "100000.01",
            date(2027, 8, 31),
            {9: date(2026, 11, 30), 6: date(2027, 2, 28), 3: date(2027, 5, 31)},
        ),
        ("100000.00", date(2027, 3, 31), {3: date(2026, 12, 31), 1: date(2027, 2, 28)}),
        ("5000.01", date(2027, 3, 31), {3: date(2026, 12, 31), 1: date(2027, 2, 28)}),
    ],
)
def test_each_lead_time_falls_due_on_its_exact_day(value, end, days):
    contract = contract_ending(end, value=value)
    previous = None
    for months, day in sorted(days.items(), reverse=True):
        assert due_months(contract, day.fromordinal(day.toordinal() - 1)) == previous
        assert due_months(contract, day) == months
        previous = months
    assert due_months(contract, end) == previous


def test_a_band_boundary_decides_the_lead_times():
    end = date(2028, 6, 30)
    over = contract_ending(end, value="1500000.01")
    at = contract_ending(end, value="1500000.00")
    twelve_months_before = date(2027, 6, 30)
    assert due_months(over, twelve_months_before) == 12
    assert due_months(at, twelve_months_before) is None
    nine_months_before = date(2027, 9, 30)
    assert due_months(at, nine_months_before) == 9
    above_100k = contract_ending(end, value="100000.01")
    at_100k = contract_ending(end, value="100000.00")
    assert due_months(above_100k, nine_months_before) == 9
    assert due_months(at_100k, nine_months_before) is None
    assert due_months(at_100k, date(2028, 3, 30)) == 3


def test_the_alert_goes_to_the_manager_and_the_business_partner_with_what_to_do_next():
    contract = contract_ending(date(2027, 8, 31))
    result = renewal_alerts_send(on=date(2026, 11, 30))
    assert (result.due, result.already_sent, result.claimed) == (2, 0, 2)
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [contract.contract_manager.email, contract.directorate.business_partner.email]
    )
    message = mail.outbox[0]
    assert contract.reference in message.subject
    assert "ends on 31 August 2027, 9 months from this alert" in message.body
    assert f"/gateways/projects/new/?replaces={contract.pk}" in message.body
    assert f"/contracts/{contract.pk}/will-end/" in message.body
    html, kind = message.alternatives[0]
    assert kind == "text/html"
    assert "Start a re-procurement project" in html
    row = Notification.objects.get(recipient=contract.contract_manager)
    assert (row.key, row.due_on, row.status) == ("9m:2027-08-31", date(2026, 11, 30), "sent")


def test_a_missed_day_is_caught_up_once_and_a_second_run_sends_nothing():
    contract = contract_ending(date(2027, 8, 31))
    assert renewal_alerts_send(on=date(2027, 2, 27)).claimed == 2  # the 9 months' alert
    mail.outbox.clear()
    # The job did not run on 28/02, the 6 months' day; the next run, two days later, sends it.
    result = renewal_alerts_send(on=date(2027, 3, 2))
    assert result.claimed == 2
    assert {row.due_on for row in Notification.objects.filter(key="6m:2027-08-31")} == {
        date(2027, 2, 28)
    }
    for _ in range(2):
        again = renewal_alerts_send(on=date(2027, 3, 2))
        assert (again.due, again.already_sent, again.claimed) == (2, 2, 0)
    assert len(mail.outbox) == 2
    assert [key for key, _ in sent_keys(contract)] == ["6m:2027-08-31"] * 2 + ["9m:2027-08-31"] * 2


def test_after_a_long_gap_only_the_latest_lead_time_is_sent():
    contract = contract_ending(date(2027, 8, 31))
    renewal_alerts_send(on=date(2027, 6, 1))
    assert {key for key, _ in sent_keys(contract)} == {"3m:2027-08-31"}


def test_an_answered_renewal_is_not_alerted():
    on = date(2027, 2, 28)
    reprocured = contract_ending(date(2027, 8, 31))
    ProjectFactory(replaces=reprocured, directorate=reprocured.directorate)
    ending = contract_ending(date(2027, 8, 31), extension_options=0)
    contract_confirm_ending(
        contract=ending, reason="Service brought in-house", by=ending.contract_manager
    )
    extending = contract_ending(
        date(2027, 8, 31),
        extension_options=1,
        extension_option_months=12,
        extension_options_value=Decimal("100000.00"),
    )
    review_create(
        author=extending.contract_manager,
        stage="G3",
        summary="Use the extension option",
        contract=extending,
        is_extension=True,
    )
    plain = contract_ending(date(2027, 8, 31))
    renewal_alerts_send(on=on)
    alerted = set(Notification.objects.values_list("subject_id", flat=True))
    assert alerted == {plain.pk}


def test_an_extension_starts_the_alerts_of_the_new_end_date_afresh():
    # At the gateway threshold, so the option is used without a Gateway 3 (3 and 1 month alerts).
    contract = contract_ending(
        date(2027, 8, 31),
        value="100000.00",
        extension_options=1,
        extension_option_months=12,
        extension_options_value=Decimal("20000.00"),
    )
    renewal_alerts_send(on=date(2027, 5, 31))
    partner = contract.directorate.business_partner
    contract_extend(
        contract=contract, reason="Option used", approved_by="Head of service", by=partner
    )
    contract.refresh_from_db()
    assert contract.end_date == date(2028, 8, 31)
    renewal_alerts_send(on=date(2028, 5, 31))
    assert {key for key, _ in sent_keys(contract)} == {"3m:2027-08-31", "3m:2028-08-31"}


def test_a_confirmed_ending_holds_for_its_end_date_only():
    contract = contract_ending(date(2027, 8, 31))
    contract_confirm_ending(contract=contract, reason="Not needed", by=contract.contract_manager)
    assert due_months(contract, date(2027, 6, 1)) is None
    contract.refresh_from_db()
    last = contract.history.first()
    assert last.history_user == contract.contract_manager
    assert last.history_change_reason.startswith("Will end on 31 August 2027")
    with pytest.raises(Exception, match="Say why"):
        contract_confirm_ending(contract=contract, reason="  ", by=contract.contract_manager)


def test_a_manager_who_has_left_is_replaced_by_the_lead_director(make_user):
    contract = contract_ending(date(2027, 8, 31))
    manager = contract.contract_manager
    manager.is_active = False
    manager.save()
    renewal_alerts_send(on=date(2026, 11, 30))
    roles = dict(
        Notification.objects.filter(subject_id=contract.pk).values_list(
            "recipient__email", "recipient_role"
        )
    )
    assert roles == {
        contract.lead_director.email: "Lead director, while the contract manager has left",
        contract.directorate.business_partner.email: "Business partner for the directorate",
    }


def test_without_a_business_partner_the_heads_of_procurement_hear(make_user):
    head = make_user(Role.HEAD_OF_PROCUREMENT)
    other_head = make_user(Role.HEAD_OF_PROCUREMENT)
    former_head = make_user(Role.HEAD_OF_PROCUREMENT)
    user_set_roles(user=former_head, roles=[Role.AUDITOR], by=None, reason="Moved to audit")
    contract = contract_ending(date(2027, 8, 31))
    contract.directorate.business_partner = None
    contract.directorate.save()
    renewal_alerts_send(on=date(2026, 11, 30))
    assert {email for _, email in sent_keys(contract)} == {
        contract.contract_manager.email,
        head.email,
        other_head.email,
    }


def test_a_dry_run_lists_and_sends_nothing():
    contract = contract_ending(date(2027, 8, 31))
    result = renewal_alerts_send(on=date(2026, 11, 30), dry_run=True)
    assert len(result.drafts) == 2
    assert result.claimed == 0
    assert not Notification.objects.exists()
    assert not mail.outbox
    assert contract.reference in result.drafts[0].title


def test_the_command_runs_the_job_for_a_day(capsys):
    contract = contract_ending(date(2027, 8, 31))
    call_command("send_renewal_alerts", "--date", "2026-11-30", "--dry-run")
    out = capsys.readouterr().out
    assert contract.reference in out
    assert "2 would be sent (dry run: nothing sent)" in out
    assert not Notification.objects.exists()
    call_command("send_renewal_alerts", "--date", "2026-11-30")
    assert "2 renewal alerts due, 0 already sent; 2 sent now." in capsys.readouterr().out
    call_command("send_renewal_alerts", "--date", "2026-11-30")
    assert "2 already sent; 0 sent now." in capsys.readouterr().out
    assert len(mail.outbox) == 2
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("send_renewal_alerts", "--date", "30/11/2026")


def test_administrators_change_the_lead_times():
    contract = contract_ending(date(2027, 8, 31))
    band = RenewalBand.objects.get(value_above=Decimal("100000.00"))
    band.lead_months = "4 , 12"
    band.full_clean()
    band.save()
    assert band.lead_months == "12, 4"
    assert due_months(contract, date(2026, 8, 31)) == 12
    assert due_months(contract, date(2027, 4, 30)) == 4
    for bad in ("", "six", "0, 3", "3, 3"):
        band.lead_months = bad
        with pytest.raises(ValidationError):
            band.full_clean()


def test_the_council_day_is_london_time_across_the_clock_changes():
    # Clocks go forward at 01:00 GMT on 28/03/2027 and back at 01:00 GMT on 25/10/2026.
    assert council_day(datetime(2027, 3, 27, 23, 30, tzinfo=UTC)) == date(2027, 3, 27)
    assert council_day(datetime(2027, 3, 28, 23, 30, tzinfo=UTC)) == date(2027, 3, 29)
    assert council_day(datetime(2026, 10, 24, 23, 30, tzinfo=UTC)) == date(2026, 10, 25)
    assert council_day(datetime(2026, 10, 25, 23, 30, tzinfo=UTC)) == date(2026, 10, 25)


def test_the_daily_tick_stays_at_seven_london_time_across_the_clock_changes():
    schedule = app.conf.beat_schedule["send-renewal-alerts"]["schedule"]
    schedule.app = app
    for last, expected_utc in [
        (datetime(2027, 3, 27, 7, tzinfo=LONDON), datetime(2027, 3, 28, 6, tzinfo=UTC)),
        (datetime(2026, 10, 24, 7, tzinfo=LONDON), datetime(2026, 10, 25, 7, tzinfo=UTC)),
    ]:
        start, delta, _ = schedule.remaining_delta(last)
        assert (start + delta).astimezone(UTC) == expected_utc


def test_an_alert_due_on_the_day_the_clocks_change_is_sent_that_morning():
    contract = contract_ending(date(2027, 9, 28))  # 6 months before: Sunday 28/03/2027
    renewal_alerts_send(on=council_day(datetime(2027, 3, 27, 23, 30, tzinfo=UTC)))
    assert {key for key, _ in sent_keys(contract)} == {"9m:2027-09-28"}
    seven_am_summer_time = datetime(2027, 3, 28, 6, tzinfo=UTC)
    renewal_alerts_send(on=council_day(seven_am_summer_time))
    assert {key for key, _ in sent_keys(contract)} == {"9m:2027-09-28", "6m:2027-09-28"}


def test_a_large_run_is_claimed_and_sent_a_chunk_at_a_time(monkeypatch):
    monkeypatch.setattr("alerts.services.CHUNK", 3)
    for _ in range(4):
        contract_ending(date(2027, 8, 31))
    result = renewal_alerts_send(on=date(2026, 11, 30))
    assert (result.due, result.claimed, len(result.listed)) == (8, 8, 8)
    assert len(mail.outbox) == 8
    assert len({(m.to[0], m.subject) for m in mail.outbox}) == 8
    assert renewal_alerts_send(on=date(2026, 11, 30)).claimed == 0


def test_unreadable_lead_times_are_never_stored():
    band = RenewalBand.objects.get(value_above=Decimal("0.00"))
    band.lead_months = "soon"
    with pytest.raises(ValidationError):
        band.save()
    band.refresh_from_db()
    assert band.lead_months == "3, 1"


def test_the_lowest_band_holds_every_contract_below_the_next(client, make_user):
    band = RenewalBand.objects.get(value_above=Decimal("0.00"))
    band.value_above = Decimal("5000.00")
    band.save()
    small = contract_ending(date(2027, 3, 31), value="4000.00")
    assert due_months(small, date(2026, 12, 31)) == 3
    client.force_login(make_user(Role.BUSINESS_PARTNER))
    page = client.get(small.get_absolute_url()).content.decode()
    assert "Band: Up to £100k" in page
