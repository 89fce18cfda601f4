"""The aggregation opportunities and payment performance through the API: the same rows as the
pages and their exports (spend/insight.py), each row an object named by the columns, in pages."""

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.views import APIView

from procurement.api import Pages, api_view

from .insight import TABLES


def _value(value):
    """A cell as JSON gives it: dates as ISO dates, money and shares as strings, as DRF gives
    decimals."""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if value is None or isinstance(value, int | str):
        return value
    return str(value)


class InsightList(APIView):
    """A list's rows, in pages (``?page=``, ``?page_size=``); ``?category=`` where it filters."""

    permission_required = "spend.view_spend"
    key = ""

    def get(self, request):
        table = TABLES[self.key]
        rows = [
            dict(zip(table.names, map(_value, row), strict=True))
            for row in table.rows(request.query_params, timezone.localdate())
        ]
        pages = Pages()
        page = pages.paginate_queryset(rows, request, view=self)
        return pages.get_paginated_response(page)


def _api(key: str, summary: str) -> type[APIView]:
    view = type(
        f"{key.title()}Insight",
        (InsightList,),
        {"key": key, "__doc__": TABLES[key].title, "__module__": __name__},
    )
    view.get = extend_schema(summary=summary, responses=OpenApiTypes.OBJECT)(view.get)
    return api_view(view)


SupplierOpportunities = _api("suppliers", "Suppliers paid by several directorates apart")
CategoryOpportunities = _api("categories", "Categories bought by several directorates apart")
ContractsEndingTogether = _api("ending", "Contracts in a category ending in the same six months")
PaymentPerformance = _api("performance", "Payment performance: 30 days and the local target")
