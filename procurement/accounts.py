"""Signing in and out, and setting passwords, with Django's views and GOV.UK pages."""

from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from . import views
from .access import public, requires
from .background import BackgroundUnavailable
from .forms import PasswordChangeForm, PasswordResetForm, SetPasswordForm, SignInForm

app_name = "accounts"


class PasswordResetView(auth_views.PasswordResetView):
    """Django's, saying on the form when no link can be sent now: the same for every address,
    so it tells nobody which have accounts."""

    form_class = PasswordResetForm
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except BackgroundUnavailable:
            form.add_error(
                None,
                "Links to reset a password cannot be sent at the moment. Try again later, and "
                "if it goes on contact the council's procurement team",
            )
            return self.form_invalid(form)


urlpatterns = [
    path("api-tokens/", views.api_tokens, name="api_tokens"),
    path("api-tokens/<int:pk>/revoke/", views.api_token_revoke_view, name="api_token_revoke"),
    path(
        "sign-in/",
        public(
            auth_views.LoginView.as_view(
                template_name="registration/sign_in.html",
                authentication_form=SignInForm,
                redirect_authenticated_user=True,
            )
        ),
        name="sign_in",
    ),
    path("sign-out/", public(auth_views.LogoutView.as_view()), name="sign_out"),
    path(
        "signed-out/",
        public(auth_views.TemplateView.as_view(template_name="registration/signed_out.html")),
        name="signed_out",
    ),
    path(
        "password-reset/",
        public(PasswordResetView.as_view()),
        name="password_reset",
    ),
    path(
        "password-reset/sent/",
        public(auth_views.PasswordResetDoneView.as_view()),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        public(
            auth_views.PasswordResetConfirmView.as_view(
                form_class=SetPasswordForm,
                success_url=reverse_lazy("accounts:password_reset_complete"),
            )
        ),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/",
        public(auth_views.PasswordResetCompleteView.as_view()),
        name="password_reset_complete",
    ),
    path(
        "password/",
        requires("procurement.use_service")(
            auth_views.PasswordChangeView.as_view(
                form_class=PasswordChangeForm,
                success_url=reverse_lazy("accounts:password_change_done"),
            )
        ),
        name="password_change",
    ),
    path(
        "password/changed/",
        requires("procurement.use_service")(auth_views.PasswordChangeDoneView.as_view()),
        name="password_change_done",
    ),
]
