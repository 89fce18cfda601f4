"""Maturity self-assessments through the API: each with its agreed results by theme."""

from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers, viewsets

from procurement.api import api_view

from .models import Assessment
from .selectors import assessment_results, assessments_listed


class AssessmentSerializer(serializers.ModelSerializer):
    framework = serializers.CharField(source="framework.title")

    class Meta:
        model = Assessment
        fields = ["id", "name", "year", "framework", "status", "score_by", "closed_at"]


class ThemeResultSerializer(serializers.Serializer):
    number = serializers.IntegerField(source="theme.number")
    name = serializers.CharField(source="theme.name")
    current = serializers.DecimalField(max_digits=3, decimal_places=1, allow_null=True)
    target = serializers.DecimalField(max_digits=3, decimal_places=1, allow_null=True)
    movement = serializers.DecimalField(max_digits=3, decimal_places=1, allow_null=True)


class AssessmentDetailSerializer(AssessmentSerializer):
    themes = serializers.SerializerMethodField()

    class Meta(AssessmentSerializer.Meta):
        fields = [*AssessmentSerializer.Meta.fields, "themes"]

    @extend_schema_field(ThemeResultSerializer(many=True))
    def get_themes(self, assessment) -> list:
        return ThemeResultSerializer(assessment_results(assessment).themes, many=True).data


@api_view
@extend_schema_view(
    list=extend_schema(summary="Maturity self-assessments"),
    retrieve=extend_schema(summary="A self-assessment with its results by theme"),
)
class AssessmentViewSet(viewsets.ReadOnlyModelViewSet):
    permission_required = "maturity.view_maturity"
    queryset = Assessment.objects.none()  # the schema's; each request's is get_queryset's

    def get_serializer_class(self):
        return AssessmentDetailSerializer if self.action == "retrieve" else AssessmentSerializer

    def get_queryset(self):
        return assessments_listed().order_by("-year", "name", "pk")
