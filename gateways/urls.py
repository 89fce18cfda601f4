from django.urls import path

from .views import decisions, delegation, evaluation, forward_plan, reports

app_name = "gateways"

urlpatterns = [
    path("", forward_plan.forward_plan, name="forward_plan"),
    path("projects/new/", forward_plan.project_create, name="project_create"),
    path(
        "contracts/<int:contract_pk>/extension/",
        forward_plan.propose_extension,
        name="propose_extension",
    ),
    path("projects/<int:pk>/", forward_plan.project_detail, name="project"),
    path("projects/<int:pk>/edit/", forward_plan.project_edit, name="project_edit"),
    path("projects/<int:pk>/reports/new/", forward_plan.start_report, name="start_report"),
    path("routing-preview/", decisions.routing_preview, name="routing_preview"),
    path("routing-preview.json", decisions.routing_preview_json, name="routing_preview_json"),
    path("awaiting/", decisions.awaiting, name="awaiting"),
    path("board-agenda/", forward_plan.board_agenda, name="board_agenda"),
    path("delegations/", delegation.delegations, name="delegations"),
    path("delegations/<int:pk>/end/", delegation.delegation_end_view, name="delegation_end"),
    path("reviews/<int:pk>/", reports.review_detail, name="review"),
    path("reviews/<int:pk>/history/", reports.review_history, name="review_history"),
    path("reviews/<int:pk>/kpis/new/", reports.proposed_kpi_add_view, name="kpi_add"),
    path(
        "reviews/<int:pk>/kpis/<int:kpi_pk>/remove/",
        reports.proposed_kpi_remove_view,
        name="kpi_remove",
    ),
    path("reviews/<int:pk>/decide/", decisions.review_decide_view, name="decide"),
    path("reviews/<int:pk>/submit/", decisions.review_submit_view, name="submit"),
    path("reviews/<int:pk>/report/", reports.report_edit, name="report"),
    path("reviews/<int:pk>/documents/", reports.report_attach, name="attach"),
    path(
        "reviews/<int:pk>/documents/<int:attachment_pk>/",
        reports.report_download,
        name="download",
    ),
    path("reviews/<int:pk>/withdraw/", decisions.review_withdraw_view, name="withdraw"),
    path("reviews/<int:pk>/weighting/", evaluation.weighting_edit, name="weighting"),
    path("reviews/<int:pk>/measures/", evaluation.measures_edit, name="measures"),
    path("reviews/<int:pk>/themes/", reports.themes_edit, name="themes"),
    path("projects/<int:pk>/evaluation/", evaluation.evaluation, name="evaluation"),
    path(
        "projects/<int:pk>/evaluation/panel/", evaluation.evaluator_add_view, name="evaluator_add"
    ),
    path("projects/<int:pk>/evaluation/declaration/", evaluation.declaration, name="declaration"),
    path("projects/<int:pk>/evaluation/bids/new/", evaluation.bid_add, name="bid_add"),
    path(
        "projects/<int:pk>/evaluation/bids/<int:bid_pk>/social-value/",
        evaluation.bid_offers,
        name="bid_offers",
    ),
    path(
        "projects/<int:pk>/evaluation/bids/<int:bid_pk>/score/",
        evaluation.bid_score_view,
        name="bid_score",
    ),
    path(
        "projects/<int:pk>/evaluation/bids/<int:bid_pk>/moderate/",
        evaluation.bid_moderate_view,
        name="bid_moderate",
    ),
    path("projects/<int:pk>/evaluation/summary/", evaluation.evaluation_summary, name="summary"),
    path("weighting/", evaluation.weighting_report_view, name="weighting_report"),
]
