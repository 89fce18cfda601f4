from django.apps import AppConfig


class GatewaysConfig(AppConfig):
    name = "gateways"
    verbose_name = "Forward plan and gateways"

    def ready(self) -> None:
        from procurement import attention

        from . import home

        attention.register(home.gateways_needing_attention)
