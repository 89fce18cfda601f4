from django.urls import path

from . import views

app_name = "assurance"

report = "<int:pk>/"

urlpatterns = [
    path("", views.report_list, name="list"),
    path("compile/", views.report_compile_view, name="compile"),
    path(report, views.report_detail, name="detail"),
    path(f"{report}compile-again/", views.report_recompile_view, name="recompile"),
    path(f"{report}submit/", views.report_submit_view, name="submit"),
    path(f"{report}challenge/", views.report_step, {"step": "challenge"}, name="challenge"),
    path(f"{report}answer/", views.report_step, {"step": "respond"}, name="respond"),
    path(
        f"{report}sign-financial-figures/",
        views.report_step,
        {"step": "sign_finance"},
        name="sign_finance",
    ),
    path(f"{report}sign-off/", views.report_step, {"step": "sign_off"}, name="sign_off"),
    path(f"{report}re-open/", views.report_step, {"step": "reopen"}, name="reopen"),
]
