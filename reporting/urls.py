from django.urls import path

from . import concentration, views

app_name = "reporting"

urlpatterns = [
    path("", views.dashboard_view, name="dashboard"),
    path("figures/<slug:key>/", views.figure_view, name="figure"),
    path("annual/", views.annual_reports, name="annual_reports"),
    path("annual/<int:pk>/", views.annual_report, name="annual_report"),
    path("annual/<int:pk>/progress.json", views.annual_report_progress, name="progress"),
    path("annual/<int:pk>/report.pdf", views.annual_report_download, name="download"),
    path("annual/<int:pk>/publish/", views.annual_report_publish_view, name="publish"),
    path("annual/social-value/", views.social_value_reviews, name="social_value_reviews"),
    path(
        "supplier-concentration/",
        concentration.supplier_concentration,
        name="supplier_concentration",
    ),
    # Last: a part's slug is never "figures" or "annual".
    path("<slug:section>/", views.section_view, name="section"),
]
