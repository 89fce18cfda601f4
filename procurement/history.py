"""Saving governed data so that its history says who changed it and why."""

from django.db import models


def save_with_history(instance: models.Model, *, by, reason: str) -> models.Model:
    """Save ``instance``; its history row records ``by`` as the author and ``reason`` as why."""
    instance._history_user = by
    instance._change_reason = reason
    instance.save()
    return instance
