"""The forward plan: planned procurements by quarter, the contracts to retender, each project and
its gateways, starting a report, the Officer Board's agenda, and proposing an extension."""

from datetime import timedelta

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from contracts.models import Contract
from gateways.forms import ProjectForm, StartReportForm
from gateways.models import ProcurementProject
from gateways.routing import NoPolicyInForce
from gateways.selectors import (
    contracts_to_reprocure,
    project_gateways,
    projects_forward_plan,
    reviews_for_the_board,
)
from gateways.services import project_create as create_project
from gateways.services import project_update as update_project
from gateways.services import review_create
from procurement.access import requires
from procurement.caching import cached_html, query_vary
from procurement.cpv import with_description
from procurement.dates import financial_quarter, long_date, quarter_label
from procurement.models import ContractCategory, Directorate
from procurement.pages import object_for, paged
from procurement.query import query_value

from .common import gateway_button, gateway_form_page


def quarter_heading(day) -> str:
    """The forward plan's heading for the financial quarter ``day`` falls in."""
    if day is None:
        return "Start not yet planned"
    return quarter_label(*financial_quarter(day))


@requires("gateways.view_forward_plan")
@require_GET
def forward_plan(request: HttpRequest) -> HttpResponse:
    can_add = request.user.has_perm("gateways.add_project")
    content = cached_html(
        request,
        "gateways:forward_plan",
        query_vary(request),
        can_add,
        template="gateways/_forward_plan.html",
        context=lambda: {**_forward_plan(request), "can_add": can_add},
        reads=(
            "contracts",
            "gateways",
            "procurement.contractcategory",
            "procurement.directorate",
            "procurement.user",
        ),
    )
    return render(request, "gateways/forward_plan.html", {"content": content})


def _forward_plan(request: HttpRequest) -> dict:
    today = timezone.localdate()
    directorate_id = query_value(request, "directorate")
    category_id = query_value(request, "category")
    quarters: dict[str, list] = {}
    for project in projects_forward_plan(directorate_id=directorate_id, category_id=category_id):
        quarters.setdefault(quarter_heading(project.planned_start_date), []).append(project)
    return {
        "quarters": quarters,
        **_to_reprocure(request, today=today, directorate_id=directorate_id),
        "directorates": Directorate.objects.filter(is_active=True),
        "directorate_id": directorate_id,
        "categories": ContractCategory.objects.filter(is_active=True),
        "category_id": category_id,
    }


# The "retender rather than extend" column shows this many contracts a page, most urgent first.
REPROCURE_PAGE = 10


def _to_reprocure(request: HttpRequest, *, today, directorate_id) -> dict:
    page, query = paged(
        request,
        contracts_to_reprocure(today=today, directorate_id=directorate_id),
        size=REPROCURE_PAGE,
    )
    return {"to_reprocure": page, "reprocure_query": query}


@requires("gateways.view_forward_plan")
@require_GET
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_object_or_404(
        with_description(
            ProcurementProject.objects.select_related(
                "directorate", "category", "lead_officer", "replaces"
            )
        ),
        pk=pk,
    )
    try:
        gateways = project_gateways(project=project, today=timezone.localdate())
    except NoPolicyInForce:
        gateways = []
    return render(
        request,
        "gateways/project_detail.html",
        {
            "project": project,
            "gateways": gateways,
            "can_change": request.user.has_perm("gateways.change_project", project),
        },
    )


def _reprocurement_initial(replaces: Contract) -> dict:
    """A new project's starting answers where it re-procures ``replaces``."""
    return {
        "title": f"Re-procurement of {replaces.title}",
        "directorate": replaces.directorate_id,
        "category": replaces.category_id,
        "cpv_code": replaces.cpv_code,
        "estimated_value": replaces.whole_life_value,
        "replaces": replaces.pk,
        "planned_start_date": replaces.renewal_date + timedelta(days=1)
        if replaces.renewal_date
        else None,
        "change_reason": (
            f"Re-procurement of {replaces.reference}, which ends {long_date(replaces.end_date)}"
            if replaces.end_date
            else f"Re-procurement of {replaces.reference}, a rolling contract"
        ),
    }


@requires("gateways.add_project")
@require_http_methods(["GET", "POST"])
def project_create(request: HttpRequest) -> HttpResponse:
    initial = {"lead_officer": request.user.pk, "directorate": request.user.directorate_id}
    replaces_pk = query_value(request, "replaces")
    replaces = Contract.objects.filter(pk=replaces_pk).first() if replaces_pk else None
    if replaces is not None and request.user.has_perm("contracts.change_contract", replaces):
        initial.update(_reprocurement_initial(replaces))
    form = ProjectForm(
        request.POST if request.method == "POST" else None, user=request.user, initial=initial
    )
    return gateway_form_page(
        request,
        form,
        action=lambda _: create_project(
            fields=form.project_fields(), by=request.user, reason=form.history_reason()
        ),
        done=lambda project: f"{project.reference} is on the forward plan",
        next_url=lambda project: project.get_absolute_url(),
        template="gateways/project_form.html",
        context={"heading": "Plan a procurement"},
    )


@requires("gateways.view_forward_plan")
@require_http_methods(["GET", "POST"])
def project_edit(request: HttpRequest, pk: int) -> HttpResponse:
    project = object_for(request, ProcurementProject, pk, "gateways.change_project")
    form = ProjectForm(
        request.POST if request.method == "POST" else None, instance=project, user=request.user
    )
    return gateway_form_page(
        request,
        form,
        action=lambda _: update_project(
            project=project,
            fields=form.project_fields(),
            by=request.user,
            reason=form.history_reason(),
        ),
        done="The project has been updated",
        next_url=project.get_absolute_url(),
        template="gateways/project_form.html",
        context={"heading": f"Edit {project.reference}"},
    )


@requires("gateways.view_forward_plan")
@require_http_methods(["GET", "POST"])
def start_report(request: HttpRequest, pk: int) -> HttpResponse:
    project = object_for(request, ProcurementProject, pk, "gateways.change_project")
    stages = [g["stage"] for g in project_gateways(project=project, today=timezone.localdate())]
    form = StartReportForm(request.POST if request.method == "POST" else None, stages=stages)
    form.initial["stage"] = query_value(request, "stage", form.fields["stage"])
    return gateway_form_page(
        request,
        form,
        action=lambda data: review_create(
            author=request.user, stage=data["stage"], summary=data["summary"], project=project
        ),
        done="The report has been started: complete it, then submit it",
        next_url=lambda review: reverse("gateways:report", args=[review.pk]),
        template="gateways/start_report.html",
        context={
            "project": project,
            "heading": f"Start a gateway report: {project.reference}",
        },
    )


@requires("gateways.view_forward_plan")
@require_GET
def board_agenda(request: HttpRequest) -> HttpResponse:
    """The reports waiting for the Officer Board, with what the consultees said: printable."""
    return render(
        request,
        "gateways/board_agenda.html",
        {"agenda": reviews_for_the_board(), "today": timezone.localdate()},
    )


@requires("gateways.view_forward_plan")
@require_POST
def propose_extension(request: HttpRequest, contract_pk: int) -> HttpResponse:
    """Start a Gateway 3 report proposing to use one of the contract's extension options."""
    contract = object_for(request, Contract, contract_pk, "contracts.change_contract")
    return gateway_button(
        request,
        action=lambda: review_create(
            author=request.user,
            stage="G3",
            summary=f"Use extension option {contract.extensions_used + 1} of "
            f"{contract.extension_options} on {contract.reference}: {contract.title}.",
            contract=contract,
            is_extension=True,
        ),
        done="The Gateway 3 report has been started: complete the four tests",
        next_url=lambda review: reverse("gateways:report", args=[review.pk]),
        refused_url=reverse("gateways:forward_plan"),
    )
