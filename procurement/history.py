"""Saving governed data so that its history says who changed it and why."""

from django.db import models

from .dates import date_and_time, long_date


def save_with_history(instance: models.Model, *, by, reason: str) -> models.Model:
    """Save ``instance``; its history row records ``by`` as the author and ``reason`` as why."""
    instance._history_user = by
    instance._change_reason = reason
    instance.save()
    return instance


# Never shown in a history: secrets, and what changes on every sign-in.
HIDDEN_FIELDS = {"password", "last_login", "key_hash"}


def changes_of(records: list, model: type[models.Model]) -> list[dict]:
    """History records of ``model`` (newest first, of one object or several) as entries: the
    record (who, when, why) and each field it changed since that object's previous record, from
    what to what, with related records shown by name.

    Related records are read with one query per kind of record, so a page's query count does not
    grow with the history.
    """
    from datetime import date, datetime
    from decimal import Decimal

    from procurement.numbers import money

    key = model._meta.pk.attname
    older_of: dict[int, object] = {}  # each record's previous record of the same object
    latest: dict = {}
    for record in reversed(records):
        older_of[record.pk] = latest.get(getattr(record, key))
        latest[getattr(record, key)] = record
    diffs = []
    for newer in records:
        older = older_of[newer.pk]
        changes = newer.diff_against(older).changes if older is not None else []
        diffs.append([c for c in changes if c.field not in HIDDEN_FIELDS])
    wanted: dict[type, set] = {}
    for diff in diffs:
        for change in diff:
            field = model._meta.get_field(change.field)
            if field.many_to_many:  # lists of the link table's rows
                target = field.m2m_reverse_field_name()
                wanted.setdefault(field.related_model, set()).update(
                    row[target] for rows in (change.old, change.new) for row in rows or []
                )
            elif field.is_relation:
                wanted.setdefault(field.related_model, set()).update(
                    value for value in (change.old, change.new) if value is not None
                )
    names = {related: related.objects.in_bulk(ids) for related, ids in wanted.items()}

    def shown(field, value):
        if field.many_to_many:
            target = field.m2m_reverse_field_name()
            named = sorted(str(names[field.related_model].get(row[target])) for row in value or [])
            return ", ".join(named) or "none"
        if value is None or value == "":
            return "blank"
        if field.is_relation:
            return str(names[field.related_model].get(value, value))
        if field.choices:
            return dict(field.flatchoices).get(value, value)
        if isinstance(value, Decimal):
            return money(value)
        if isinstance(value, datetime):
            return f"{date_and_time(value)}"
        if isinstance(value, date):
            return f"{long_date(value)}"
        return value

    entries = []
    for record, diff in zip(records, diffs, strict=True):
        fields = [(model._meta.get_field(change.field), change) for change in diff]
        entries.append(
            {
                "record": record,
                "changes": [
                    {
                        "field": field.verbose_name,
                        "old": shown(field, change.old),
                        "new": shown(field, change.new),
                    }
                    for field, change in fields
                ],
            }
        )
    return entries
