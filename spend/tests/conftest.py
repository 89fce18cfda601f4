from datetime import date
from decimal import Decimal

import pytest

from contracts.tests.factories import ContractFactory, SupplierFactory
from procurement.models import Directorate
from procurement.roles import Role
from spend.services.kept import kept_spend_disagreements, kept_spend_rebuild

from .factories import PaymentSourceFactory


@pytest.fixture(params=["summed", "kept"])
def kept_or_summed(request):
    """The test twice: the lists summed from the payments, and read from the kept figures
    (built first, then kept up by every write the test makes), which must agree at its end
    with the payments summed afresh."""
    if request.param == "kept":
        kept_spend_rebuild()
    yield request.param
    assert kept_spend_disagreements() == []


@pytest.fixture
def council():
    directorates = {
        code: Directorate.objects.get_or_create(name=name, defaults={"code": code})[0]
        for code, name in (
            ("asc", "Adult Social Care"),
            ("cs", "Children's Services"),
            ("hou", "Housing"),
        )
    }
    acme = SupplierFactory(name="Acme Cleaning Ltd", companies_house_number="01234567")
    brightside = SupplierFactory(name="Brightside Care Ltd", charity_number="1123456")
    greenway = SupplierFactory(name="Greenway PLC")
    contract = ContractFactory(
        reference="C-ACME-1",
        supplier=acme,
        directorate=directorates["asc"],
        whole_life_value=Decimal("1000.00"),
        start_date=date(2025, 1, 1),
        end_date=date(2028, 12, 31),
    )
    return {
        "directorates": directorates,
        "acme": acme,
        "brightside": brightside,
        "greenway": greenway,
        "contract": contract,
        "source": PaymentSourceFactory(name="Ledger"),
    }


@pytest.fixture
def partner(make_user):
    return make_user(Role.BUSINESS_PARTNER)
