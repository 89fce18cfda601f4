from django.apps import AppConfig


class PerformanceConfig(AppConfig):
    name = "performance"
    verbose_name = "Contract management"

    def ready(self) -> None:
        from procurement import attention, navigation
        from procurement import demo as demo_registry

        from . import demo, home, resilience_demo

        attention.register(home.performance_needing_attention)
        navigation.register(
            navigation.Section(
                "Performance", "performance:portfolio", "performance.view_portfolio", 15
            )
        )
        navigation.register(
            navigation.Section(
                "Performance", "performance:mine", "performance.mine_in_navigation", 15
            )
        )
        navigation.register(
            navigation.Section(
                "Key contracts",
                "performance:key_contracts",
                "performance.key_contracts_in_navigation",
                16,
            )
        )
        demo_registry.register(demo_registry.DemoPart("performance", demo.build, order=30))
        demo_registry.register(
            demo_registry.DemoPart("resilience", resilience_demo.build, order=31)
        )

        from procurement.panels import Panel, register_panel

        from . import panels

        register_panel(
            "contract",
            Panel(
                "performance",
                "performance/_panel.html",
                order=20,
                title="Performance",
                context=panels.contract_section,
            ),
        )
        register_panel(
            "contract",
            Panel(
                "plans",
                "performance/_contract_plans.html",
                order=21,
                title="Continuity and exit plans",
                context=panels.plans_section,
            ),
        )
