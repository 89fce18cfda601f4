"""Single-line text: a title, a name or a reference is stored as one line, without control
characters or bidirectional overrides, whichever way it comes in (a form, an import, a service, a
bulk write); multi-line text keeps its line breaks. An email subject is one line even when a row
stored before this held a line break."""

import csv
import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core import mail
from django.db import connection, models
from django.urls import reverse
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from alerts.services import renewal_alerts_send
from alerts.tests.factories import contract_ending
from contracts.importing import contracts_import
from contracts.models import Contract, Supplier
from contracts.services import contract_update
from contracts.tests.factories import ContractFactory, SupplierFactory
from procurement.models import Notification
from procurement.roles import Role
from procurement.tests.factories import DirectorateFactory
from procurement.text import NormalisedText, multi_line, single_line

pytestmark = pytest.mark.django_db

RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE: "Acme\u202eLtd" displays as "AcmedtL"
PASTED = f"Home care\r\n(north){RLO}"
FOLDED = "Home care (north)"
NOT_IN_ONE_LINE = set("\n\r\t\x0b\x0c\x00\x1b\x7f\x85\x9b\u2028\u2029\u202a\u202e\u2066\u2069")


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("Home care (north)", "Home care (north)"),
        (PASTED, FOLDED),
        ("Home care\n\n  (north)\r\n", FOLDED),
        ("Home\tcare", "Home care"),
        ("Acme\x00 \x1b[31mLtd\x7f\x9b", "Acme [31mLtd"),
        ("\u2066Acme\u2069 \u202aLtd\u202c", "Acme Ltd"),
        ("Care\u2028Ltd\x85Group", "Care Ltd Group"),
        ("  Untouched  ", "  Untouched  "),
        # A right-to-left mark is kept: it overrides nothing.
        ("שלום Ltd \u200f", "שלום Ltd \u200f"),
    ],
)
def test_single_line_folds_line_breaks_and_removes_controls(given, stored):
    assert single_line(given) == stored


def test_multi_line_keeps_line_breaks_and_tabs_only():
    assert multi_line(f"One\r\ntwo\rthree\u2028four\tfive{RLO}\x00\x07") == (
        "One\ntwo\nthree\nfour\tfive"
    )
    assert multi_line("Unchanged\n") == "Unchanged\n"


@given(st.text())
@hypothesis_settings(max_examples=300, deadline=None)
def test_single_line_text_holds_one_line_whatever_it_was_given(value):
    once = single_line(value)
    assert not set(once) & NOT_IN_ONE_LINE
    assert len(once.splitlines()) <= 1
    assert single_line(once) == once
    kept = multi_line(value)
    assert not set(kept) & (NOT_IN_ONE_LINE - {"\n", "\t"})
    assert multi_line(kept) == kept


def test_every_text_field_of_the_project_s_models_is_normalised():
    ours = [c for c in apps.get_app_configs() if Path(c.path).parent == Path(settings.BASE_DIR)]
    fields = [
        (model._meta.label, field.name, field)
        for config in ours
        for model in config.get_models(include_auto_created=True)
        for field in model._meta.local_fields
        if isinstance(field, models.CharField | models.TextField)
    ]
    assert len(fields) > 100
    assert [(label, name) for label, name, f in fields if not isinstance(f, NormalisedText)] == []
    title = Contract._meta.get_field("title")
    assert title.deconstruct()[1] == "django.db.models.CharField"  # so no migration


def test_a_supplier_named_through_the_form_is_stored_on_one_line(client, make_user):
    client.force_login(make_user(Role.PROCUREMENT_OFFICER))
    response = client.post(
        reverse("contracts:supplier_create"),
        {"name": f"Acme\r\nCare{RLO} Ltd", "change_reason": f"New\r\nsupplier{RLO}"},
    )
    assert response.status_code == 302
    supplier = Supplier.objects.get()
    assert supplier.name == "Acme Care Ltd"
    assert supplier.history.get().history_change_reason == "New\nsupplier"
    assert response["Location"].endswith("?q=Acme%20Care%20Ltd")


def test_a_contract_titled_through_the_form_is_stored_on_one_line(client, make_user):
    contract = ContractFactory(description="")
    client.force_login(make_user(Role.BUSINESS_PARTNER))
    response = client.post(
        reverse("contracts:edit", args=[contract.pk]),
        {
            "reference": contract.reference,
            "title": PASTED,
            "description": f"First line\r\nsecond line{RLO}",
            "directorate": contract.directorate_id,
            "category": contract.category_id or "",
            "supplier": contract.supplier_id,
            "whole_life_value": "£40,000.00",
            "irrecoverable_vat": "0",
            **{
                f"{name}_{part}": getattr(getattr(contract, name), part)
                for name in ("start_date", "end_date")
                for part in ("day", "month", "year")
            },
            "extension_options": "0",
            "extension_option_months": "0",
            "extension_options_value": "0",
            "procurement_route": contract.procurement_route,
            "change_reason": "Correcting the title",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    contract.refresh_from_db()
    assert contract.title == FOLDED
    assert contract.description == "First line\nsecond line"
    assert contract.history.latest().title == FOLDED


def register_file(*rows: dict[str, str]) -> io.BytesIO:
    headings = list(rows[0])
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(headings)
    writer.writerows([row[heading] for heading in headings] for row in rows)
    return io.BytesIO(text.getvalue().encode())


def test_an_imported_title_and_supplier_are_stored_on_one_line(make_user):
    DirectorateFactory(name="Adult Social Care", code="asc")
    SupplierFactory(name="Caring Ltd", companies_house_number="")
    partner = make_user(Role.BUSINESS_PARTNER)
    row = {
        "Contract Ref": "C-1",
        "Title": PASTED,
        "Description": f"Visits\r\nat home{RLO}",
        "Department": "Adult Social Care",
        "Supplier": "Caring\r\nLtd",  # the supplier already registered
        "Total Value": "40000",
        "Start Date": "01/04/2024",
        "End Date": "31/03/2027",
        "Route": "Quotation",
    }
    new_supplier = {**row, "Contract Ref": f"C-{RLO}2", "Supplier": f"Acme\r\nCare{RLO} Ltd"}
    result = contracts_import(
        stream=register_file(row, new_supplier), filename="r.csv", by=partner, reason="Import"
    )
    assert (result.created, result.suppliers_created) == (2, 1)
    first, second = Contract.objects.order_by("reference")
    assert (first.reference, first.title, first.description) == ("C-1", FOLDED, "Visits\nat home")
    assert first.supplier.name == "Caring Ltd"
    assert (second.reference, second.supplier.name) == ("C-2", "Acme Care Ltd")
    assert first.history.get().title == FOLDED


def test_a_service_and_a_bulk_update_store_one_line(make_user):
    contract = ContractFactory()
    updated = contract_update(
        contract=contract,
        fields={"title": PASTED},
        by=make_user(Role.BUSINESS_PARTNER),
        reason="Retitled",
    )
    assert updated.title == FOLDED
    assert updated.history.latest().title == FOLDED
    Contract.objects.filter(pk=contract.pk).update(title=f"Day\r\ncare{RLO}")
    Contract.objects.bulk_update([Contract(pk=contract.pk, title="Day\ncentre")], ["title"])
    contract.refresh_from_db()
    assert contract.title == "Day centre"


def test_an_alert_about_a_title_stored_with_a_line_break_is_sent_on_one_line():
    """A row written before titles were kept to one line: its alerts still go."""
    contract = contract_ending(date(2027, 8, 31), value=str(Decimal("500000.00")))
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE contracts_contract SET title = %s WHERE id = %s",
            ["Home care\r\nBcc: someone@elsewhere.example", contract.pk],
        )
    result = renewal_alerts_send(on=date(2026, 11, 30))
    assert result.claimed == 2
    assert list(Notification.objects.values_list("status", flat=True)) == ["sent", "sent"]
    assert len(mail.outbox) == 2
    subject = mail.outbox[0].subject
    assert "Home care Bcc: someone@elsewhere.example" in subject
    assert mail.outbox[0].bcc == []


def test_a_ledger_row_holding_a_line_break_in_its_subject_is_sent(make_user):
    contract = contract_ending(date(2027, 8, 31))
    renewal_alerts_send(on=date(2026, 11, 30))
    mail.outbox.clear()
    row = Notification.objects.first()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE procurement_notification SET email_subject = %s, status = 'failed', "
            "next_attempt_at = NULL WHERE id = %s",
            [f"Renewal alert: {contract.reference} Home\r\ncare", row.pk],
        )
    from procurement.notifications import notification_send_again

    notification_send_again(notification=row, by=make_user(Role.ADMINISTRATOR))
    row.refresh_from_db()
    assert row.status == "sent"
    assert mail.outbox[0].subject == f"Renewal alert: {contract.reference} Home care"
