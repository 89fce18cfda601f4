"""Reference data through the API: the Council Plan themes (kept apart from procurement/api.py,
which DRF's settings import before its views exist)."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets

from .api import api_view
from .models import PlanTheme


class PlanThemeSerializer(serializers.ModelSerializer):
    class Meta:
        model = PlanTheme
        fields = ["id", "name", "description", "order", "is_active"]


@api_view
@extend_schema_view(
    list=extend_schema(summary="The Council Plan themes, those of the current plan first"),
    retrieve=extend_schema(summary="A Council Plan theme"),
)
class PlanThemeViewSet(viewsets.ReadOnlyModelViewSet):
    permission_required = "procurement.view_reference_data"
    serializer_class = PlanThemeSerializer
    queryset = PlanTheme.objects.order_by("-is_active", "order", "name")
