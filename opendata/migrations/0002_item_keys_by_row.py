"""Name each notified item by its row, not its reference: "contract_details:CR-1" becomes
"contract_details:17", "performance:CR-1:2027-06-01" "performance:17:2027-06-01" and "pipeline:P-1"
"pipeline:4", from the project or contract the notice was recorded against. A reference may hold
any character (a slash, which no address can carry as it is), lots share one, and it may be
corrected after the notice; a row's id does none of these. Change notices were named by their
event already."""

from django.db import migrations


def _by_row(notice) -> str:
    if notice.kind == "pipeline":
        return f"pipeline:{notice.project_id}"
    if notice.kind == "contract_details":
        return f"contract_details:{notice.contract_id}"
    if notice.kind == "performance":
        due = notice.item_key.rsplit(":", 1)[1]
        return f"performance:{notice.contract_id}:{due}"
    return notice.item_key


def _by_reference(notice) -> str:
    if notice.kind == "pipeline":
        return f"pipeline:{notice.project.reference}"
    if notice.kind == "contract_details":
        return f"contract_details:{notice.contract.reference}"
    if notice.kind == "performance":
        due = notice.item_key.rsplit(":", 1)[1]
        return f"performance:{notice.contract.reference}:{due}"
    return notice.item_key


def _rename(apps, name):
    Notice = apps.get_model("opendata", "Notice")
    for notice in Notice.objects.select_related("project", "contract").order_by("pk"):
        owner = notice.project_id if notice.kind == "pipeline" else notice.contract_id
        key = name(notice) if owner is not None else notice.item_key
        if key != notice.item_key:
            notice.item_key = key
            notice.save(update_fields=["item_key"])


def keys_by_row(apps, schema_editor):
    _rename(apps, _by_row)


def keys_by_reference(apps, schema_editor):
    _rename(apps, _by_reference)


class Migration(migrations.Migration):
    dependencies = [("opendata", "0001_notices")]

    operations = [migrations.RunPython(keys_by_row, keys_by_reference)]
