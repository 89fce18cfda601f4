from django.urls import path

from . import views

app_name = "gateways"

urlpatterns = [
    path("", views.forward_plan, name="forward_plan"),
    path("projects/new/", views.project_create, name="project_create"),
    path(
        "contracts/<int:contract_pk>/extension/", views.propose_extension, name="propose_extension"
    ),
    path("projects/<int:pk>/", views.project_detail, name="project"),
    path("projects/<int:pk>/edit/", views.project_edit, name="project_edit"),
    path("projects/<int:pk>/reports/new/", views.start_report, name="start_report"),
    path("routing-preview/", views.routing_preview, name="routing_preview"),
    path("routing-preview.json", views.routing_preview_json, name="routing_preview_json"),
    path("awaiting/", views.awaiting, name="awaiting"),
    path("board-agenda/", views.board_agenda, name="board_agenda"),
    path("delegations/", views.delegations, name="delegations"),
    path("delegations/<int:pk>/end/", views.delegation_end_view, name="delegation_end"),
    path("reviews/<int:pk>/", views.review_detail, name="review"),
    path("reviews/<int:pk>/history/", views.review_history, name="review_history"),
    path("reviews/<int:pk>/kpis/new/", views.proposed_kpi_add_view, name="kpi_add"),
    path(
        "reviews/<int:pk>/kpis/<int:kpi_pk>/remove/",
        views.proposed_kpi_remove_view,
        name="kpi_remove",
    ),
    path("reviews/<int:pk>/decide/", views.review_decide_view, name="decide"),
    path("reviews/<int:pk>/submit/", views.review_submit_view, name="submit"),
    path("reviews/<int:pk>/report/", views.report_edit, name="report"),
    path("reviews/<int:pk>/documents/", views.report_attach, name="attach"),
    path(
        "reviews/<int:pk>/documents/<int:attachment_pk>/",
        views.report_download,
        name="download",
    ),
    path("reviews/<int:pk>/withdraw/", views.review_withdraw_view, name="withdraw"),
    path("reviews/<int:pk>/weighting/", views.weighting_edit, name="weighting"),
    path("reviews/<int:pk>/measures/", views.measures_edit, name="measures"),
    path("projects/<int:pk>/evaluation/", views.evaluation, name="evaluation"),
    path("projects/<int:pk>/evaluation/panel/", views.evaluator_add_view, name="evaluator_add"),
    path("projects/<int:pk>/evaluation/declaration/", views.declaration, name="declaration"),
    path("projects/<int:pk>/evaluation/bids/new/", views.bid_add, name="bid_add"),
    path(
        "projects/<int:pk>/evaluation/bids/<int:bid_pk>/social-value/",
        views.bid_offers,
        name="bid_offers",
    ),
    path(
        "projects/<int:pk>/evaluation/bids/<int:bid_pk>/score/",
        views.bid_score_view,
        name="bid_score",
    ),
    path(
        "projects/<int:pk>/evaluation/bids/<int:bid_pk>/moderate/",
        views.bid_moderate_view,
        name="bid_moderate",
    ),
    path("projects/<int:pk>/evaluation/summary/", views.evaluation_summary, name="summary"),
    path("weighting/", views.weighting_report_view, name="weighting_report"),
]
