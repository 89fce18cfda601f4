from django.urls import path

from . import views

app_name = "opendata"

urlpatterns = [
    path("ocds/releases.json", views.releases, name="releases"),
    path("ocds/records/<str:ocid>.json", views.record, name="record"),
    path("procurement-act/", views.procurement_act, name="procurement_act"),
    path("procurement-act.csv", views.procurement_act_csv, name="procurement_act_csv"),
    path("procurement-act/<str:key>/notice/", views.notice_form, name="notice"),
]
