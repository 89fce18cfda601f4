from django.urls import path

from . import views

app_name = "procurement"

urlpatterns = [
    path("", views.home, name="home"),
    path("reference-data/", views.reference_data, name="reference_data"),
    path("accessibility/", views.accessibility_statement, name="accessibility"),
    path("people/", views.people, name="people"),
    path("people/<int:pk>/", views.person, name="person"),
    path("exports/<str:token>/", views.export_job, name="export_job"),
    path("exports/<str:token>/progress", views.export_progress, name="export_progress"),
    path("exports/<str:token>/download", views.export_download, name="export_download"),
]
