"""The API's URLs (under /api/v1/), its OpenAPI schema and its documentation, from each app's
``api.py``. See docs/decisions/0020."""

from django.conf import settings
from django.http import JsonResponse
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from contracts.api import ContractViewSet, SupplierViewSet, TransparencyCsv
from gateways.api import ProjectViewSet, ReviewViewSet
from maturity.api import AssessmentViewSet
from performance.api import ContractKpiViewSet
from procurement.access import API
from procurement.api import api_view
from procurement.api_reference import PlanThemeViewSet
from socialvalue.api import ContractCommitmentViewSet, MeasureViewSet
from spend.api import NoContractList, OverValueList
from spend.api_insight import (
    CategoryOpportunities,
    ContractsEndingTogether,
    PaymentPerformance,
    SupplierOpportunities,
)

router = SimpleRouter()
router.register("suppliers", SupplierViewSet, basename="supplier")
router.register("contracts", ContractViewSet, basename="contract")
router.register("projects", ProjectViewSet, basename="project")
router.register("reviews", ReviewViewSet, basename="review")
router.register("measures", MeasureViewSet, basename="measure")
router.register("assessments", AssessmentViewSet, basename="assessment")
router.register("plan-themes", PlanThemeViewSet, basename="plan-theme")


@api_view
class Schema(SpectacularAPIView):
    """The OpenAPI 3 schema, for anyone with a role (and their tokens)."""

    permission_required = "procurement.use_api"


@api_view
class Documentation(SpectacularSwaggerSplitView):
    """The schema to read and try, from files served here (no CDN), in English and to WCAG 2.2
    AA (templates/api/docs.html)."""

    template_name = "api/docs.html"
    permission_required = "procurement.use_api"
    url_name = "api:schema"

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        # Swagger UI sets a style inline; scripts stay as strict as everywhere else.
        response["Content-Security-Policy"] = settings.CONTENT_SECURITY_POLICY.replace(
            "style-src 'self'", "style-src 'self' 'unsafe-inline'"
        )
        return response


def not_found(request, rest: str = ""):
    """Any other address under /api/: the API's 404, as JSON."""
    return JsonResponse({"detail": "Not found."}, status=404)


not_found.access_rule = API  # nothing to protect: it says only that there is nothing here

urlpatterns = [
    path("v1/transparency.csv", TransparencyCsv.as_view(), name="transparency-csv"),
    path(
        "v1/contracts/<int:contract_pk>/kpis/",
        ContractKpiViewSet.as_view({"get": "list"}),
        name="contract-kpis",
    ),
    path(
        "v1/contracts/<int:contract_pk>/commitments/",
        ContractCommitmentViewSet.as_view({"get": "list"}),
        name="contract-commitments",
    ),
    # --- Spend: aggregation opportunities and payment performance ---
    path(
        "v1/spend/opportunities/suppliers/",
        SupplierOpportunities.as_view(),
        name="spend-opportunity-suppliers",
    ),
    path(
        "v1/spend/opportunities/categories/",
        CategoryOpportunities.as_view(),
        name="spend-opportunity-categories",
    ),
    path(
        "v1/spend/opportunities/ending/",
        ContractsEndingTogether.as_view(),
        name="spend-opportunity-ending",
    ),
    path(
        "v1/spend/payment-performance/",
        PaymentPerformance.as_view(),
        name="spend-payment-performance",
    ),
    # --- Spend: the gaps ---
    path("v1/spend/no-contract/", NoContractList.as_view(), name="spend-no-contract"),
    path("v1/spend/over-value/", OverValueList.as_view(), name="spend-over-value"),
    path("v1/", include(router.urls)),
    path("schema/", Schema.as_view(), name="schema"),
    path("docs/", Documentation.as_view(), name="docs"),
    re_path(r"^(?P<rest>.*)$", not_found, name="not-found"),
]
