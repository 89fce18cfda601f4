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
        from .selectors import reviews_awaiting

        navigation.register(
            navigation.Section(
                "Awaiting my decision",
                "gateways:awaiting",
                "gateways.awaiting_in_navigation",
                2,
                count=lambda user: len(reviews_awaiting(user=user)),
            )
        )
        from procurement import demo as demo_registry

        from . import demo

        demo_registry.register(demo_registry.DemoPart("gateways", demo.build, order=20))

        from procurement.panels import Link, Panel, register_link, register_panel

        from . import panels

        register_panel(
            "home",
            Panel(
                "your-gateway-reports",
                "gateways/_your_reports.html",
                order=20,
                context=panels.your_reports,
            ),
        )
        register_link(
            "home.account",
            Link("Delegate your gateway approvals while you are away", "gateways:delegations", 30),
        )
        register_link(
            "reference_data.policy",
            Link(
                "Check which gateways and approvers a procurement needs",
                "gateways:routing_preview",
                order=10,
            ),
        )
        register_panel(
            "contract.change",
            Panel("extension-at-gateway-3", "gateways/_contract_extension.html", order=10),
        )

        # Whatever path changes a contract's or a project's value (a page, the API, the
        # import, a variation), the reports with their approvers follow it.
        from django.db.models.signals import post_save

        from contracts.models import Contract
        from contracts.signals import contracts_changed

        from .models import ProcurementProject
        from .services import contracts_value_changed, value_changed

        post_save.connect(value_changed, sender=Contract, dispatch_uid="gateways_contract_value")
        contracts_changed.connect(contracts_value_changed, dispatch_uid="gateways_contracts_value")
        post_save.connect(
            value_changed, sender=ProcurementProject, dispatch_uid="gateways_project_value"
        )
