"""The forward plan as published (RBKC strategy §8a): no sign-in."""

from django.urls import path

from .views import public_plan

app_name = "public_plan"

urlpatterns = [
    path("", public_plan.public_forward_plan, name="list"),
    path("forward-plan.csv", public_plan.public_forward_plan_csv, name="csv"),
]
