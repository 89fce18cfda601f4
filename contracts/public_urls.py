"""The published register (Local Government Transparency Code 2015): no sign-in."""

from django.urls import path

from . import views

app_name = "register"

urlpatterns = [
    path("", views.public_register, name="public"),
    path("transparency.csv", views.transparency_csv, name="transparency_csv"),
]
