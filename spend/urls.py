from django.urls import path

from .views import importing

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
    # --- Spend with no contract and contracts past their value (spend/views/gaps.py) ---
    # --- Aggregation and payment performance (spend/views/insight.py) ---
]
