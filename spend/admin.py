"""Spend's reference data in the administrators' admin: the thresholds spend with no contract is
ranked by, the categories the contract procedure rules exempt, the finance systems payments come
from, and the council's settings (the match threshold, the local payment target). Every change
keeps its reason in the history."""

from django.contrib import admin

from procurement.admin import GovernedAdmin, site

from .models import ExemptCategory, PaymentSource, SpendSettings, SpendThreshold


@admin.register(SpendThreshold, site=site)
class SpendThresholdAdmin(GovernedAdmin):
    list_display = ["label", "amount"]
    fields = ["amount", "label", "change_reason"]


@admin.register(ExemptCategory, site=site)
class ExemptCategoryAdmin(GovernedAdmin):
    list_display = ["name", "is_active"]
    fields = ["name", "description", "is_active", "change_reason"]


@admin.register(PaymentSource, site=site)
class PaymentSourceAdmin(GovernedAdmin):
    list_display = ["name"]
    fields = ["name", "description", "change_reason"]


@admin.register(SpendSettings, site=site)
class SpendSettingsAdmin(GovernedAdmin):
    list_display = ["__str__", "match_threshold", "local_target_days", "local_target_share"]
    fields = ["match_threshold", "local_target_days", "local_target_share", "change_reason"]

    def has_add_permission(self, request):
        # One row, made by the migration: the council changes it, never adds a second.
        return super().has_add_permission(request) and not SpendSettings.objects.exists()
