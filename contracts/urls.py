from django.urls import path

from . import views

app_name = "contracts"

urlpatterns = [
    path("", views.register, name="register"),
    path("export.csv", views.register_export, {"fmt": "csv"}, name="export_csv"),
    path("export.xlsx", views.register_export, {"fmt": "xlsx"}, name="export_xlsx"),
    path("new/", views.create, name="create"),
    path("data-quality/", views.data_quality, name="data_quality"),
    path("import/", views.import_upload, name="import"),
    path("import/template.csv", views.import_template, {"fmt": "csv"}, name="template_csv"),
    path("import/template.xlsx", views.import_template, {"fmt": "xlsx"}, name="template_xlsx"),
    path("import/<str:token>/", views.import_preview, name="import_preview"),
    path("import/<str:token>/progress.json", views.import_progress_json, name="import_progress"),
    path("import/<str:token>/problems.csv", views.import_problems, name="import_problems"),
    path("suppliers/", views.suppliers, name="suppliers"),
    path("suppliers/new/", views.supplier_form, name="supplier_create"),
    path("suppliers/<int:pk>/edit/", views.supplier_form, name="supplier_edit"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/documents/new/", views.attach, name="attach"),
    path("<int:pk>/documents/<int:attachment_pk>/", views.download, name="download"),
    path("<int:pk>/vary/", views.record_event, {"action": "vary"}, name="vary"),
    path("<int:pk>/extend/", views.record_event, {"action": "extend"}, name="extend"),
    path("<int:pk>/will-end/", views.confirm_ending, name="confirm_ending"),
    path("<int:pk>/terminate/", views.record_event, {"action": "terminate"}, name="terminate"),
]
