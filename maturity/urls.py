from django.urls import path

from . import views

app_name = "maturity"

assessment = "assessments/<int:pk>/"
key_area = f"{assessment}key-areas/<int:area_pk>/"
plan = "plans/<int:pk>/"
item = f"{plan}actions/<int:item_pk>/"

urlpatterns = [
    path("", views.index, name="index"),
    path("framework/", views.framework, name="framework"),
    path("framework.json", views.framework_json, name="framework_json"),
    path("assessments/new/", views.assessment_create_view, name="assessment_create"),
    path(assessment, views.assessment, name="assessment"),
    path(f"{assessment}participants/", views.participants, name="participants"),
    path(f"{assessment}score/", views.score_list, name="score_list"),
    path(f"{assessment}close/", views.close, name="close"),
    path(key_area, views.key_area, name="key_area"),
    path(f"{key_area}score/", views.score, name="score"),
    path(f"{key_area}agree/", views.agree, name="agree"),
    path("plans/new/", views.plan_create, name="plan_create"),
    path(plan, views.plan, name="plan"),
    path(f"{plan}tracker/", views.tracker, name="tracker"),
    path(f"{plan}actions/new/", views.item_create, name="item_create"),
    path(item, views.item, name="item"),
    path(f"{item}change/", views.item_change, name="item_change"),
    path(f"{item}progress/", views.progress, name="progress"),
]
