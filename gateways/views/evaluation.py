"""Evaluation: the weighting and social value measures at Gateway 1, the panel and their
declarations, the bids and what they offer, the scores and their moderation, and the summaries."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gateways.evaluation import evaluation_for, weighting_in_force
from gateways.forms import (
    BidForm,
    BidOffersForm,
    ChooseMeasuresForm,
    DeclarationForm,
    EvaluatorForm,
    ScoresForm,
    WeightingForm,
)
from gateways.models import Bid, GatewayReview, ProcurementProject
from gateways.rules import may_change_weighting
from gateways.selectors import project_recommended_supplier_id, weighting_report
from gateways.services import (
    WeightingError,
    bid_create,
    bid_moderate,
    bid_offers_set,
    bid_score,
    evaluator_add,
    evaluator_declare,
    measures_choose,
    review_set_weighting,
)
from procurement.access import requires
from procurement.forms import show_error
from procurement.models import GatewayStage
from procurement.pages import object_for
from procurement.query import query_value
from socialvalue.models import MeasureLibrary

from .common import gateway_button, gateway_form_page

# --- The weighting and measures at Gateway 1 ----------------------------------------------------


def has_project(user, review: GatewayReview) -> bool:
    """The report is about a planned procurement (not a contract already let)."""
    return review.project_id is not None


def _open_strategy(request: HttpRequest, pk: int) -> GatewayReview:
    """A procurement's Gateway 1 strategy that the user wrote and may still change."""
    strategies = GatewayReview.objects.select_related("project__category").filter(
        stage=GatewayStage.G1
    )
    return object_for(request, strategies, pk, may_change_weighting, has_project)


def _show_weighting_refusal(form: WeightingForm, error: Exception) -> None:
    """Each of a refused weighting's problems in the error summary."""
    if isinstance(error, WeightingError):
        for problem in error.problems:
            form.add_problem(problem)
    else:
        show_error(form, error)


@requires("procurement.use_service")
@require_http_methods(["GET", "POST"])
def weighting_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The author sets the Gateway 1 weighting while the report is a draft or returned."""
    review = _open_strategy(request, pk)
    form = WeightingForm(request.POST if request.method == "POST" else None, review=review)
    return gateway_form_page(
        request,
        form,
        action=lambda _: review_set_weighting(
            review=review, by=request.user, **form.service_arguments()
        ),
        show_refusal=_show_weighting_refusal,
        done="The weighting has been saved",
        next_url=reverse("gateways:review", args=[review.pk]),
        template="gateways/weighting_form.html",
        context={
            "review": review,
            "category": review.project.category,
            "heading": f"Evaluation weighting: {review.project.reference}",
        },
    )


def _library_shown(request: HttpRequest, libraries: list, chosen: list) -> MeasureLibrary:
    """The library asked for, else the one the chosen measures come from, else the first."""
    library_id = query_value(request, "library") or (
        chosen[0].measure.library_id if chosen else libraries[0].pk
    )
    library = next((lib for lib in libraries if lib.pk == library_id), None)
    if library is None:
        raise Http404("No such library")
    return library


@requires("procurement.use_service")
@require_http_methods(["GET", "POST"])
def measures_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The author chooses the social value measures bidders will commit to, from one library."""
    review = _open_strategy(request, pk)
    chosen = list(review.chosen_measures.select_related("measure__library"))
    libraries = list(MeasureLibrary.objects.all())
    if not libraries:
        raise Http404("No measure library has been loaded")
    library = _library_shown(request, libraries, chosen)
    measures = list(library.measures.order_by("order", "pk"))
    form = ChooseMeasuresForm(
        request.POST if request.method == "POST" else None,
        measures=measures,
        initial={"measures": [c.measure_id for c in chosen]},
    )

    def choose(data: dict):
        picked = set(data["measures"])
        measures_choose(
            review=review, measures=[m for m in measures if m.pk in picked], by=request.user
        )

    return gateway_form_page(
        request,
        form,
        action=choose,
        done="The social value measures have been saved",
        next_url=f"{reverse('gateways:review', args=[review.pk])}#social-value",
        template="gateways/measures_form.html",
        context={
            "review": review,
            "library": library,
            "libraries": libraries,
            "heading": f"Social value measures: {review.project.reference}",
        },
    )


# --- The panel, the bids and the scores ---------------------------------------------------------


def _project(request: HttpRequest, pk: int, *checks) -> ProcurementProject:
    """The procurement, with its category, if the user passes ``checks`` (403 if not)."""
    return object_for(request, ProcurementProject.objects.select_related("category"), pk, *checks)


def is_on_panel(user, project: ProcurementProject) -> bool:
    """Named to the evaluation panel, whether or not yet declared."""
    return project.evaluators.filter(user=user).exists()


def _evaluation_url(project: ProcurementProject) -> str:
    return reverse("gateways:evaluation", args=[project.pk])


@requires("gateways.view_forward_plan")
@require_GET
def evaluation(request: HttpRequest, pk: int) -> HttpResponse:
    """The evaluation: the weighting in force and the panel for all; the bids and every score
    for the cleared panel and the central team (and, after the award, for the record)."""
    project = _project(request, pk)
    current = evaluation_for(project=project)
    user = request.user
    return render(
        request,
        "gateways/evaluation.html",
        {
            "project": project,
            "evaluation": current,
            "mine": current.declaration_of(user),
            "ranking_table": current.criteria_table(current.ranking),
            "recommended_id": project_recommended_supplier_id(project=project),
            "may_see_bids": user.has_perm("gateways.view_bids", project),
            "may_record": user.has_perm("gateways.record_bids", project),
            "may_score": user.has_perm("gateways.score_bids", project),
            "may_moderate": user.has_perm("gateways.moderate_bids", project),
            "evaluator_form": EvaluatorForm()
            if user.has_perm("gateways.manage_panel", project)
            else None,
        },
    )


@requires("gateways.view_forward_plan")
@require_POST
def evaluator_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project(request, pk, "gateways.manage_panel")
    form = EvaluatorForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose the person to name to the panel")
        return redirect(_evaluation_url(project))
    person = form.cleaned_data["user"]
    return gateway_button(
        request,
        action=lambda: evaluator_add(project=project, user=person, by=request.user),
        done=f"{person} is on the panel",
        next_url=_evaluation_url(project),
    )


@requires("gateways.view_forward_plan")
@require_http_methods(["GET", "POST"])
def declaration(request: HttpRequest, pk: int) -> HttpResponse:
    """A panel member's conflict of interest declaration, before they see the bids."""
    project = _project(request, pk, is_on_panel)
    form = DeclarationForm(request.POST if request.method == "POST" else None)
    return gateway_form_page(
        request,
        form,
        action=lambda data: evaluator_declare(project=project, by=request.user, **data),
        done="Your declaration has been recorded",
        next_url=_evaluation_url(project),
        template="gateways/declaration_form.html",
        context={"project": project, "heading": "Declare any conflict of interest"},
    )


@requires("gateways.view_forward_plan")
@require_http_methods(["GET", "POST"])
def bid_add(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project(request, pk, "gateways.record_bids")
    form = BidForm(request.POST if request.method == "POST" else None)
    return gateway_form_page(
        request,
        form,
        action=lambda data: bid_create(project=project, by=request.user, **data),
        done=lambda bid: f"The bid from {bid.supplier} has been recorded",
        next_url=_evaluation_url(project),
        template="gateways/bid_form.html",
        context={"project": project, "heading": f"Record a bid: {project.reference}"},
    )


def _bid(project: ProcurementProject, bid_pk: int) -> Bid:
    return get_object_or_404(Bid.objects.select_related("supplier"), pk=bid_pk, project=project)


@requires("gateways.view_forward_plan")
@require_http_methods(["GET", "POST"])
def bid_offers(request: HttpRequest, pk: int, bid_pk: int) -> HttpResponse:
    """What a bid offers against each social value measure chosen at Gateway 1."""
    project = _project(request, pk, "gateways.record_bids")
    bid = _bid(project, bid_pk)
    weighting = weighting_in_force(project=project)
    measures = [c.measure for c in weighting.chosen_measures.all()] if weighting else []
    if not measures:
        raise Http404("No social value measures were chosen at Gateway 1")
    initial = {}
    for offer in bid.commitments.all():
        initial[f"quantity_{offer.measure_id}"] = offer.quantity
        initial[f"target_date_{offer.measure_id}"] = offer.target_date
    form = BidOffersForm(
        request.POST if request.method == "POST" else None, measures=measures, initial=initial
    )
    return gateway_form_page(
        request,
        form,
        action=lambda _: bid_offers_set(bid=bid, offers=form.offers(), by=request.user),
        done=f"The social value offered by {bid.supplier} is recorded",
        next_url=_evaluation_url(project),
        template="gateways/bid_offers_form.html",
        context={
            "project": project,
            "bid": bid,
            "heading": f"Social value offered by {bid.supplier}",
        },
    )


MODERATION_NOTE = "Moderation note (needed where the score differs from an evaluator's)"


def _scores_page(request: HttpRequest, pk: int, bid_pk: int, *, moderating: bool):
    """An evaluator's scores of a bid, or (``moderating``) the panel's moderated scores."""
    project = _project(request, pk)
    bid = _bid(project, bid_pk)
    permission = "gateways.moderate_bids" if moderating else "gateways.score_bids"
    if not request.user.has_perm(permission, project):
        raise PermissionDenied
    current = evaluation_for(project=project)
    if current.weighting_review is None:
        raise PermissionDenied
    row = current.row_of(bid.pk)
    scale_max = current.weighting_review.score_scale_max
    form = ScoresForm(
        request.POST if request.method == "POST" else None,
        criteria=current.criteria,
        scale_max=scale_max,
        text_label=MODERATION_NOTE if moderating else "Comment",
        initial_scores=row.moderation_start() if moderating else row.scores_by(request.user.pk),
    )
    service = bid_moderate if moderating else bid_score
    return gateway_form_page(
        request,
        form,
        action=lambda _: service(bid=bid, by=request.user, scores=form.scores()),
        done=f"The bid from {bid.supplier} has been {'moderated' if moderating else 'scored'}",
        next_url=_evaluation_url(project),
        template="gateways/scores_form.html",
        context={
            "project": project,
            "bid": bid,
            "row": row,
            "moderating": moderating,
            "scale_max": scale_max,
            "heading": f"{'Moderate' if moderating else 'Score'} the bid from {bid.supplier}",
        },
    )


@requires("gateways.view_forward_plan")
@require_http_methods(["GET", "POST"])
def bid_score_view(request: HttpRequest, pk: int, bid_pk: int) -> HttpResponse:
    return _scores_page(request, pk, bid_pk, moderating=False)


@requires("gateways.view_forward_plan")
@require_http_methods(["GET", "POST"])
def bid_moderate_view(request: HttpRequest, pk: int, bid_pk: int) -> HttpResponse:
    return _scores_page(request, pk, bid_pk, moderating=True)


@requires("gateways.view_forward_plan")
@require_GET
def evaluation_summary(request: HttpRequest, pk: int) -> HttpResponse:
    """The evaluation as a council publishes it, or (``?bidder=<bid>``) as sent to one bidder,
    with the other bidders anonymised."""
    project = _project(request, pk, "gateways.view_bids")
    current = evaluation_for(project=project)
    if not current.is_complete:
        messages.error(request, "The summary is ready once every bid's scores are moderated")
        return redirect(_evaluation_url(project))
    recipient = None
    bidder = query_value(request, "bidder")
    if bidder is not None:
        recipient = current.row_of(bidder)
        if recipient is None:
            raise Http404("No such bid on this procurement")
    return render(
        request,
        "gateways/evaluation_summary.html",
        {
            "project": project,
            "evaluation": current,
            "weighting": current.weighting_review,
            "rows": current.ranking_sent_to(recipient),
            "table": current.criteria_table(current.ranking),
            "recipient": recipient,
            "recommended_id": project_recommended_supplier_id(project=project),
            "today": timezone.localdate(),
        },
    )


@requires("gateways.view_forward_plan")
@require_GET
def weighting_report_view(request: HttpRequest) -> HttpResponse:
    """Weights actually approved, by category; awards that met the social value minimum; and the
    departures from the templates."""
    return render(request, "gateways/weighting_report.html", weighting_report())
