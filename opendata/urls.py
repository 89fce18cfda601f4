from django.urls import path

from . import views

app_name = "opendata"

urlpatterns = [
    path("ocds/releases.json", views.releases, name="releases"),
    path("ocds/records/<str:ocid>.json", views.record, name="record"),
]
