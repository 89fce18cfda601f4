"""Mark the gateway approvals already used before the register recorded them, so none of them
can be used again: an award's contract and an extension event named their report in words
("Awarded: Gateway 2 approved by … (report 12)", "Gateway 3 approval by … (report 31)")."""

import re

from django.db import migrations

REPORT = re.compile(r"\(report (\d+)\)")


def record_the_reports(apps, schema_editor):
    Contract = apps.get_model("contracts", "Contract")
    HistoricalContract = apps.get_model("contracts", "HistoricalContract")
    ContractEvent = apps.get_model("contracts", "ContractEvent")
    used = set(
        Contract.objects.exclude(gateway_report=None).values_list("gateway_report", flat=True)
    )
    awards = HistoricalContract.objects.filter(
        history_type="+", history_change_reason__startswith="Awarded: Gateway 2"
    ).order_by("history_date")
    for record in awards:
        found = REPORT.search(record.history_change_reason or "")
        if found and int(found[1]) not in used:
            updated = Contract.objects.filter(pk=record.id, gateway_report=None)
            if updated.exists():
                contract = updated.get()
                contract.gateway_report = int(found[1])
                contract.save(update_fields=["gateway_report"])
                used.add(contract.gateway_report)
    used = set(
        ContractEvent.objects.exclude(gateway_report=None).values_list("gateway_report", flat=True)
    )
    for event in ContractEvent.objects.filter(
        kind="extension", gateway_report=None, approved_by__startswith="Gateway 3 approval"
    ).order_by("pk"):
        found = REPORT.search(event.approved_by)
        if found and int(found[1]) not in used:
            event.gateway_report = int(found[1])
            event.save(update_fields=["gateway_report"])
            used.add(event.gateway_report)


class Migration(migrations.Migration):
    dependencies = [("contracts", "0008_gateway_report")]

    operations = [migrations.RunPython(record_the_reports, migrations.RunPython.noop)]
