"""The Procurement Act 2023's rules at their exact boundaries: the thresholds by the day the
procurement began, the value including VAT, the regime, the days a contract details notice is due
in, the limits on changes (either way) and the pipeline's year."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from contracts.models import ContractEvent
from contracts.tests.factories import ContractOverFiftyThousandFactory
from gateways.tests.factories import ProjectFactory
from opendata.models import Notice
from opendata.selectors import change_items, contract_details_items, notifiable, pipeline_items
from procurement.act import Figures, Regime, including_vat, regime_on
from procurement.models import ChangeLimit, ContractCategory, PipelineYear, Threshold
from procurement.roles import Role

pytestmark = pytest.mark.django_db
TODAY = date(2026, 6, 1)
GOODS = "Professional and business services"


def refs(items) -> list[str]:
    return [item.reference for item in items]


def category(name: str) -> ContractCategory:
    return ContractCategory.objects.get(name=name)


def contract(reference: str, value: str, *, vat: str | None = "0", **fields):
    fields.setdefault("start_date", date(2026, 3, 1))
    fields.setdefault("category", category(GOODS))
    return ContractOverFiftyThousandFactory(
        reference=reference,
        whole_life_value=Decimal(value),
        vat=None if vat is None else Decimal(vat),
        **fields,
    )


class TestThresholds:
    def test_the_figures_from_1_january_2026_are_loaded_with_the_earlier_ones(self):
        figures = Figures.load()
        assert figures.threshold("goods_services", date(2026, 1, 1)) == Decimal("207720.00")
        assert figures.threshold("goods_services", date(2025, 12, 31)) == Decimal("214904.00")
        assert figures.threshold("works", date(2026, 1, 1)) == Decimal("5193000.00")
        assert figures.threshold("light_touch", date(2026, 1, 1)) == Decimal("663540.00")
        assert figures.threshold("below_threshold_notice", TODAY) == Decimal("30000.00")
        assert figures.limit("works_value", TODAY) == Decimal("15")

    def test_a_value_equal_to_the_threshold_is_above_it(self):
        at = contract("AT", "207720.00")
        under = contract("UNDER", "207719.99")
        assert at.act_standing().above_threshold
        assert not under.act_standing().above_threshold
        assert at.act_standing().threshold_label == (
            "Above threshold (£207,720 for goods and services (sub-central authorities) "
            "including VAT)"
        )

    def test_the_threshold_is_the_one_in_force_when_the_procurement_began(self):
        # £210,000 is under the 2024 figure (£214,904) and over the 2026 one (£207,720).
        began_2025 = contract("OLD", "210000", procurement_began_on=date(2025, 12, 31))
        began_2026 = contract("NEW", "210000", procurement_began_on=date(2026, 1, 1))
        assert not began_2025.act_standing().above_threshold
        assert began_2026.act_standing().above_threshold

    def test_an_administrator_s_new_figure_applies_from_its_date(self):
        Threshold.objects.create(
            kind="goods_services", effective_from=date(2028, 1, 1), value_including_vat=1
        )
        assert Figures.load().threshold("goods_services", date(2027, 12, 31)) == Decimal(
            "207720.00"
        )
        assert Figures.load().threshold("goods_services", date(2028, 1, 1)) == Decimal("1.00")

    def test_the_value_includes_vat_recorded_or_the_standard_rate(self):
        assert including_vat(Decimal("25000.00"), Decimal("5000.00")) == Decimal("30000.00")
        assert including_vat(Decimal("25000.00"), None) == Decimal("30000.00")
        assert including_vat(Decimal("25000.00"), Decimal("0")) == Decimal("25000.00")
        # £180,000 before VAT is £216,000 with it: above the goods and services threshold.
        assert contract("VAT", "180000", vat=None).act_standing().above_threshold
        assert not contract("NO-VAT", "180000", vat="0").act_standing().above_threshold


class TestRegime:
    def test_begun_on_23_february_2025_is_the_2015_regulations_and_on_the_24th_the_act(self):
        assert regime_on(date(2025, 2, 23)) == Regime.PCR_2015
        assert regime_on(date(2025, 2, 24)) == Regime.ACT_2023

    def test_the_day_the_procurement_began_decides_not_the_contract_s_start(self):
        old = contract("OLD", "250000", procurement_began_on=date(2025, 2, 23))
        assert old.act_standing().regime == Regime.PCR_2015
        assert not old.act_standing().began_assumed
        assert "OLD" not in refs(contract_details_items(today=TODAY))

    def test_a_contract_without_the_day_falls_back_to_its_start(self):
        legacy = contract("LEGACY", "250000", start_date=date(2025, 2, 24))
        assert legacy.act_standing().began == date(2025, 2, 24)
        assert legacy.act_standing().began_assumed
        assert legacy.act_standing().regime == Regime.ACT_2023

    def test_a_project_without_the_day_falls_back_to_its_tender_then_today(self):
        project = ProjectFactory(planned_tender_date=date(2025, 2, 23))
        assert project.act_standing(today=TODAY).regime == Regime.PCR_2015
        project.planned_tender_date = None
        assert project.act_standing(today=TODAY).began == TODAY


class TestContractDetails:
    def test_30000_exactly_is_notified_and_29999_99_is_not(self):
        contract("AT-30K", "30000.00")
        contract("UNDER-30K", "29999.99")
        contract("WITH-VAT", "25000.00", vat="5000.00")
        assert refs(contract_details_items(today=TODAY)) == ["AT-30K", "WITH-VAT"]

    @pytest.mark.parametrize(
        ("published_after", "late"), [(29, False), (30, True)], ids=["30th day", "31st day"]
    )
    def test_due_on_the_30th_day_from_entering_the_contract(self, make_user, published_after, late):
        signed = date(2026, 3, 2)
        item_contract = contract("SIGNED", "250000", signed_on=signed)
        item = contract_details_items(today=TODAY)[0]
        assert item.due_on == date(2026, 3, 31)
        Notice.objects.create(
            kind=Notice.Kind.CONTRACT_DETAILS,
            contract=item_contract,
            item_key=item.key,
            notice_id="000001-2026",
            published_on=signed + timedelta(days=published_after),
            recorded_by=make_user(Role.HEAD_OF_PROCUREMENT),
        )
        assert notifiable(today=TODAY)[0].late is late

    def test_light_touch_is_due_on_the_120th_day(self):
        contract(
            "CARE",
            "250000",
            signed_on=date(2026, 3, 1),
            category=category("Care and support services"),
        )
        item = contract_details_items(today=TODAY)[0]
        assert item.due_on == date(2026, 3, 1) + timedelta(days=119)

    def test_without_a_notice_it_is_late_the_day_after_it_is_due(self):
        contract("WAITING", "250000", signed_on=date(2026, 3, 2))
        assert not notifiable(today=date(2026, 3, 31))[0].late
        assert notifiable(today=date(2026, 4, 1))[0].late


def _change(item_contract, *, new_value, new_end, kind=ContractEvent.Kind.VARIATION):
    return ContractEvent.objects.create(
        contract=item_contract,
        kind=kind,
        effective_date=date(2026, 6, 1),
        previous_value=item_contract.whole_life_value,
        new_value=Decimal(new_value),
        previous_end_date=item_contract.end_date,
        new_end_date=new_end,
        reason="More hours",
        approved_by="Gateway 3",
        recorded_by=item_contract.contract_manager,
    )


TERM = {"start_date": date(2026, 1, 1), "end_date": date(2026, 1, 1) + timedelta(days=1000)}


class TestChanges:
    def test_10_percent_exactly_is_not_a_change_and_10_01_is_either_way(self):
        for reference, new_value in (
            ("UP-10", "330000.00"),
            ("UP-10.01", "330030.00"),
            ("DOWN-10", "270000.00"),
            ("DOWN-10.01", "269970.00"),
        ):
            _change(contract(reference, "300000", **TERM), new_value=new_value, new_end=None)
        items = change_items()
        assert refs(items) == ["UP-10.01", "DOWN-10.01"]
        assert "value down more than 10.00% on the value at award" in items[1].detail

    def test_works_are_allowed_15_percent(self):
        works = category("Works and construction")
        for reference, new_value in (("AT-15", "6900000.00"), ("OVER-15", "6900600.00")):
            _change(
                contract(reference, "6000000", category=works, **TERM),
                new_value=new_value,
                new_end=None,
            )
        assert refs(change_items()) == ["OVER-15"]

    def test_the_term_is_measured_on_the_maximum_term_at_award_with_its_options(self):
        end = TERM["end_date"]
        at = contract("AT-10", "300000", **TERM)
        _change(at, new_value="300000", new_end=end + timedelta(days=100))
        over = contract("OVER-10", "300000", **TERM)
        _change(over, new_value="300000", new_end=end + timedelta(days=101))
        option = contract(
            "OPTION", "300000", extension_options=1, extension_option_months=12, **TERM
        )
        _change(
            option,
            new_value="300000",
            new_end=date(2029, 9, 27),  # the option's year, exercised: no change
            kind=ContractEvent.Kind.EXTENSION,
        )
        assert refs(change_items()) == ["OVER-10"]

    def test_light_touch_below_threshold_and_2015_regulations_contracts_are_excluded(self):
        care = category("Care and support services")
        _change(contract("CARE", "700000", category=care, **TERM), new_value="900000", new_end=None)
        _change(contract("SMALL", "207719.99", **TERM), new_value="300000", new_end=None)
        _change(
            contract("PCR", "300000", procurement_began_on=date(2025, 2, 23), **TERM),
            new_value="400000",
            new_end=None,
        )
        _change(contract("IN", "207720.00", **TERM), new_value="300000", new_end=None)
        assert refs(change_items()) == ["IN"]

    def test_the_limits_are_reference_data(self):
        ChangeLimit.objects.create(kind="value", effective_from=date(2026, 5, 1), percent=5)
        _change(contract("UP-6", "300000", **TERM), new_value="318000", new_end=None)
        assert refs(change_items()) == ["UP-6"]


class TestPipeline:
    def test_only_in_a_year_the_council_expects_to_pay_more_than_100m(self):
        ProjectFactory(
            reference="BIG", estimated_value=Decimal("3000000"), planned_tender_date=TODAY
        )
        assert pipeline_items(today=TODAY) == []
        PipelineYear.objects.create(year_starting=2026, expects_spend_over_threshold=False)
        assert pipeline_items(today=TODAY) == []
        PipelineYear.objects.filter(year_starting=2026).get().delete()
        PipelineYear.objects.create(year_starting=2026, expects_spend_over_threshold=True)
        assert refs(pipeline_items(today=TODAY)) == ["BIG"]

    def test_18_months_from_the_start_of_the_financial_year_over_2m_with_vat(self, pipeline_years):
        def project(reference, value, vat, tender):
            ProjectFactory(
                reference=reference,
                estimated_value=Decimal(value),
                estimated_vat=None if vat is None else Decimal(vat),
                planned_tender_date=tender,
            )

        project("FIRST-DAY", "2000000.01", "0", date(2026, 4, 1))
        project("BEFORE-YEAR", "3000000", "0", date(2026, 3, 31))
        project("LAST-DAY", "3000000", "0", date(2027, 9, 30))
        project("AFTER", "3000000", "0", date(2027, 10, 1))
        project("AT-2M", "2000000.00", "0", TODAY)
        project("VAT", "1700000.00", None, TODAY)  # £2,040,000 with VAT at the standard rate
        assert refs(pipeline_items(today=TODAY)) == ["FIRST-DAY", "VAT", "LAST-DAY"]


class TestShown:
    def test_the_contract_page_and_the_api_say_where_it_stands(self, client, make_user):
        shown = contract("SHOWN", "250000", vat=None, procurement_began_on=date(2025, 2, 23))
        head = make_user(Role.HEAD_OF_PROCUREMENT)
        client.force_login(head)
        page = client.get(shown.get_absolute_url()).content.decode()
        assert "Public Contracts Regulations 2015" in page
        assert "£300,000.00" in page
        assert "VAT not recorded: the standard rate is assumed" in page
        assert "Above threshold (£214,904 for goods and services" in page
        data = client.get(f"/api/v1/contracts/{shown.pk}/").json()
        assert data["act"]["regime"] == "pcr_2015"
        assert data["act"]["above_threshold"] is True
        assert data["act"]["value_including_vat"] == "300000.00"
        listed = client.get("/api/v1/contracts/").json()
        assert listed["results"][0]["act"]["threshold"] == "214904.00"

    def test_the_project_page_and_the_api_say_where_it_stands(self, client, make_user):
        project = ProjectFactory(
            estimated_value=Decimal("200000"),
            estimated_vat=Decimal("0"),
            procurement_began_on=date(2026, 1, 1),
        )
        client.force_login(make_user(Role.HEAD_OF_PROCUREMENT))
        page = client.get(project.get_absolute_url()).content.decode()
        assert "Procurement Act 2023" in page
        assert "Below threshold (£207,720" in page
        data = client.get(f"/api/v1/projects/{project.pk}/").json()
        assert data["act"]["regime"] == "act_2023"
        assert data["act"]["above_threshold"] is False

    def test_the_contract_form_records_the_vat_and_the_days(self, client, make_user):
        from contracts.forms import ACT_FIELDS, ContractForm

        form = ContractForm(user=make_user(Role.HEAD_OF_PROCUREMENT))
        assert set(ACT_FIELDS) <= set(form.fields)
        assert list(form.fields).index("vat") == list(form.fields).index("irrecoverable_vat") + 1


class TestTheVatOnEveryPath:
    """VAT is never negative, whichever way it is written: a negative figure would take a
    contract or procurement below a threshold it is above. The APIs are read-only, the register
    import does not write it (``test_import``), and neither model is in the admin."""

    def test_the_contract_and_project_forms_refuse_a_negative_vat(self, make_user):
        from contracts.forms import ContractForm
        from gateways.forms import ProjectForm

        head = make_user(Role.HEAD_OF_PROCUREMENT)
        contract_form = ContractForm({"vat": "-0.01"}, user=head)
        project_form = ProjectForm({"estimated_vat": "-0.01"}, user=head)
        assert not contract_form.is_valid()
        assert not project_form.is_valid()
        assert contract_form.errors["vat"] == ["VAT on the whole-life value must be 0.00 or more"]
        assert project_form.errors["estimated_vat"] == [
            "VAT on the estimated value must be 0.00 or more"
        ]
        assert ContractForm({"vat": "0"}, user=head).errors.get("vat") is None
        assert ProjectForm({"estimated_vat": "0"}, user=head).errors.get("estimated_vat") is None

    def test_the_services_refuse_a_negative_vat(self, make_user):
        from django.core.exceptions import ValidationError

        from contracts.services import contract_update
        from gateways.services import project_update

        head = make_user(Role.HEAD_OF_PROCUREMENT)
        kept = contract("KEPT", "100000")
        project = ProjectFactory(directorate=kept.directorate)
        with pytest.raises(ValidationError, match="greater than or equal to 0"):
            contract_update(contract=kept, fields={"vat": Decimal("-1")}, by=head, reason="VAT")
        with pytest.raises(ValidationError, match="greater than or equal to 0"):
            project_update(
                project=project, fields={"estimated_vat": Decimal("-1")}, by=head, reason="VAT"
            )

    def test_the_database_refuses_a_negative_vat(self):
        from django.db import IntegrityError, transaction

        from contracts.models import Contract
        from gateways.models import ProcurementProject

        kept = contract("KEPT", "100000")
        project = ProjectFactory()
        with pytest.raises(IntegrityError), transaction.atomic():
            Contract.objects.filter(pk=kept.pk).update(vat=Decimal("-1"))
        with pytest.raises(IntegrityError), transaction.atomic():
            ProcurementProject.objects.filter(pk=project.pk).update(estimated_vat=Decimal("-1"))


def test_an_administrator_adds_a_figure_with_a_reason_kept_in_its_history(client, make_user):
    from django.urls import reverse

    client.force_login(make_user(Role.ADMINISTRATOR))
    response = client.post(
        reverse("admin:procurement_threshold_add"),
        {
            "kind": "works",
            "value_including_vat": "5000000.00",
            "effective_from": "2028-01-01",
            "change_reason": "Thresholds from 1 January 2028",
        },
    )
    assert response.status_code == 302
    added = Threshold.objects.get(effective_from=date(2028, 1, 1))
    assert added.history.get().history_change_reason == "Thresholds from 1 January 2028"
    assert Threshold.history.filter(history_type="+").count() == 8  # the 7 loaded, and this
