"""The review queue's pages: payees waiting for an officer to confirm their supplier, and
suppliers' payments waiting for an officer to choose their contract.

A procurement officer's queue lists their own directorate's payments; a payee or a supplier's
payments of another directorate are refused (403), as the services refuse them too.
"""

from django import forms
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max, Min, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from contracts.models import Contract, Supplier
from procurement.access import requires
from procurement.dates import long_date
from procurement.forms import GovukDateField, GovukForm
from procurement.models import Directorate
from procurement.pages import form_page, paged
from procurement.query import query_value, search_text
from procurement.rules import is_central_team
from spend.models import Payment, PaymentSource
from spend.names import name_keys, score
from spend.selectors.queue import (
    contract_candidates,
    contracts_waiting,
    match_threshold,
    payee_directorates,
    payee_summary,
    payees_waiting,
    supplier_candidates,
    suppliers_named,
    waiting_payments,
    with_directorates,
)
from spend.services.matching import (
    MatchingError,
    contract_choice_make,
    may_review,
    supplier_match_confirm,
)

PERMISSION = "spend.review_matches"
PAGE_SIZE = 25
PAYMENTS_SHOWN = 50
NOT_ON_REGISTER = "none"
NO_CONTRACT = "none"
NO_DIRECTORATE = 0


def _is_pk(value: str) -> bool:
    """Whether a radio's value can be a row's id (ASCII digits a database integer holds)."""
    return value.isascii() and value.isdigit() and len(value) <= 18


def _scope(request: HttpRequest) -> int | None:
    """The directorate whose payments the person's queue lists (``None``: every one)."""
    return None if is_central_team(request.user) else request.user.directorate_id


@requires(PERMISSION)
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    page, query = paged(request, payees_waiting(directorate=_scope(request)), size=PAGE_SIZE)
    page.object_list = with_directorates(list(page.object_list), directorate=_scope(request))
    return render(
        request,
        "spend/queue.html",
        {"page": page, "query": query, "tab": "suppliers", "everyone": _scope(request) is None},
    )


@requires(PERMISSION)
@require_GET
def contracts_queue(request: HttpRequest) -> HttpResponse:
    page, query = paged(request, contracts_waiting(directorate=_scope(request)), size=PAGE_SIZE)
    return render(
        request,
        "spend/queue_contracts.html",
        {"page": page, "query": query, "tab": "contracts", "everyone": _scope(request) is None},
    )


# --- A payee's supplier --------------------------------------------------------------------------


class SupplierChoiceForm(GovukForm):
    supplier = forms.CharField(label="Which supplier on the register is this payee?")
    reason = forms.CharField(
        label="Why (optional)",
        required=False,
        max_length=300,
        help_text="For the record: how you know, such as an invoice or the supplier's address.",
    )

    def clean_supplier(self) -> Supplier | None:
        value = self.cleaned_data["supplier"].strip()
        if value == NOT_ON_REGISTER:
            return None
        found = Supplier.objects.filter(pk=int(value)).first() if _is_pk(value) else None
        if found is None:
            raise forms.ValidationError("Choose a supplier, or that it is not on the register")
        return found


def _payee(request: HttpRequest, source_pk: int, key: str):
    source = get_object_or_404(PaymentSource, pk=source_pk)
    if not may_review(request.user, payee_directorates(source=source, key=key)):
        raise PermissionDenied
    payee = payee_summary(source=source, key=key)
    if payee is None:
        raise Http404
    return payee


def _score(key: str, supplier: Supplier) -> int:
    return max((score(key, each) for each in name_keys(supplier.name)), default=0)


def _numbers(supplier: Supplier) -> str:
    numbers = [
        f"company {supplier.companies_house_number}" if supplier.companies_house_number else "",
        f"charity {supplier.charity_number}" if supplier.charity_number else "",
    ]
    return "".join(f"; {number}" for number in numbers if number)


def supplier_options(*, key: str, candidates: list, found: list, chosen: str) -> list[dict]:
    """The radios of a payee's page: the likely suppliers and the near names with their
    scores, those the search found, then "not on the register"."""
    options, seen = [], set()
    for candidate in candidates:
        likely = ": likely" if candidate.likely else ""
        seen.add(candidate.supplier.pk)
        hint = f"Score {candidate.score} out of 100{likely}{_numbers(candidate.supplier)}"
        options.append((candidate.supplier, hint))
    for supplier in found:
        if supplier.pk not in seen:
            hint = f"Found by your search; score {_score(key, supplier)} out of 100"
            options.append((supplier, hint + _numbers(supplier)))
    rows = [
        {"value": str(supplier.pk), "label": supplier.name, "hint": hint}
        for supplier, hint in options
    ]
    rows.append(
        {
            "value": NOT_ON_REGISTER,
            "label": "Not a supplier on the register",
            "hint": "Its payments count as spend with no contract.",
        }
    )
    for number, row in enumerate(rows):
        row["id"] = "id_supplier" if number == 0 else f"id_supplier_{number}"
        row["checked"] = row["value"] == chosen
    return rows


@requires(PERMISSION)
@require_http_methods(["GET", "POST"])
def payee(request: HttpRequest, source_pk: int, key: str) -> HttpResponse:
    found = _payee(request, source_pk, key)
    form = SupplierChoiceForm(request.POST if request.method == "POST" else None)
    term = query_value(request, "q", search_text(), default="")
    threshold = match_threshold()

    def confirm(data):
        supplier = data["supplier"]
        supplier_match_confirm(
            source=found.source,
            payee_key=found.key,
            supplier=supplier,
            by=request.user,
            reason=data["reason"]
            or ("Confirmed in the review queue" if supplier else "Not on the register"),
            score=_score(found.key, supplier) if supplier else None,
        )
        return supplier

    def done(supplier) -> str:
        if supplier is None:
            return f"{found.name} is recorded as not a supplier on the register"
        return f"{found.name} is matched to {supplier}, for its payments now and to come"

    return form_page(
        request,
        form,
        action=confirm,
        refusals=(MatchingError,),
        done=done,
        next_url=reverse("spend:queue"),
        template="spend/payee.html",
        context=lambda: {
            "payee": found,
            "threshold": threshold,
            "term": term,
            "options": supplier_options(
                key=found.key,
                candidates=supplier_candidates(key=found.key, threshold=threshold),
                found=suppliers_named(term) if term else [],
                chosen=(form["supplier"].value() or "") if form.is_bound else "",
            ),
        },
    )


# --- A supplier's payments' contract -------------------------------------------------------------


class ContractChoiceForm(GovukForm):
    contract = forms.CharField(label="Which contract are these payments paid under?")
    paid_from = GovukDateField(label="From", described_as="The first date")
    paid_to = GovukDateField(label="To", described_as="The last date")
    reason = forms.CharField(
        label="Why (optional)",
        required=False,
        max_length=300,
        help_text="For the record: the purchase order, the invoice or who told you.",
    )

    def clean_contract(self) -> Contract | None:
        value = self.cleaned_data["contract"].strip()
        if value == NO_CONTRACT:
            return None
        found = Contract.objects.filter(pk=int(value)).first() if _is_pk(value) else None
        if found is None:
            raise forms.ValidationError("Choose a contract, or that there is none on the register")
        return found


def contract_options(*, candidates: list[Contract], chosen: str) -> list[dict]:
    """The radios of a supplier's waiting payments: the contracts they could be under, then
    "under no contract on the register"."""
    rows = []
    for contract in candidates:
        ends = f" to {long_date(contract.end_date)}" if contract.end_date else ", no end date"
        hint = (
            f"{contract.title}; {contract.directorate}; from {long_date(contract.start_date)}{ends}"
        )
        rows.append({"value": str(contract.pk), "label": contract.reference, "hint": hint})
    rows.append(
        {
            "value": NO_CONTRACT,
            "label": "Under no contract on the register",
            "hint": "They count as spend with no contract.",
        }
    )
    for number, row in enumerate(rows):
        row["id"] = "id_contract" if number == 0 else f"id_contract_{number}"
        row["checked"] = row["value"] == chosen
    return rows


def _supplier_in(request: HttpRequest, pk: int, directorate_pk: int):
    supplier = get_object_or_404(Supplier, pk=pk)
    directorate = None
    if directorate_pk != NO_DIRECTORATE:
        directorate = get_object_or_404(Directorate, pk=directorate_pk)
    if not may_review(request.user, [directorate]):
        raise PermissionDenied
    if not Payment.objects.filter(supplier=supplier, directorate=directorate).exists():
        raise Http404
    return supplier, directorate


@requires(PERMISSION)
@require_http_methods(["GET", "POST"])
def supplier_contracts(request: HttpRequest, pk: int, directorate_pk: int) -> HttpResponse:
    supplier, directorate = _supplier_in(request, pk, directorate_pk)
    payments = waiting_payments(supplier=supplier, directorate=directorate)
    figures = payments.aggregate(
        number=Count("pk"), total=Sum("amount"), first=Min("paid_on"), last=Max("paid_on")
    )
    initial = {"paid_from": figures["first"], "paid_to": figures["last"]}
    form = ContractChoiceForm(request.POST if request.method == "POST" else None, initial=initial)

    def choose(data):
        contract = data["contract"]
        contract_choice_make(
            supplier=supplier,
            directorate=directorate,
            paid_from=data["paid_from"],
            paid_to=data["paid_to"],
            contract=contract,
            by=request.user,
            reason=data["reason"]
            or ("Chosen in the review queue" if contract else "Under no contract on the register"),
        )
        return contract

    def context() -> dict:
        first, last = figures["first"], figures["last"]
        return {
            "supplier": supplier,
            "directorate": directorate,
            "figures": figures,
            "payments": list(payments.order_by("paid_on", "pk")[:PAYMENTS_SHOWN]),
            "options": contract_options(
                candidates=contract_candidates(
                    supplier=supplier, directorate=directorate, first=first, last=last
                )
                if first
                else [],
                chosen=(form["contract"].value() or "") if form.is_bound else "",
            ),
        }

    return form_page(
        request,
        form,
        action=choose,
        refusals=(MatchingError,),
        done=lambda contract: f"{supplier}'s payments are now under {contract or 'no contract'}",
        next_url=reverse("spend:queue_contracts"),
        template="spend/supplier_contracts.html",
        context=context,
    )
