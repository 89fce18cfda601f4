"""The Django admin, for administrators only, where they manage people, roles and reference data.

Every change asks for a reason, which the history keeps beside who made it and when. Governed
records are deactivated rather than deleted, and a policy that has come into force is read-only:
a change of policy is a new policy with a later date (the "Copy as a new policy" action).
"""

from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm, UserCreationForm
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest
from django.urls import URLPattern, URLResolver, reverse
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

from .access import ACCESS_ATTRIBUTE, PUBLIC
from .models import (
    ApprovalPolicy,
    ChangeLimit,
    ContractCategory,
    Directorate,
    PipelineYear,
    PlanTheme,
    PolicyGateway,
    PolicyStep,
    PolicyTier,
    SignInAttempt,
    Threshold,
    User,
)
from .roles import Role
from .services import ProcurementError, approval_policy_copy

ADMIN_PERMISSION = "procurement.access_admin"


class CouncilAdminSite(admin.AdminSite):
    """The admin site, open only to the administrator role and signed in through the service."""

    site_title = "Procurement governance administration"
    site_header = "Procurement governance administration"
    index_title = "People, roles and reference data"

    def has_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.has_perm(ADMIN_PERMISSION)

    def login(self, request: HttpRequest, extra_context=None):
        return redirect_to_login(request.GET.get("next") or reverse("admin:index"))

    def get_urls(self):
        urls = super().get_urls()
        _mark(urls)
        return urls


def _mark(patterns) -> None:
    """Declare the admin's access rule on each of its views for the access middleware."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            _mark(pattern.url_patterns)
        elif isinstance(pattern, URLPattern):
            rule = PUBLIC if pattern.name == "login" else ADMIN_PERMISSION
            callback = pattern.callback
            if getattr(callback, "__self__", None) is not None:
                # A bound method cannot carry attributes: wrap it in a plain function.
                bound = callback

                def callback(request, *args, _bound=bound, **kwargs):
                    return _bound(request, *args, **kwargs)

                pattern.callback = callback
            setattr(pattern.callback, ACCESS_ATTRIBUTE, rule)


site = CouncilAdminSite(name="admin")


class ReasonForm(forms.ModelForm):
    change_reason = forms.CharField(
        label="Reason for this change",
        max_length=250,
        help_text="Kept in the history with your name and the time.",
    )


class GovernedAdmin(SimpleHistoryAdmin):
    """Administrators only; every save records a reason; nothing governed is deleted."""

    form = ReasonForm

    def has_module_permission(self, request):
        return request.user.has_perm(ADMIN_PERMISSION)

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm(ADMIN_PERMISSION)

    def has_add_permission(self, request):
        return request.user.has_perm(ADMIN_PERMISSION)

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm(ADMIN_PERMISSION)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        obj._change_reason = form.cleaned_data.get("change_reason", "")
        super().save_model(request, obj, form, change)

    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        if "change_reason" in fields:
            fields.remove("change_reason")
            fields.append("change_reason")
        return fields


@admin.register(Directorate, site=site)
class DirectorateAdmin(GovernedAdmin):
    list_display = ["name", "code", "business_partner", "is_active"]
    list_select_related = ["business_partner"]
    search_fields = ["name", "code"]


@admin.register(ContractCategory, site=site)
class ContractCategoryAdmin(GovernedAdmin):
    list_display = [
        "name",
        "quality_weight",
        "price_weight",
        "social_value_weight",
        "threshold_kind",
        "is_active",
    ]


@admin.register(PlanTheme, site=site)
class PlanThemeAdmin(GovernedAdmin):
    list_display = ["name", "order", "is_active"]


@admin.register(Threshold, site=site)
class ThresholdAdmin(GovernedAdmin):
    """A new figure is a new row from its date: the earlier one still applies before it."""

    list_display = ["kind", "value_including_vat", "effective_from"]
    list_filter = ["kind"]


@admin.register(ChangeLimit, site=site)
class ChangeLimitAdmin(GovernedAdmin):
    list_display = ["kind", "percent", "effective_from"]


@admin.register(PipelineYear, site=site)
class PipelineYearAdmin(GovernedAdmin):
    list_display = ["__str__", "expects_spend_over_threshold"]


class PolicyInForceReadOnly:
    """A policy (or part of one) that has come into force can be read but not changed."""

    def _policy_of(self, obj):
        raise NotImplementedError

    def has_change_permission(self, request, obj=None):
        if obj is not None and self._policy_of(obj).has_come_into_force(today=timezone.localdate()):
            return False
        return super().has_change_permission(request, obj)


class PolicyTierInline(admin.TabularInline):
    model = PolicyTier
    extra = 0
    show_change_link = True
    fields = ["code", "name", "value_above", "value_up_to"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ApprovalPolicy, site=site)
class ApprovalPolicyAdmin(PolicyInForceReadOnly, GovernedAdmin):
    list_display = ["name", "effective_from", "gateway_threshold"]
    inlines = [PolicyTierInline]
    actions = ["copy_as_new_policy"]

    def _policy_of(self, obj):
        return obj

    @admin.action(description="Copy as a new policy starting tomorrow")
    def copy_as_new_policy(self, request, queryset):
        for policy in queryset:
            try:
                copy = approval_policy_copy(
                    policy=policy,
                    name=f"{policy.name} (revised)",
                    effective_from=timezone.localdate() + timedelta(days=1),
                    by=request.user,
                    reason=f"Copied from the policy in force from {policy.effective_from}.",
                )
            except ProcurementError as error:
                self.message_user(request, str(error), level=messages.ERROR)
            else:
                self.message_user(request, f"Created {copy}; edit it before it comes into force.")


class PolicyGatewayInline(admin.TabularInline):
    model = PolicyGateway
    extra = 0


class PolicyStepInline(admin.StackedInline):
    model = PolicyStep
    fk_name = "tier"
    extra = 0


@admin.register(PolicyTier, site=site)
class PolicyTierAdmin(PolicyInForceReadOnly, GovernedAdmin):
    list_display = ["__str__", "policy", "value_above", "value_up_to"]
    list_select_related = ["policy"]
    inlines = [PolicyGatewayInline, PolicyStepInline]

    def _policy_of(self, obj):
        return obj.policy


class DirectorateRequired:
    """Every person belongs to a directorate, which routes their alerts and approvals."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["directorate"].required = True


class UserAdminChangeForm(DirectorateRequired, UserChangeForm):
    change_reason = ReasonForm.base_fields["change_reason"]

    class Meta(UserChangeForm.Meta):
        model = User
        fields = "__all__"

    def clean(self):
        cleaned = super().clean()
        groups = {group.name for group in cleaned.get("groups") or []}
        if cleaned.get("portfolio") and Role.LEAD_MEMBER.label not in groups:
            self.add_error(
                "portfolio", "Only a lead member holds a portfolio: clear it, or add the role."
            )
        return cleaned


class UserAdminCreationForm(DirectorateRequired, UserCreationForm):
    change_reason = ReasonForm.base_fields["change_reason"]

    class Meta:
        model = User
        fields = ["email", "first_name", "last_name", "directorate"]

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError("A user with this email address already exists.")
        return email


@admin.register(User, site=site)
class UserAdmin(GovernedAdmin, DjangoUserAdmin):
    form = UserAdminChangeForm
    add_form = UserAdminCreationForm
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "directorate", "is_active"]
    list_filter = ["is_active", "groups", "directorate"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Person", {"fields": ["first_name", "last_name", "job_title", "directorate"]}),
        ("Roles", {"fields": ["is_active", "groups", "portfolio"]}),
        ("Why", {"fields": ["change_reason"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "fields": [
                    "email",
                    "first_name",
                    "last_name",
                    "directorate",
                    "password1",
                    "password2",
                    "change_reason",
                ]
            },
        ),
    ]
    filter_horizontal = ["groups", "portfolio"]

    def save_related(self, request, form, formsets, change):
        # Role changes land in the history with the same author and reason as the edit.
        form.instance._history_user = request.user
        form.instance._change_reason = form.cleaned_data.get("change_reason", "")
        super().save_related(request, form, formsets, change)


@admin.register(SignInAttempt, site=site)
class SignInAttemptAdmin(admin.ModelAdmin):
    """Every attempt to sign in, to read: the record of who tried, from where, and the lockout."""

    list_display = ("at", "email", "ip_address", "succeeded", "locked_out")
    list_filter = ("succeeded", "locked_out")
    search_fields = ("email", "ip_address")
    date_hierarchy = "at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
