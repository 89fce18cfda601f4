from django.urls import path

from . import views

app_name = "socialvalue"

contract = "contracts/<int:pk>/"
commitment = f"{contract}commitments/<int:commitment_pk>/"
delivery_return = f"{contract}returns/<int:return_pk>/"

urlpatterns = [
    path("", views.portfolio, name="portfolio"),
    path("social-value.csv", views.export, name="export"),
    path("mine/", views.mine, name="mine"),
    path("measures/", views.libraries, name="libraries"),
    path("measures/<int:pk>/", views.library, name="library"),
    path("measures/import/", views.import_upload, name="import"),
    path(
        "measures/import/template.csv",
        views.import_template,
        {"fmt": "csv"},
        name="template_csv",
    ),
    path(
        "measures/import/template.xlsx",
        views.import_template,
        {"fmt": "xlsx"},
        name="template_xlsx",
    ),
    path("measures/import/<str:token>/", views.import_preview, name="import_preview"),
    path(
        "measures/import/<str:token>/progress.json",
        views.import_progress_json,
        name="import_progress",
    ),
    path(
        "measures/import/<str:token>/problems.csv",
        views.import_problems,
        name="import_problems",
    ),
    path(contract, views.contract_social_value, name="contract"),
    path(f"{contract}commitments/new/", views.commitment_create, name="commitment_create"),
    path(f"{commitment}change/", views.commitment_edit, name="commitment_change"),
    path(f"{commitment}returns/new/", views.return_create, name="return_create"),
    path(delivery_return, views.return_detail, name="return"),
    path(f"{delivery_return}verify/", views.return_verify_view, name="return_verify"),
    path(f"{delivery_return}query/", views.return_query_view, name="return_query"),
    path(f"{delivery_return}correct/", views.return_correct_view, name="return_correct"),
    path(f"{delivery_return}evidence/", views.evidence, name="evidence"),
]
