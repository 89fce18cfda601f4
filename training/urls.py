from django.urls import path

from . import views

app_name = "training"

urlpatterns = [
    path("", views.due, name="due"),
    path("due.csv", views.due_csv, name="due_csv"),
    path("courses/", views.courses, name="courses"),
    path("courses/new/", views.course_edit, name="course_add"),
    path("courses/<int:pk>/", views.course, name="course"),
    path("courses/<int:pk>/edit/", views.course_edit, name="course_edit"),
    path("rules/<slug:activity>/", views.rule_edit, name="rule_edit"),
    path("record/", views.record, name="record"),
    path("mine/", views.mine, name="mine"),
    path("people/<int:pk>/", views.person, name="person"),
]
