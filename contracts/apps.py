from django.apps import AppConfig


class ContractsConfig(AppConfig):
    name = "contracts"
    verbose_name = "Contract register"

    def ready(self) -> None:
        from procurement import navigation

        from . import (
            exports,  # noqa: F401 - registers the register's export with the shared machinery
            importing,  # noqa: F401 - registers the import with the shared machinery
        )

        navigation.register(
            navigation.Section("Contracts", "contracts:register", "contracts.view_register", 10)
        )
        # Its home-page items are counted from the kept figures (reporting/home.py).

        # A contract's page is its sections in order: these, and those the apps above add
        # (performance, social value, alerts).
        from procurement.panels import Panel, register_panel

        from . import panels

        for name, title, order in (
            ("summary", "Summary", 10),
            ("events", "Variations and extensions", 50),
            ("documents", "Documents", 60),
            ("history", "History", 70),
        ):
            register_panel(
                "contract", Panel(name, f"contracts/_section_{name}.html", order, title=title)
            )
        register_panel(
            "reference_data",
            Panel(
                "renewal-lead-times",
                "contracts/_renewal_bands.html",
                order=10,
                title="Renewal lead times",
                context=panels.renewal_bands,
            ),
        )
        from procurement import demo as demo_registry

        from . import demo

        demo_registry.register(
            demo_registry.DemoPart(
                "contracts", demo.build, add_arguments=demo.add_arguments, order=10
            )
        )
