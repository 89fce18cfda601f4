"""Social value through the API: the measure libraries, and a contract's commitments."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets

from contracts.models import Contract
from procurement.api import api_view

from .models import Commitment, Measure


class MeasureSerializer(serializers.ModelSerializer):
    library = serializers.CharField(source="library.name")
    library_version = serializers.CharField(source="library.version")
    theme = serializers.CharField(source="outcome.theme.name")
    outcome = serializers.CharField(source="outcome.name")

    class Meta:
        model = Measure
        fields = [
            "id",
            "library",
            "library_version",
            "theme",
            "outcome",
            "code",
            "description",
            "unit",
            "proxy_value",
        ]


class CommitmentSerializer(serializers.ModelSerializer):
    measure = serializers.CharField(source="measure.code")
    measure_description = serializers.CharField(source="measure.description")
    unit = serializers.CharField(source="measure.unit")

    class Meta:
        model = Commitment
        fields = [
            "id",
            "measure",
            "measure_description",
            "unit",
            "quantity",
            "target_date",
            "source",
        ]


@api_view
@extend_schema_view(
    list=extend_schema(summary="Social value measures"),
    retrieve=extend_schema(summary="A social value measure"),
)
class MeasureViewSet(viewsets.ReadOnlyModelViewSet):
    permission_required = "socialvalue.view_social_value"
    serializer_class = MeasureSerializer
    queryset = Measure.objects.select_related("library", "outcome__theme").order_by(
        "library__name", "library__version", "order", "pk"
    )


@api_view
@extend_schema(summary="A contract's social value commitments")
class ContractCommitmentViewSet(viewsets.ReadOnlyModelViewSet):
    permission_required = "socialvalue.view_social_value"
    serializer_class = CommitmentSerializer

    def get_queryset(self):
        contract = get_object_or_404(Contract, pk=self.kwargs["contract_pk"])
        return (
            Commitment.objects.filter(contract=contract)
            .select_related("measure")
            .order_by("target_date", "pk")
        )
