"""Root URLs. Every view declares who may use it (procurement/access.py); none is open unless it
says so."""

from django.urls import include, path

from procurement import views as core_views
from procurement.admin import site as admin_site

urlpatterns = [
    path("", include("procurement.urls")),
    path("accounts/", include("procurement.accounts")),
    path("contracts/", include("contracts.urls")),
    path("gateways/", include("gateways.urls")),
    path("performance/", include("performance.urls")),
    path("social-value/", include("socialvalue.urls")),
    path("maturity/", include("maturity.urls")),
    path("spend/", include("spend.urls")),
    path("training/", include("training.urls")),
    path("assurance/", include("assurance.urls")),
    path("alerts/", include("alerts.urls")),
    path("dashboard/", include("reporting.urls")),
    path("api/", include(("config.api", "api"))),
    path("open-data/", include("opendata.urls")),
    path("register/", include("contracts.public_urls")),
    path("annual-report/", include("reporting.public_urls")),
    path("forward-plan/", include("gateways.public_urls")),
    path("social-value-review/", include("reporting.public_review_urls")),
    path("healthz", core_views.healthz, name="healthz"),
    path("admin/", admin_site.urls),
]

handler403 = "procurement.views.permission_denied"
handler404 = "procurement.views.page_not_found"
handler500 = "procurement.views.server_error"
