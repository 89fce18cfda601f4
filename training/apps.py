from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "training"
    verbose_name = "Training and capability"

    def ready(self) -> None:
        from procurement import attention, navigation
        from procurement import demo as demo_registry
        from procurement.panels import Link, Panel, register_link, register_panel

        from . import demo, home, panels

        attention.register(home.training_needing_attention)
        navigation.register(
            navigation.Section("Training", "training:due", "training.programme_in_navigation", 94)
        )
        register_panel(
            "home",
            Panel(
                "training",
                "training/_home.html",
                order=30,
                context=panels.home_panel,
                reads=("training",),
            ),
        )
        register_link("home.account", Link("Your training", "training:mine", 40))
        register_link(
            "home.account",
            Link("Training programme", "training:due", 45, permission="training.view_programme"),
        )
        demo_registry.register(demo_registry.DemoPart("training", demo.build, order=96))
