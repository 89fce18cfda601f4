"""The register's reference data in the administrators' admin: renewal lead times by value band."""

from django.contrib import admin

from procurement.admin import GovernedAdmin, site

from .models import RenewalBand


@admin.register(RenewalBand, site=site)
class RenewalBandAdmin(GovernedAdmin):
    list_display = ["name", "value_above", "lead_months"]
    fields = ["name", "value_above", "lead_months", "change_reason"]
