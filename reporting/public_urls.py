"""The published annual Audit & Transparency reports (RBKC strategy §7, "public"): no sign-in."""

from django.urls import path

from . import views

app_name = "public_report"

urlpatterns = [
    path("", views.public_annual_reports, name="list"),
    path("<int:pk>/", views.public_annual_report, name="read"),
    path("<int:pk>/report.pdf", views.public_annual_report_pdf, name="pdf"),
]
