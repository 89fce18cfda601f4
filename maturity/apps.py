from django.apps import AppConfig


class MaturityConfig(AppConfig):
    name = "maturity"
    verbose_name = "Maturity self-assessment"

    def ready(self) -> None:
        from procurement import attention, navigation
        from procurement import demo as demo_registry

        from . import demo, home

        attention.register(home.maturity_needing_attention)
        navigation.register(
            # A self-assessment is a yearly exercise: among the sections opened now and then.
            navigation.Section("Maturity", "maturity:index", "maturity.view_maturity", 91)
        )
        demo_registry.register(demo_registry.DemoPart("maturity", demo.build, order=50))
