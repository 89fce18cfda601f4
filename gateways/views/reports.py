"""A gateway report: its page, completing it, its documents, the KPIs it proposes, and its
history."""

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gateways.evaluation import evaluation_for, savings_against_baseline
from gateways.forms import ReportAttachmentForm, ReportForm, ThemesForm, WithdrawForm
from gateways.models import GatewayReview, ProposedKpi, ReportAttachment
from gateways.rules import is_author, may_change_weighting, may_edit_report, may_withdraw_report
from gateways.selectors import review_outcome, review_route_rows, review_trail
from gateways.services import (
    THEME_STAGES,
    names_themes,
    proposed_kpi_add,
    proposed_kpi_remove,
    review_attach,
    review_set_themes,
    review_update_report,
    themes_missing,
)
from performance.forms import KpiForm
from procurement.access import requires
from procurement.caching import cached_page
from procurement.files import download_response
from procurement.models import GatewayStage
from procurement.selectors import plan_themes_active

from .common import gateway_button, gateway_form_page, review_for
from .decisions import (
    award_manager_refusal,
    decision_form,
    decision_training_lapse,
    step_waiting,
)


@requires("procurement.use_service")
@require_GET
def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    def context() -> dict:
        review = review_for(request, pk)
        step = step_waiting(review)
        return _page_context(request, review, step, decision_form(request.user, review, step))

    # What the visitor may do at the report is on the page: kept per visitor, and only once
    # they were let read it (``review_for`` refuses inside ``context``).
    title, content = cached_page(
        request,
        "gateways:review",
        pk,
        request.user.pk,
        template="gateways/_review_detail.html",
        context=context,
        reads=(
            "auth",
            "contracts",
            "gateways",
            "performance",
            "procurement",
            "socialvalue",
            "training",
        ),
    )
    return render(request, "gateways/review_detail.html", {"page_title": title, "content": content})


def _evaluation_on_report(request: HttpRequest, review: GatewayReview) -> dict:
    """A Gateway 1 report shows its weighting; a Gateway 2 report the evaluation's ranking and the
    scores behind it (to its approvers once submitted; before that, to those who see the bids)."""
    if review.project_id is None:
        return {}
    if review.stage == GatewayStage.G1:
        return {
            "criteria": list(review.criteria.all()),
            "chosen_measures": [
                c.measure for c in review.chosen_measures.select_related("measure__library")
            ],
        }
    if review.stage != GatewayStage.G2:
        return {}
    if not (review.round or request.user.has_perm("gateways.view_bids", review.project)):
        return {}
    evaluation = evaluation_for(project=review.project)
    if evaluation.weighting_review is None:
        return {}
    row = evaluation.row_for(review.recommended_supplier_id)
    return {
        "evaluation": evaluation,
        "ranking_table": evaluation.criteria_table(evaluation.ranking),
        "recommended": row,
        "savings": savings_against_baseline(review=review, price=row.bid.price if row else None),
    }


def _page_context(request: HttpRequest, review: GatewayReview, step, form) -> dict:
    user = request.user
    return {
        "page_title": str(review),
        **_evaluation_on_report(request, review),
        "may_change_weighting": may_change_weighting(user, review),
        "review": review,
        "outcome": review_outcome(review),
        "step": step,
        "route": review_route_rows(review=review, current=step),
        "form": form,
        "withdraw_form": WithdrawForm() if may_withdraw_report(user, review) else None,
        "may_submit": may_edit_report(user, review),
        "training_lapse": decision_training_lapse(user, review, step, form),
        "award_manager_refusal": (
            award_manager_refusal(review) if may_edit_report(user, review) else ""
        ),
        "attachments": review.attachments.select_related("uploaded_by"),
        "attachment_form": ReportAttachmentForm(),
        **_kpis_on_report(review),
        **_themes_on_report(review),
    }


def _themes_on_report(review: GatewayReview) -> dict:
    """A procurement's Gateway 1 and 2 reports name the Council Plan themes they address."""
    if not names_themes(review):
        return {}
    return {
        "theme_statements": list(review.theme_statements.select_related("theme")),
        "themes_problems": themes_missing(review),
        "themes_what": THEME_STAGES[review.stage],
    }


def _kpis_on_report(review: GatewayReview) -> dict:
    """A Gateway 2 report proposes the contract's KPIs (the number required over the value in
    ``procurement.thresholds``)."""
    if review.stage != GatewayStage.G2 or review.project_id is None:
        return {}
    proposed = list(review.proposed_kpis.all())
    return {"proposed_kpis": proposed, "kpis_problem": review.kpis_missing(len(proposed))}


def _kpis_url(pk: int) -> str:
    return f"{reverse('gateways:review', args=[pk])}#kpis"


@requires("procurement.use_service")
@require_http_methods(["GET", "POST"])
def proposed_kpi_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    review = review_for(request, pk, is_author)
    form = KpiForm(request.POST if request.method == "POST" else None)
    return gateway_form_page(
        request,
        form,
        action=lambda _: proposed_kpi_add(review=review, fields=form.kpi_fields(), by=request.user),
        done="The KPI has been added to the report",
        next_url=_kpis_url(review.pk),
        template="gateways/proposed_kpi_form.html",
        context={"review": review, "heading": "Propose a KPI for the contract"},
    )


@requires("procurement.use_service")
@require_POST
def proposed_kpi_remove_view(request: HttpRequest, pk: int, kpi_pk: int) -> HttpResponse:
    review = review_for(request, pk, is_author)
    kpi = get_object_or_404(ProposedKpi, pk=kpi_pk, review=review)
    return gateway_button(
        request,
        action=lambda: proposed_kpi_remove(kpi=kpi, by=request.user),
        done=f"'{kpi.name}' is no longer proposed",
        next_url=_kpis_url(pk),
    )


def _earlier_themes(review: GatewayReview) -> dict[int, str]:
    """What the approved strategy said of each theme, beside a Gateway 2 report's."""
    strategy = review.approved_strategy if review.stage == GatewayStage.G2 else None
    if strategy is None:
        return {}
    return {named.theme_id: named.statement for named in strategy.theme_statements.all()}


@requires("procurement.use_service")
@require_http_methods(["GET", "POST"])
def themes_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The author names the Council Plan themes the report addresses, with a statement each;
    once the report is submitted they are fixed, and the author is sent back to it saying so
    (as the check before submitting does)."""
    review = review_for(request, pk, is_author, lambda _, r: names_themes(r))
    if not may_edit_report(request.user, review):
        messages.error(
            request,
            "The Council Plan themes are fixed once the report is submitted: it is "
            f"{review.get_state_display().lower()}",
        )
        return redirect(f"{reverse('gateways:review', args=[review.pk])}#plan-themes")
    named = {s.theme_id: s for s in review.theme_statements.select_related("theme")}
    themes = list(plan_themes_active())
    themes += [s.theme for s in named.values() if not s.theme.is_active]
    earlier = _earlier_themes(review)
    initial = {}
    for theme in themes:
        initial[f"theme_{theme.pk}"] = theme.pk in named or (not named and theme.pk in earlier)
        initial[f"statement_{theme.pk}"] = named[theme.pk].statement if theme.pk in named else ""
    what = THEME_STAGES[review.stage]
    form = ThemesForm(
        request.POST if request.method == "POST" else None,
        themes=themes,
        what=what,
        earlier=earlier,
        initial=initial,
    )
    return gateway_form_page(
        request,
        form,
        action=lambda _: review_set_themes(
            review=review, statements=form.statements(), by=request.user
        ),
        done="The Council Plan themes have been saved",
        next_url=f"{reverse('gateways:review', args=[review.pk])}#plan-themes",
        template="gateways/themes_form.html",
        context={
            "review": review,
            "rows": form.rows,
            "what": what,
            "no_themes": not themes,
            "heading": f"Council Plan themes: {review.project.reference}",
        },
    )


@requires("procurement.use_service")
@require_http_methods(["GET", "POST"])
def report_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The author completes or corrects the report while it is a draft or returned; once it is
    submitted it is fixed, and the author is sent back to it saying so."""
    review = review_for(request, pk, is_author)
    if not may_edit_report(request.user, review):
        messages.error(
            request,
            "The report is fixed once it is submitted: it is "
            f"{review.get_state_display().lower()}. It can be corrected if it is returned to you.",
        )
        return redirect(reverse("gateways:review", args=[review.pk]))
    form = ReportForm(request.POST if request.method == "POST" else None, review=review)
    return gateway_form_page(
        request,
        form,
        action=lambda _: review_update_report(
            review=review, fields=form.report_fields(), by=request.user
        ),
        done="The report has been saved",
        next_url=reverse("gateways:review", args=[review.pk]),
        template="gateways/report_form.html",
        context={"review": review, "heading": f"Complete the report: {review}"},
    )


@requires("procurement.use_service")
@require_POST
def report_attach(request: HttpRequest, pk: int) -> HttpResponse:
    review = review_for(request, pk, is_author)
    form = ReportAttachmentForm(request.POST, request.FILES)
    next_url = reverse("gateways:review", args=[review.pk])
    if not form.is_valid():
        messages.error(request, "Choose the document to attach")
        return redirect(next_url)
    return gateway_button(
        request,
        action=lambda: review_attach(
            review=review, upload=form.cleaned_data["file"], by=request.user
        ),
        done="The document has been attached",
        next_url=next_url,
    )


@requires("procurement.use_service")
@require_GET
def report_download(request: HttpRequest, pk: int, attachment_pk: int) -> FileResponse:
    review = review_for(request, pk)
    attachment = get_object_or_404(ReportAttachment, pk=attachment_pk, review=review)
    return download_response(attachment.file, name=attachment.original_name)


@requires("procurement.use_service")
@require_GET
def review_history(request: HttpRequest, pk: int) -> HttpResponse:
    review = review_for(request, pk)
    return render(
        request,
        "gateways/review_history.html",
        {"review": review, "entries": review_trail(review=review)},
    )
