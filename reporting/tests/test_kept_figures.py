"""The dashboard's kept contract figures and the home pages' kept counts (reporting/summary.py)
are the register's own, exactly, after every kind of write: each is compared with the figures
worked out from the register itself (``live_contract_figures``, ``summary.disagreements``), for
several scopes, after each write of a sequence."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from contracts.importing import contracts_import
from contracts.models import Contract, RenewalBand
from contracts.tests.factories import ContractOverFiftyThousandFactory, SupplierFactory
from contracts.tests.test_import import csv_file, row
from gateways.models import ProcurementProject
from gateways.tests.factories import ProjectFactory
from procurement.models import ContractCategory
from procurement.roles import Role
from procurement.tests.factories import DirectorateFactory
from reporting import summary
from reporting.models import ContractFigure, ContractFigureDay
from reporting.selectors import Scope, contract_figures, live_contract_figures

from . import world

pytestmark = pytest.mark.django_db


def scopes(council) -> list[Scope]:
    adults = council["contracts"]["C1"].directorate_id
    return [
        Scope(year=world.YEAR, today=world.TODAY),
        Scope(year=world.YEAR + 1, today=world.TODAY),
        Scope(year=world.YEAR - 1, today=world.TODAY),
        Scope(year=world.YEAR, today=world.TODAY, directorate_id=adults),
        Scope(year=world.YEAR, today=world.TODAY, category_id=0),
    ]


def assert_exact(council) -> None:
    for scope in scopes(council):
        kept, live = contract_figures(scope), live_contract_figures(scope)
        assert kept.totals == live.totals, scope
        for field in ("directorate", "category"):
            assert kept.running_by(field) == live.running_by(field), (scope, field)
    assert summary.disagreements() == []


@pytest.fixture
def council():
    built = world.build()
    assert_exact(built)  # the days are kept from here on
    assert ContractFigureDay.objects.count() == 3
    return built


def test_the_kept_figures_follow_every_kind_of_write(council, make_user):
    c1, c2, c3 = (council["contracts"][ref] for ref in ("C1", "C2", "C3"))
    adults, place = c1.directorate, c3.directorate
    # A contract added: running, in the year, held by an SME.
    added = ContractOverFiftyThousandFactory(
        directorate=adults,
        supplier=c1.supplier,
        whole_life_value=Decimal("900000"),
        annual_value=Decimal("300000"),
        start_date=date(2025, 6, 1),
        end_date=date(2027, 5, 31),
    )
    assert_exact(council)
    # Its value over the key threshold, then its dates, directorate, category and supplier.
    added.whole_life_value = Decimal("3000000")
    added.save()
    assert_exact(council)
    added.start_date, added.end_date = date(2024, 1, 1), date(2026, 4, 30)
    added.save()
    assert_exact(council)
    added.directorate = place
    added.category = ContractCategory.objects.exclude(pk=added.category_id).first()
    added.save()
    assert_exact(council)
    added.category = None
    added.supplier = c2.supplier
    added.planned_savings = Decimal("5000")
    added.save()
    assert_exact(council)
    # Terminated, then extended.
    c1.terminated_on = date(2026, 1, 15)
    c1.save()
    assert_exact(council)
    c2.end_date += timedelta(days=400)
    c2.extension_options, c2.extensions_used = 1, 1
    c2.save()
    assert_exact(council)
    # Confirmed to end; a supplier no longer an SME; a contract manager leaving.
    c2.ending_confirmed_for = c2.end_date
    c2.save()
    assert_exact(council)
    supplier = c1.supplier
    supplier.is_sme = False
    supplier.save()
    assert_exact(council)
    manager = c2.contract_manager
    manager.is_active = False
    manager.save()
    assert_exact(council)
    # Another contract manager and lead director named, then none (the home pages' groups).
    c2.contract_manager, c2.lead_director = make_user(Role.CONTRACT_MANAGER), c1.contract_manager
    c2.save()
    assert_exact(council)
    c2.contract_manager = c2.lead_director = None
    c2.save()
    assert_exact(council)
    # A procurement planned to replace a contract, moved to another, then dropped.
    project = ProjectFactory(directorate=adults, replaces=c2)
    assert_exact(council)
    project.replaces = c3
    project.save()
    assert_exact(council)
    ProcurementProject.objects.filter(pk=project.pk).first().delete()
    assert_exact(council)
    # A contract deleted.
    added.delete()
    assert_exact(council)
    # The renewal bands changed: every lead time moves.
    band = RenewalBand.objects.order_by("value_above").first()
    band.lead_months = "36"
    band.save()
    assert_exact(council)


def test_the_import_keeps_the_figures_exact(council, make_user, django_capture_on_commit_callbacks):
    DirectorateFactory(name="Adult Social Care", code="asc")
    make_user(Role.CONTRACT_MANAGER, email="manager@council.example")
    make_user(Role.EXECUTIVE_DIRECTOR, email="director@council.example")
    partner = make_user(Role.BUSINESS_PARTNER, email="partner@council.example")
    stream = csv_file(row("IMP-1", **{"Start Date": "01/05/2025"}), row("IMP-2"))
    with django_capture_on_commit_callbacks(execute=True):
        contracts_import(stream=stream, filename="register.csv", by=partner, reason="Annual load")
    assert not ContractFigureDay.objects.exists()  # discarded once the import committed
    assert Contract.objects.filter(reference__startswith="IMP-").count() == 2
    assert_exact(council)


def test_a_kept_day_reads_the_same_rows_whatever_the_register_size(council):
    scope = Scope(year=world.YEAR, today=world.TODAY)
    contract_figures(scope)
    with CaptureQueriesContext(connection) as small:
        contract_figures(scope)
    supplier = SupplierFactory()
    for n in range(40):
        ContractOverFiftyThousandFactory(
            supplier=supplier,
            directorate=council["contracts"]["C1"].directorate,
            start_date=date(2025, 4, 1) + timedelta(days=n),
            end_date=date(2027, 3, 31),
        )
    kept_rows = ContractFigure.objects.filter(year=world.YEAR, as_at=scope.as_at).count()
    with CaptureQueriesContext(connection) as large:
        contract_figures(scope)
    assert len(small) == len(large) == 2
    # Rows for each directorate and category, not for each contract.
    assert kept_rows == ContractFigure.objects.filter(year=world.YEAR, as_at=scope.as_at).count()
    assert_exact(council)


def test_a_new_today_lets_the_earlier_todays_go_and_keeps_years_ends(council):
    contract_figures(Scope(year=2020, today=date(2020, 6, 1)))
    assert ContractFigureDay.objects.filter(as_at=date(2020, 6, 1)).exists()
    contract_figures(Scope(year=world.YEAR + 1, today=world.TODAY + timedelta(days=9)))
    assert set(ContractFigureDay.objects.values_list("as_at", flat=True)) == {
        date(2025, 3, 31),
        date(2026, 3, 31),
        world.TODAY + timedelta(days=9),
    }
    assert not ContractFigure.objects.filter(as_at__in=[date(2020, 6, 1), world.TODAY]).exists()
    assert_exact(council)
