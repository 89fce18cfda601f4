from django.urls import path

from . import views

app_name = "procurement"

urlpatterns = [
    path("", views.home, name="home"),
    path("reference-data/", views.reference_data, name="reference_data"),
    path("accessibility/", views.accessibility_statement, name="accessibility"),
    path("people/", views.people, name="people"),
    path("people/<int:pk>/", views.person, name="person"),
]
