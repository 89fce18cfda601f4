"""Spend through the API: spend with no contract, and contracts past their value or dates, as
their pages list them (read only)."""

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response

from procurement.api import api_view
from spend.exports import warning_of
from spend.models import SpendThreshold
from spend.selectors.gaps import (
    GapFilters,
    PastFilters,
    gap_lines_shown,
    no_contract_lines,
    past_lines_shown,
    past_value_or_dates,
)

MONEY = {"max_digits": 14, "decimal_places": 2}


class GapQuery(serializers.Serializer):
    directorate = serializers.IntegerField(required=False, min_value=1)
    band = serializers.DecimalField(required=False, **MONEY)
    explained = serializers.BooleanField(required=False, allow_null=True, default=None)

    def validate_band(self, value):
        if not SpendThreshold.objects.filter(amount=value).exists():
            raise serializers.ValidationError("Give one of the thresholds' amounts")
        return value

    def filters(self) -> GapFilters:
        data = self.validated_data
        return GapFilters(
            directorate_id=data.get("directorate"),
            band=data.get("band"),
            explained=data.get("explained"),
        )


class GapLineSerializer(serializers.Serializer):
    payee = serializers.CharField(source="name")
    supplier = serializers.IntegerField(source="supplier.pk", allow_null=True, default=None)
    redacted = serializers.BooleanField(source="is_redacted")
    directorate = serializers.CharField(source="directorate.name", allow_null=True, default=None)
    paid = serializers.DecimalField(source="total", **MONEY)
    payments = serializers.IntegerField()
    first_paid = serializers.DateField()
    last_paid = serializers.DateField()
    threshold_reached = serializers.DecimalField(source="band", allow_null=True, **MONEY)
    explanation = serializers.CharField(
        source="explanation.get_kind_display", allow_null=True, default=None
    )
    waiver_reference = serializers.CharField(
        source="explanation.waiver_reference", allow_null=True, default=None
    )
    exempt_category = serializers.CharField(
        source="explanation.exempt_category.name", allow_null=True, default=None
    )


@api_view
@extend_schema(summary="Spend with no contract, in the last 12 months", parameters=[GapQuery])
class NoContractList(generics.ListAPIView):
    permission_required = "spend.view_spend"
    serializer_class = GapLineSerializer

    # A list, paged, as the schema says: the lines are summed in the database, then given
    # their explanations and bands a page at a time.
    def list(self, request, *args, **kwargs):
        query = GapQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        today = timezone.localdate()
        rows = self.paginate_queryset(no_contract_lines(today=today, filters=query.filters()))
        lines = gap_lines_shown(list(rows))
        return self.get_paginated_response(GapLineSerializer(lines, many=True).data)


class PastQuery(serializers.Serializer):
    directorate = serializers.IntegerField(required=False, min_value=1)


class PastLineSerializer(serializers.Serializer):
    contract = serializers.IntegerField(source="contract.pk")
    reference = serializers.CharField(source="contract.reference")
    title = serializers.CharField(source="contract.title")
    supplier = serializers.CharField(source="contract.supplier.name")
    directorate = serializers.CharField(source="contract.directorate.name")
    whole_life_value = serializers.DecimalField(source="contract.whole_life_value", **MONEY)
    paid = serializers.DecimalField(**MONEY)
    share = serializers.DecimalField(max_digits=8, decimal_places=1)
    warning = serializers.SerializerMethodField()
    ended_on = serializers.DateField(allow_null=True)
    paid_after_end = serializers.DecimalField(source="after_end", **MONEY)
    payments_after_end = serializers.IntegerField()

    def get_warning(self, line) -> str:
        return warning_of(line)


@api_view
@extend_schema(summary="Contracts paid past 80% of their value, or after their end")
class OverValueList(generics.ListAPIView):
    permission_required = "spend.view_spend"
    serializer_class = PastLineSerializer

    def list(self, request, *args, **kwargs) -> Response:
        query = PastQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        filters = PastFilters(directorate_id=query.validated_data.get("directorate"))
        rows = self.paginate_queryset(past_value_or_dates(filters=filters))
        lines = past_lines_shown(list(rows))
        return self.get_paginated_response(PastLineSerializer(lines, many=True).data)
