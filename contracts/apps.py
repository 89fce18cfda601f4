from django.apps import AppConfig


class ContractsConfig(AppConfig):
    name = "contracts"
    verbose_name = "Contract register"

    def ready(self) -> None:
        from procurement import attention, navigation

        from . import (
            home,
            importing,  # noqa: F401 - registers the import with the shared machinery
        )

        navigation.register(
            navigation.Section("Contracts", "contracts:register", "contracts.view_register", 10)
        )
        attention.register(home.contracts_needing_attention)
        attention.register(home.named_officer_gaps_needing_attention)
        from procurement import demo as demo_registry

        from . import demo

        demo_registry.register(
            demo_registry.DemoPart(
                "contracts", demo.build, add_arguments=demo.add_arguments, order=10
            )
        )
