from django.urls import path

from . import views

app_name = "alerts"

urlpatterns = [
    path("", views.mine, name="mine"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/<int:pk>/", views.notification_detail, name="notification"),
    path("notifications/<int:pk>/send-again/", views.send_again, name="send_again"),
    path("gateways-overdue/", views.gateways_overdue, name="gateways_overdue"),
    path("reassign/", views.reassign, name="reassign"),
    path("reassign/<int:user_pk>/", views.reassign_manager, name="reassign_manager"),
]
