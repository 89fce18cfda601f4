from django.urls import path

from .views import gaps, importing, insight, queue

app_name = "spend"

# Each part of the app keeps its addresses together, in this order.
urlpatterns = [
    # --- The import of payment files (spend/views/importing.py) ---
    path("imports/", importing.imports, name="imports"),
    path("imports/upload/", importing.import_upload, name="import"),
    path("imports/template.csv", importing.import_template, {"fmt": "csv"}, name="template_csv"),
    path("imports/template.xlsx", importing.import_template, {"fmt": "xlsx"}, name="template_xlsx"),
    path("imports/<str:token>/", importing.import_preview, name="import_preview"),
    path(
        "imports/<str:token>/progress.json",
        importing.import_progress_json,
        name="import_progress",
    ),
    path("imports/<str:token>/problems.csv", importing.import_problems, name="import_problems"),
    # --- The review queue (spend/views/queue.py) ---
    path("queue/", queue.queue, name="queue"),
    path("queue/contracts/", queue.contracts_queue, name="queue_contracts"),
    path("queue/sources/<int:source_pk>/payees/<str:key>/", queue.payee, name="queue_payee"),
    path(
        "queue/suppliers/<int:pk>/directorates/<int:directorate_pk>/",
        queue.supplier_contracts,
        name="queue_supplier",
    ),
    # --- Spend with no contract and contracts past their value (spend/views/gaps.py) ---
    path("", gaps.index, name="index"),
    path("no-contract/", gaps.no_contract, name="no_contract"),
    path("no-contract/explain/", gaps.explain, name="explain"),
    path("no-contract/spend-with-no-contract.csv", gaps.no_contract_csv, name="no_contract_csv"),
    path("no-contract/spend-with-no-contract.xlsx", gaps.no_contract_xlsx, name="no_contract_xlsx"),
    path("over-value/", gaps.over_value, name="over_value"),
    path("over-value/contracts-past-their-value.csv", gaps.over_value_csv, name="over_value_csv"),
    path(
        "over-value/contracts-past-their-value.xlsx", gaps.over_value_xlsx, name="over_value_xlsx"
    ),
    # --- Aggregation and payment performance (spend/views/insight.py) ---
    path(
        "opportunities/suppliers/",
        insight.opportunity_suppliers,
        name="opportunity_suppliers",
    ),
    path(
        "opportunities/categories/",
        insight.opportunity_categories,
        name="opportunity_categories",
    ),
    path("opportunities/ending/", insight.opportunity_ending, name="opportunity_ending"),
    path("payment-performance/", insight.payment_performance_view, name="payment_performance"),
    *(
        path(
            f"{prefix}{key}.{fmt}",
            insight.insight_export,
            {"key": key, "fmt": fmt},
            name=f"{key}_{fmt}",
        )
        for prefix, key in (
            ("opportunities/", "suppliers"),
            ("opportunities/", "categories"),
            ("opportunities/", "ending"),
            ("", "performance"),
        )
        for fmt in ("csv", "xlsx")
    ),
]
