from django.apps import AppConfig


class SocialValueConfig(AppConfig):
    name = "socialvalue"
    verbose_name = "Social value"
