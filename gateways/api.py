"""The forward plan and gateway reviews through the API: projects and reviews with their steps to
read, and the gateway actions (submit, decide) as POSTs calling the same services as the pages,
so every rule (routing, segregation of duties, delegation) holds the same."""

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from contracts.api import ActField
from procurement.api import CpvCodeField, api_view
from procurement.models import User, WhoActs

from .models import GatewayReview, ProcurementProject, ReviewStep, StepDecision, ThemeStatement
from .rules import is_author
from .selectors import projects_forward_plan, reviews_visible, reviews_with_route
from .services import review_decide, review_submit
from .stages import API_FIELDS


class ProjectSerializer(serializers.ModelSerializer):
    directorate = serializers.CharField(source="directorate.name")
    category = serializers.CharField(source="category.name", allow_null=True, default=None)
    replaces = serializers.CharField(
        source="replaces.reference_and_lot", allow_null=True, default=None
    )
    act = ActField(help_text="Its regime and threshold under the Procurement Act 2023.")
    cpv_code = CpvCodeField()

    class Meta:
        model = ProcurementProject
        fields = [
            "id",
            "reference",
            "title",
            "description",
            "directorate",
            "category",
            "cpv_code",
            "estimated_value",
            "estimated_vat",
            "procurement_began_on",
            "act",
            "is_core_service",
            "is_high_value_or_complex",
            "planned_route",
            "replaces",
            "key_decision_reference",
            "planned_g0_date",
            "planned_g1_date",
            "planned_tender_date",
            "planned_g2_date",
            "planned_award_date",
            "planned_start_date",
        ]


class DecisionSerializer(serializers.ModelSerializer):
    decided_by = serializers.CharField(source="decided_by.get_full_name")
    on_behalf_of = serializers.CharField(
        source="on_behalf_of.get_full_name", allow_null=True, default=None
    )

    class Meta:
        model = StepDecision
        fields = [
            "outcome",
            "role",
            "decided_by",
            "on_behalf_of",
            "reasons",
            "key_decision_reference",
            "decided_at",
            "round",
        ]


class StepSerializer(serializers.ModelSerializer):
    must = serializers.ChoiceField(
        choices=[WhoActs.ALL, WhoActs.ANY],
        source="who_acts.must",
        read_only=True,
        help_text="Who must act for the step to be done: 'all' (each of the roles, as each "
        "statutory consultee comments) or 'any' (any one of them).",
    )
    roles = serializers.ListField(
        child=serializers.CharField(), source="who_acts.roles", read_only=True
    )
    decisions = DecisionSerializer(many=True, read_only=True)

    class Meta:
        model = ReviewStep
        fields = [
            "order",
            "name",
            "kind",
            "must",
            "roles",
            "consult_role",
            "target_days",
            "is_active",
            "decisions",
        ]


class ThemeStatementSerializer(serializers.ModelSerializer):
    theme = serializers.CharField(source="theme.name")

    class Meta:
        model = ThemeStatement
        fields = ["theme", "statement"]


class ExtensionTestSerializer(serializers.Serializer):
    test = serializers.CharField(
        read_only=True,
        help_text="The test, in the words of the council's strategy (RBKC §4b).",
    )
    evidence = serializers.CharField(
        read_only=True, help_text="What the report shows for it (blank: not shown)."
    )


class ReviewSerializer(serializers.ModelSerializer):
    project = serializers.CharField(source="project.reference", allow_null=True, default=None)
    contract = serializers.CharField(
        source="contract.reference_and_lot", allow_null=True, default=None
    )
    author = serializers.CharField(source="author.get_full_name")
    steps = StepSerializer(many=True, read_only=True)
    extension_tests = ExtensionTestSerializer(
        source="extension_tests_shown",
        many=True,
        read_only=True,
        help_text="A Gateway 3 extension's four tests of extending rather than re-tendering, "
        "each with its evidence; empty for any other report.",
    )
    plan_themes = ThemeStatementSerializer(
        source="theme_statements",
        many=True,
        read_only=True,
        help_text="The Council Plan themes the report names (Gateway 1: how the procurement "
        "addresses each; Gateway 2: what the award will deliver against it).",
    )

    class Meta:
        model = GatewayReview
        fields = [
            "id",
            "project",
            "contract",
            "stage",
            "is_extension",
            "state",
            "tier_code",
            "value",
            "value_basis",
            *API_FIELDS,
            "extension_tests",
            "plan_themes",
            "author",
            "submitted_at",
            "decided_at",
            "steps",
        ]


class DecideSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=StepDecision.Outcome.choices)
    reasons = serializers.CharField(required=False, allow_blank=True, default="")
    meeting_date = serializers.DateField(required=False, allow_null=True, default=None)
    minute_reference = serializers.CharField(required=False, allow_blank=True, default="")
    key_decision_reference = serializers.CharField(required=False, allow_blank=True, default="")
    consulted = serializers.CharField(required=False, allow_blank=True, default="")
    consulted_on = serializers.DateField(required=False, allow_null=True, default=None)
    consultation_notes = serializers.CharField(required=False, allow_blank=True, default="")
    on_behalf_of = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True, default=None
    )
    accept_social_value_exception = serializers.BooleanField(required=False, default=False)
    accept_direct_award_exception = serializers.BooleanField(required=False, default=False)


@api_view
@extend_schema_view(
    list=extend_schema(summary="The forward plan"),
    retrieve=extend_schema(summary="A procurement on the forward plan"),
)
class ProjectViewSet(viewsets.ReadOnlyModelViewSet):
    permission_required = "gateways.view_forward_plan"
    queryset = ProcurementProject.objects.none()  # the schema's; each request's is get_queryset's
    serializer_class = ProjectSerializer

    def get_queryset(self):
        return projects_forward_plan()


def _with_themes(reviews):
    """The reports with the Council Plan themes they name: one query more, whatever the count."""
    return reviews.prefetch_related(
        Prefetch("theme_statements", queryset=ThemeStatement.objects.select_related("theme"))
    )


ERRORS = {
    400: OpenApiResponse(description="A rule refused it: the detail says which"),
    403: OpenApiResponse(description="You may not: the detail says why where a rule refused you"),
    404: OpenApiResponse(description="No such report"),
}


@api_view
@extend_schema_view(
    list=extend_schema(summary="Gateway reports you may read, with their steps and decisions"),
    retrieve=extend_schema(summary="A gateway report, with its steps and decisions"),
)
class ReviewViewSet(viewsets.ReadOnlyModelViewSet):
    permission_required = "procurement.use_service"
    queryset = GatewayReview.objects.none()  # the schema's; each request's is get_queryset's
    object_permission = "gateways.view_review"
    serializer_class = ReviewSerializer

    def get_queryset(self):
        # The list holds only the reports the visitor may read; one report is looked up among
        # them all and then checked, so a draft that is not theirs is refused (403), as the
        # pages refuse it, rather than reported missing.
        if self.detail:
            return _with_themes(reviews_with_route())
        reviews = reviews_visible(reviews_with_route(), user=self.request.user)
        return _with_themes(reviews).order_by("-pk")

    def _review(self, pk) -> GatewayReview:
        review = get_object_or_404(_with_themes(reviews_with_route()), pk=pk)
        self.check_object_permissions(self.request, review)
        return review

    @extend_schema(
        summary="Submit (or resubmit) a report: its author only",
        request=None,
        responses={200: ReviewSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"], permission_required="gateways.act_on_reviews")
    def submit(self, request, pk=None):
        review = self._review(pk)
        if not is_author(request.user, review):
            raise PermissionDenied("Only the report's author can submit it.")
        review = review_submit(review=review, by=request.user)
        return Response(ReviewSerializer(self._review(review.pk)).data)

    @extend_schema(
        summary="Decide at the report's current step, as the pages do",
        request=DecideSerializer,
        responses={201: DecisionSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"], permission_required="gateways.act_on_reviews")
    def decide(self, request, pk=None):
        review = self._review(pk)  # first, so a report the visitor may not read is refused
        given = DecideSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        decision = review_decide(review=review, by=request.user, **given.validated_data)
        return Response(DecisionSerializer(decision).data, status=status.HTTP_201_CREATED)
