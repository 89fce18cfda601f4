from django.urls import path

from . import views

app_name = "gateways"

urlpatterns = [
    path("routing-preview/", views.routing_preview, name="routing_preview"),
    path("routing-preview.json", views.routing_preview_json, name="routing_preview_json"),
]
