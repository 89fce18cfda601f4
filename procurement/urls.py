from django.urls import path

from . import views

app_name = "procurement"

urlpatterns = [
    path("", views.home, name="home"),
    path("reference-data/", views.reference_data, name="reference_data"),
    path("reference-data/plan-themes/", views.plan_themes, name="plan_themes"),
    path("reference-data/plan-themes/new/", views.plan_theme_create_view, name="plan_theme_create"),
    path("reference-data/plan-themes/<int:pk>/", views.plan_theme, name="plan_theme"),
    path(
        "reference-data/plan-themes/<int:pk>/edit/", views.plan_theme_edit, name="plan_theme_edit"
    ),
    path("reference-data/cpv/", views.cpv_codes, name="cpv_codes"),
    path("reference-data/cpv/load/", views.cpv_import_upload, name="cpv_import"),
    path(
        "reference-data/cpv/load/<str:token>/", views.cpv_import_preview, name="cpv_import_preview"
    ),
    path(
        "reference-data/cpv/load/<str:token>/progress.json",
        views.cpv_import_progress,
        name="cpv_import_progress",
    ),
    path(
        "reference-data/cpv/load/<str:token>/problems.csv",
        views.cpv_import_problems,
        name="cpv_import_problems",
    ),
    path("accessibility/", views.accessibility_statement, name="accessibility"),
    path("people/", views.people, name="people"),
    path("people/<int:pk>/", views.person, name="person"),
    path("exports/<str:token>/", views.export_job, name="export_job"),
    path("exports/<str:token>/progress", views.export_progress, name="export_progress"),
    path("exports/<str:token>/download", views.export_download, name="export_download"),
]
