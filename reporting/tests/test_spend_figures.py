"""Spend's figures on the dashboard and in the annual report are the spend pages' own: the
same selectors over the same twelve months."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from contracts.tests.factories import ContractFactory, SupplierFactory
from performance.models import financial_year_of
from procurement.roles import Role
from reporting.annual import spend_section
from reporting.selectors import Scope
from spend.models import Payment
from spend.tests.factories import PaymentFactory

pytestmark = pytest.mark.django_db


def _payments() -> None:
    today = timezone.localdate()
    supplier = SupplierFactory(is_sme=True)
    contract = ContractFactory(supplier=supplier)
    for days, amount, invoiced in ((10, "900", 20), (40, "300", 100), (400, "5000", 420)):
        PaymentFactory(
            supplier=supplier,
            contract=contract,
            paid_on=today - timedelta(days=days),
            amount=Decimal(amount),
            invoice_date=today - timedelta(days=invoiced),
        )
    PaymentFactory(
        paid_on=today - timedelta(days=5),
        amount=Decimal("600"),
        contract_match=Payment.ContractMatch.NONE,
    )


def test_the_dashboard_shows_the_spend_pages_figures(client, make_user):
    _payments()
    client.force_login(make_user(Role.HEAD_OF_PROCUREMENT))
    page = client.get(reverse("spend:payment_performance"))
    totals, found = page.context["totals"], page.context["found"]
    section = client.get(reverse("reporting:section", args=["spend"]))
    body = section.content.decode()
    assert section.status_code == 200
    assert (totals.paid, totals.on_contract_share) == (Decimal("1800"), Decimal("66.7"))
    assert (found.overall.invoices, found.overall.within_30) == (2, 1)
    assert "£1,800" in body
    assert "66.7% (£1,200)" in body
    assert f"{found.overall.within_30_share}% (1 of 2)" in body
    assert f"{found.overall.within_target_share}% against a target of 90%" in body
    assert reverse("spend:payment_performance") in body


def test_the_annual_report_gives_the_selectors_figures():
    _payments()
    today = timezone.localdate()
    scope = Scope(year=financial_year_of(today) - 1, today=today)
    section = spend_section(scope)
    assert section["title"] == "Spend and payments"
    paid = sum(
        (p.amount for p in Payment.objects.filter(paid_on__range=(scope.start, scope.end))),
        Decimal("0"),
    )
    assert section["figures"]["paid"] == f"{paid:.2f}"
    current = spend_section(Scope(year=financial_year_of(today), today=today))
    assert current["figures"]["no_contract"] == "600.00"
    assert date.fromisoformat(scope.end.isoformat()) == scope.end
