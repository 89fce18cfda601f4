from django.urls import path

from . import supplier_views, views

app_name = "performance"

contract = "contracts/<int:pk>/"
exception = f"{contract}exceptions/<int:exception_pk>/"

urlpatterns = [
    path("", views.portfolio_view, name="portfolio"),
    path("key-contracts/", views.key_contracts, name="key_contracts"),
    path("strategic-suppliers/", views.strategic_supplier_list, name="strategic_suppliers"),
    path("mine/", views.mine, name="mine"),
    path("supplier-risk/", supplier_views.supplier_risk, name="supplier_risk"),
    path("suppliers/<int:pk>/", supplier_views.supplier, name="supplier"),
    path(
        "suppliers/<int:pk>/health-checks/new/",
        supplier_views.health_check_form,
        name="health_check_create",
    ),
    path("suppliers/<int:pk>/plans/new/", supplier_views.supplier_plan_form, name="supplier_plan"),
    path("plans/<int:pk>/", supplier_views.plan_download, name="plan_download"),
    path(contract, views.contract_performance, name="contract"),
    path(f"{contract}kpis/new/", views.kpi_form, name="kpi_create"),
    path(f"{contract}kpis/<int:kpi_pk>/edit/", views.kpi_form, name="kpi_edit"),
    path(f"{contract}kpis/<int:kpi_pk>/return/", views.kpi_return, name="kpi_return"),
    path(f"{contract}reviews/new/", views.review_form, name="review_create"),
    path(f"{contract}actions/<int:action_pk>/done/", views.action_done, name="action_done"),
    path(exception, views.exception_detail, name="exception"),
    path(
        f"{exception}respond/",
        views.exception_action,
        {"step": "respond"},
        name="exception_respond",
    ),
    path(
        f"{exception}meeting/",
        views.exception_action,
        {"step": "meeting"},
        name="exception_meeting",
    ),
    path(f"{exception}close/", views.exception_action, {"step": "close"}, name="exception_close"),
    path(f"{contract}savings/new/", views.saving_form, name="saving_create"),
    path(f"{contract}savings/planned/", views.planned_savings_form, name="planned_savings"),
    path(f"{contract}risk/", views.risk_form, name="risk"),
    path(f"{contract}plans/new/", supplier_views.contract_plan_form, name="contract_plan"),
]
