"""The published annual social value reviews (Worcestershire strategy §5.4): no sign-in."""

from django.urls import path

from . import views

app_name = "public_review"

urlpatterns = [
    path("", views.public_social_value_reviews, name="list"),
    path("<int:year>/", views.public_social_value_review, name="read"),
    path("<int:year>/review.pdf", views.public_social_value_review_pdf, name="pdf"),
]
