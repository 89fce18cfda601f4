"""An approved gateway report is the authority to change the register, but only for the change it
approved, and only once: a Gateway 2 award puts its own contract on the register, a Gateway 3
extension extends its own contract. Anything else goes through the person's own permissions."""

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, connections, transaction

from contracts.models import Contract, ContractEvent
from contracts.services import ContractError, contract_create, contract_extend
from contracts.tests.factories import ContractFactory, ContractWithOptionsFactory, SupplierFactory
from gateways.models import GatewayReview, StepDecision
from gateways.services import review_create, review_decide, review_submit
from gateways.tests.factories import CONSULTATION, ProjectFactory
from gateways.tests.test_reviews import EVIDENCE, g2_report
from procurement.roles import Role
from procurement.tests.factories import DirectorateFactory

pytestmark = pytest.mark.django_db

State = GatewayReview.State
NOT_APPROVED = [State.DRAFT, State.IN_REVIEW, State.RETURNED, State.REJECTED, State.WITHDRAWN]


@pytest.fixture
def people(make_user):
    # One directorate: its executive director signs off its procurements.
    directorate = DirectorateFactory()
    return {role: make_user(role, directorate=directorate) for role in Role}


@pytest.fixture
def approver(people):
    """An executive director: they approve awards but may not edit the register themselves."""
    director = people[Role.EXECUTIVE_DIRECTOR]
    assert not director.has_perm("contracts.add_contract")
    return director


def award_report(people, *, state=State.APPROVED, stage="G2", project=None) -> GatewayReview:
    """A Gateway 2 report in ``state`` (approved unless told), its award not yet on the register."""
    return GatewayReview.objects.create(
        project=project or ProjectFactory(),
        stage=stage,
        state=state,
        summary="Award",
        author=people[Role.PROCUREMENT_OFFICER],
        **g2_report(people),
    )


def extension_report(
    people, contract, *, state=State.APPROVED, stage="G3", is_extension=True
) -> GatewayReview:
    """A Gateway 3 extension report in ``state`` (approved unless told), not yet acted on."""
    return GatewayReview.objects.create(
        contract=contract,
        stage=stage,
        is_extension=is_extension,
        state=state,
        summary="Extend",
        author=people[Role.BUSINESS_PARTNER],
        **EVIDENCE,
    )


def award_fields(review: GatewayReview, **changes) -> dict:
    """The contract the report's award describes, as the gateways service puts it."""
    project = review.project
    return {
        "reference": project.reference,
        "title": project.title,
        "directorate": project.directorate,
        "supplier": review.recommended_supplier,
        "contract_manager": project.lead_officer,
        "lead_director": review.contract_lead_director,
        "whole_life_value": review.award_value,
        "start_date": review.contract_start,
        "end_date": review.contract_end,
        "procurement_route": Contract.Route.TENDER,
    } | changes


def create(review, by, **changes) -> Contract:
    return contract_create(
        fields=award_fields(review, **changes), by=by, reason="Awarded", gateway_approval=review
    )


def extend(contract, by, approval) -> ContractEvent:
    return contract_extend(
        contract=contract, reason="Extend", approved_by="G3", by=by, gateway_approval=approval
    )


# --- Gateway 2: the award ---------------------------------------------------------------------


def test_an_approved_award_puts_its_contract_on_the_register_once(people, approver):
    review = award_report(people)
    contract = create(review, approver)
    assert contract.gateway_report == review.pk
    assert contract.history.get().history_user == approver
    with pytest.raises(ContractError, match=rf"report {review.pk} has already put its contract"):
        create(review, approver)
    assert Contract.objects.count() == 1


@pytest.mark.parametrize("approval", ["1", "approved", 1], ids=["number as text", "word", "number"])
def test_a_report_number_or_word_is_no_approval(people, approver, approval):
    review = award_report(people)
    with pytest.raises(TypeError, match="the approved gateway report itself"):
        contract_create(
            fields=award_fields(review), by=approver, reason="Awarded", gateway_approval=approval
        )
    assert not Contract.objects.exists()


@pytest.mark.parametrize("state", NOT_APPROVED)
def test_an_award_not_approved_is_refused(people, approver, state):
    review = award_report(people, state=state)
    with pytest.raises(ContractError, match=rf"Gateway report {review.pk} has not been approved"):
        create(review, approver)
    assert not Contract.objects.exists()


def test_awards_on_their_way_through_the_route_are_refused(people, approver):
    author = people[Role.PROCUREMENT_OFFICER]
    project = ProjectFactory(directorate=author.directorate)
    review = review_create(
        author=author, stage="G2", summary="Award", project=project, report=g2_report(people)
    )
    with pytest.raises(ContractError, match="has not been approved"):
        create(review, approver)
    review_submit(review=review, by=author)
    with pytest.raises(ContractError, match="has not been approved"):
        create(review, approver)
    review_decide(
        review=review,
        by=people[Role.BUSINESS_PARTNER],
        outcome=StepDecision.Outcome.REJECTED,
        reasons="Bid not compliant",
    )
    review.refresh_from_db()
    assert review.state == State.REJECTED
    with pytest.raises(ContractError, match="has not been approved"):
        create(review, approver)
    assert not Contract.objects.exists()


@pytest.mark.parametrize("stage", ["G0", "G1", "G3"])
def test_an_approved_report_of_another_gateway_is_refused(people, approver, stage):
    review = award_report(people, stage=stage)
    with pytest.raises(ContractError, match=rf"report {review.pk} is not a Gateway 2 report"):
        create(review, approver)
    assert not Contract.objects.exists()


def test_another_projects_approved_award_is_refused(people, approver):
    review = award_report(people)
    other = ProjectFactory()
    with pytest.raises(ContractError, match="its reference, directorate differ"):
        create(review, approver, reference=other.reference, directorate=other.directorate)
    assert not Contract.objects.exists()


@pytest.mark.parametrize(
    ("change", "named"),
    [
        (lambda review: {"supplier": SupplierFactory()}, "supplier"),
        (
            lambda review: {"whole_life_value": review.award_value + Decimal("0.01")},
            "whole-life value",
        ),
        (lambda review: {"directorate": DirectorateFactory()}, "directorate"),
        (lambda review: {"reference": "SOMETHING-ELSE"}, "reference"),
        (lambda review: {"start_date": review.contract_start - timedelta(days=1)}, "start date"),
        (lambda review: {"end_date": review.contract_end + timedelta(days=365)}, "end date"),
    ],
)
def test_a_contract_other_than_the_award_is_refused(people, approver, change, named):
    review = award_report(people)
    with pytest.raises(ContractError, match=rf"not the award .* its {named} differs"):
        create(review, approver, **change(review))
    assert not Contract.objects.exists()


def test_the_database_holds_one_contract_to_an_award(people, approver):
    review = award_report(people)
    create(review, approver)
    with pytest.raises(IntegrityError), transaction.atomic():
        ContractFactory(gateway_report=review.pk)


def test_the_approval_is_not_a_field_anyone_enters(people):
    partner = people[Role.BUSINESS_PARTNER]
    review = award_report(people)
    with pytest.raises(ContractError, match="recorded by the approval"):
        contract_create(
            fields=award_fields(review, gateway_report=review.pk), by=partner, reason="Awarded"
        )
    assert not Contract.objects.exists()


def test_without_an_approval_the_persons_own_permission_applies(people, approver):
    from django.core.exceptions import PermissionDenied

    review = award_report(people)
    with pytest.raises(PermissionDenied):
        contract_create(fields=award_fields(review), by=approver, reason="Awarded")
    assert not Contract.objects.exists()


# --- Gateway 3: the extension -----------------------------------------------------------------


def test_an_approved_extension_extends_its_contract_once(people, approver):
    contract = ContractWithOptionsFactory()
    review = extension_report(people, contract)
    event = extend(contract, approver, review)
    assert event.gateway_report == review.pk
    with pytest.raises(ContractError, match=rf"report {review.pk} has already extended"):
        extend(contract, approver, review)
    contract.refresh_from_db()
    assert contract.extensions_used == 1
    assert ContractEvent.objects.count() == 1


@pytest.mark.parametrize("approval", ["1", "approved", 1], ids=["number as text", "word", "number"])
def test_a_report_number_or_word_is_no_extension(people, approver, approval):
    contract = ContractWithOptionsFactory()
    extension_report(people, contract)
    with pytest.raises(TypeError, match="the approved gateway report itself"):
        extend(contract, approver, approval)
    contract.refresh_from_db()
    assert contract.extensions_used == 0


@pytest.mark.parametrize("state", NOT_APPROVED)
def test_an_extension_not_approved_is_refused(people, approver, state):
    contract = ContractWithOptionsFactory()
    review = extension_report(people, contract, state=state)
    with pytest.raises(ContractError, match=rf"Gateway report {review.pk} has not been approved"):
        extend(contract, approver, review)
    assert not ContractEvent.objects.exists()


@pytest.mark.parametrize(
    ("report", "message"),
    [
        ({"stage": "G2"}, "is not a Gateway 3 report"),
        ({"stage": "G1"}, "is not a Gateway 3 report"),
        ({"is_extension": False}, "does not extend"),
    ],
)
def test_an_approved_report_that_is_not_this_extension_is_refused(
    people, approver, report, message
):
    contract = ContractWithOptionsFactory()
    review = extension_report(people, contract, **report)
    with pytest.raises(ContractError, match=message):
        extend(contract, approver, review)
    assert not ContractEvent.objects.exists()


def test_another_contracts_approved_extension_is_refused(people, approver):
    contract = ContractWithOptionsFactory()
    review = extension_report(people, ContractWithOptionsFactory())
    with pytest.raises(ContractError, match=f"does not extend {contract.reference}"):
        extend(contract, approver, review)
    assert not ContractEvent.objects.exists()


def test_the_gateway_route_records_the_report_it_acted_under(client, people):
    author = people[Role.PROCUREMENT_OFFICER]
    project = ProjectFactory(directorate=author.directorate)
    review = review_create(
        author=author, stage="G2", summary="Award", project=project, report=g2_report(people)
    )
    review_submit(review=review, by=author)
    review_decide(
        review=review, by=people[Role.BUSINESS_PARTNER], outcome=StepDecision.Outcome.APPROVED
    )
    review_decide(
        review=review,
        by=people[Role.EXECUTIVE_DIRECTOR],
        outcome=StepDecision.Outcome.APPROVED,
        **CONSULTATION,
    )
    contract = Contract.objects.get(reference=project.reference)
    assert contract.gateway_report == review.pk
    client.force_login(author)
    page = client.get(contract.get_absolute_url()).content.decode()
    assert "Awarded under" in page
    assert f"Gateway 2 report {review.pk}" in page


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_uses_of_one_extension_at_once_extend_once(postgres, people):
    contract = ContractWithOptionsFactory()
    review = extension_report(people, contract)
    approvers = [people[Role.EXECUTIVE_DIRECTOR], people[Role.HEAD_OF_PROCUREMENT]]
    start = threading.Barrier(len(approvers))
    outcomes: list[str] = []

    def use(by) -> None:
        try:
            start.wait(timeout=10)
            extend(contract, by, GatewayReview.objects.get(pk=review.pk))
            outcomes.append("extended")
        except ContractError as error:
            outcomes.append(str(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=use, args=(by,)) for by in approvers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == sorted(
        ["extended", f"Gateway report {review.pk} has already extended the contract"]
    )
    contract.refresh_from_db()
    assert contract.extensions_used == 1
