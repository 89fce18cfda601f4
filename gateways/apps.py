from django.apps import AppConfig


class GatewaysConfig(AppConfig):
    name = "gateways"
    verbose_name = "Forward plan and gateways"

    def ready(self) -> None:
        from procurement import attention

        from . import home

        attention.register(home.gateways_needing_attention)
        from procurement import navigation

        navigation.register(
            navigation.Section(
                "Forward plan", "gateways:forward_plan", "gateways.view_forward_plan", 20
            )
        )
        from procurement import demo as demo_registry

        from . import demo

        demo_registry.register(demo_registry.DemoPart("gateways", demo.build, order=20))
