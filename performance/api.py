"""A contract's KPIs through the API, for those who may see its performance (as on its page)."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets

from contracts.models import Contract
from procurement.api import api_view

from .models import Kpi


class KpiSerializer(serializers.ModelSerializer):
    class Meta:
        model = Kpi
        fields = ["id", "name", "measure", "unit", "target", "direction", "tolerance", "frequency"]


@api_view
@extend_schema(summary="A contract's KPIs")
class ContractKpiViewSet(viewsets.ReadOnlyModelViewSet):
    permission_required = "procurement.use_service"
    serializer_class = KpiSerializer

    def get_queryset(self):
        contract = get_object_or_404(Contract, pk=self.kwargs["contract_pk"])
        if not self.request.user.has_perm("performance.view_contract", contract):
            self.permission_denied(self.request)
        return Kpi.objects.filter(contract=contract).order_by("pk")
