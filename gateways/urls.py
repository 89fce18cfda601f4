from django.urls import path

from . import views

app_name = "gateways"

urlpatterns = [
    path("routing-preview/", views.routing_preview, name="routing_preview"),
    path("routing-preview.json", views.routing_preview_json, name="routing_preview_json"),
    path("awaiting/", views.awaiting, name="awaiting"),
    path("reviews/<int:pk>/", views.review_detail, name="review"),
    path("reviews/<int:pk>/decide/", views.review_decide_view, name="decide"),
    path("reviews/<int:pk>/submit/", views.review_submit_view, name="submit"),
    path("reviews/<int:pk>/withdraw/", views.review_withdraw_view, name="withdraw"),
]
