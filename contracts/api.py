"""The register through the API: suppliers, contracts with their variations and extensions, and
the Transparency Code CSV. The register's own filters and sorts, from the same form."""

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.views import APIView

from procurement.act import Figures, Regime
from procurement.api import CpvCodeField, Pages, api_view
from procurement.paging import EstimatingPaginator
from procurement.thresholds import REGISTER_ABOVE, pounds

from . import exports
from .forms import RegisterFilterForm
from .models import Contract, ContractEvent, Supplier
from .selectors import SORTS, contracts_published, contracts_register, contracts_with_status


class SupplierSerializer(serializers.ModelSerializer):
    class Meta:
        model = Supplier
        fields = [
            "id",
            "name",
            "companies_house_number",
            "charity_number",
            "postcode",
            "is_sme",
            "is_vcse",
            "is_local",
            "is_in_house",
            "is_strategic",
        ]


class PersonSerializer(serializers.Serializer):
    name = serializers.CharField(source="get_full_name")
    email = serializers.EmailField()


class ActStandingSerializer(serializers.Serializer):
    """Where a contract or procurement stands under the law (decision record 0050)."""

    value_including_vat = serializers.DecimalField(max_digits=16, decimal_places=2)
    vat_assumed = serializers.BooleanField(help_text="No VAT recorded: the standard rate is used.")
    began = serializers.DateField(help_text="The day its procurement began, or what stands in.")
    began_assumed = serializers.BooleanField()
    regime = serializers.ChoiceField(choices=Regime.choices)
    threshold = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    above_threshold = serializers.BooleanField()


@extend_schema_field(ActStandingSerializer)
class ActField(serializers.Field):
    """The standing of the contract or procurement it is on, by figures read once a response."""

    def __init__(self, **kwargs):
        kwargs.update(source="*", read_only=True)
        super().__init__(**kwargs)

    def to_representation(self, value):
        context = self.context
        if "act_figures" not in context:
            context["act_figures"] = Figures.load()
        if isinstance(value, Contract):
            found = value.act_standing(context["act_figures"])
        else:
            found = value.act_standing(today=timezone.localdate(), figures=context["act_figures"])
        return ActStandingSerializer(found).data


class ContractSerializer(serializers.ModelSerializer):
    status = serializers.ChoiceField(choices=Contract.Status.choices, read_only=True)
    directorate = serializers.CharField(source="directorate.name")
    category = serializers.CharField(source="category.name", allow_null=True, default=None)
    supplier = SupplierSerializer()
    contract_manager = PersonSerializer(allow_null=True)
    lead_director = PersonSerializer(allow_null=True)
    is_rolling = serializers.BooleanField(
        read_only=True, help_text="No end date: the contract runs on and is reviewed instead."
    )
    act = ActField(help_text="Its regime and threshold under the Procurement Act 2023.")
    cpv_code = CpvCodeField()

    class Meta:
        model = Contract
        fields = [
            "id",
            "reference",
            "lot",
            "title",
            "status",
            "directorate",
            "category",
            "supplier",
            "contract_manager",
            "lead_director",
            "whole_life_value",
            "annual_value",
            "start_date",
            "end_date",
            "is_rolling",
            "review_date",
            "procurement_route",
            "key_decision_reference",
            "risk_rating",
            "cpv_code",
            "vat",
            "procurement_began_on",
            "signed_on",
            "act",
        ]


class EventSerializer(serializers.ModelSerializer):
    class Meta:
        model = ContractEvent
        fields = [
            "kind",
            "effective_date",
            "previous_value",
            "new_value",
            "previous_end_date",
            "new_end_date",
            "reason",
            "approved_by",
            "recorded_at",
        ]


class ContractDetailSerializer(ContractSerializer):
    events = EventSerializer(many=True, read_only=True)

    class Meta(ContractSerializer.Meta):
        fields = [
            *ContractSerializer.Meta.fields,
            "description",
            "irrecoverable_vat",
            "extension_options",
            "extension_option_months",
            "extension_options_value",
            "extensions_used",
            "terminated_on",
            "events",
        ]


REGISTER_PARAMETERS = [
    OpenApiParameter("q", str, description="Reference, title or supplier name contains this"),
    OpenApiParameter("directorate", int, description="A directorate's id"),
    OpenApiParameter("category", int, description="A category's id"),
    OpenApiParameter("status", str, enum=Contract.Status.values),
    OpenApiParameter(
        "value", str, enum=["up_to_5k", "5k_to_50k", "50k_to_100k", "100k_to_1_5m", "over_1_5m"]
    ),
    OpenApiParameter("ending", int, enum=[3, 6, 12, 18], description="Ending within months"),
    OpenApiParameter(
        "problem",
        str,
        enum=[
            "any",
            "no_manager",
            "no_lead_director",
            "over_50k_no_manager",
            "over_50k_no_lead_director",
            "no_review_date",
            "rolling_no_review_date",
            "no_category",
            "past_end",
        ],
    ),
    OpenApiParameter("mine", bool, description="Only the contracts you manage"),
    OpenApiParameter(
        "partner", bool, description="Only the directorates you are business partner for"
    ),
    OpenApiParameter("sme", bool),
    OpenApiParameter("vcse", bool),
    OpenApiParameter("sort", str, enum=list(SORTS)),
    OpenApiParameter("order", str, enum=["asc", "desc"]),
]
# The register form's fields are the filters (sort and order are read apart).
FILTERS = set(RegisterFilterForm.base_fields)


@api_view
@extend_schema_view(
    list=extend_schema(summary="Suppliers"), retrieve=extend_schema(summary="A supplier")
)
class SupplierViewSet(viewsets.ReadOnlyModelViewSet):
    permission_required = "contracts.view_register"
    serializer_class = SupplierSerializer
    queryset = Supplier.objects.order_by("name", "pk")


class RegisterPages(Pages):
    """The register's pages: ``count`` is exact up to a thousand contracts (or the page asked
    for) and the database's estimate beyond, as ``count_is_exact`` says; pages are read by id,
    so a deep page costs little more than the first (procurement/paging.py)."""

    django_paginator_class = EstimatingPaginator

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response.data["count_is_exact"] = self.page.paginator.count_is_exact
        return response

    def get_paginated_response_schema(self, schema):
        described = super().get_paginated_response_schema(schema)
        described["properties"]["count_is_exact"] = {
            "type": "boolean",
            "description": "Whether count is exact, or an estimate of a long list",
        }
        return described


@api_view
@extend_schema_view(
    list=extend_schema(summary="The register", parameters=REGISTER_PARAMETERS),
    retrieve=extend_schema(summary="A contract, with its variations and extensions"),
)
class ContractViewSet(viewsets.ReadOnlyModelViewSet):
    permission_required = "contracts.view_register"
    pagination_class = RegisterPages
    queryset = Contract.objects.none()  # the schema's; each request's is get_queryset's

    def get_serializer_class(self):
        return ContractDetailSerializer if self.action == "retrieve" else ContractSerializer

    def get_queryset(self):
        today = timezone.localdate()
        if self.action == "retrieve":
            return contracts_with_status(today=today).prefetch_related("events")
        return self.register(today)

    def register(self, today):
        given = {k: v for k, v in self.request.query_params.items() if k in FILTERS}
        form = RegisterFilterForm(given or None, today=today)
        if given and not form.is_valid():
            raise ValidationError(form.errors)
        sort = self.request.query_params.get("sort", "reference")
        if sort not in SORTS:
            raise ValidationError({"sort": [f"Sort by one of: {', '.join(SORTS)}"]})
        order = self.request.query_params.get("order", "asc")
        if order not in ("asc", "desc"):
            raise ValidationError({"order": ["Order asc or desc"]})
        return contracts_register(
            filters=form.filters(user=self.request.user),
            today=today,
            sort=sort,
            descending=order == "desc",
        )


@api_view
class TransparencyCsv(APIView):
    """The Transparency Code CSV of contracts over £5,000, as the public register publishes it."""

    permission_required = "contracts.view_register"

    @extend_schema(
        summary=f"The Transparency Code CSV (contracts over {pounds(REGISTER_ABOVE)})",
        responses={(200, "text/csv"): OpenApiResponse(OpenApiTypes.BINARY)},
    )
    def get(self, request):
        today = timezone.localdate()
        return exports.transparency_csv(
            contracts_published(today=today), exports.transparency_filename(today)
        )
