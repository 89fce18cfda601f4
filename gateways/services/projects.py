"""The forward plan: putting a procurement on it and changing it."""

from collections.abc import Mapping
from typing import Any

from django.db import transaction

from gateways.models import ProcurementProject
from procurement.history import save_with_history
from procurement.models import User
from procurement.services import require

from .common import locked_project


@transaction.atomic
def project_create(*, fields: Mapping[str, Any], by: User, reason: str) -> ProcurementProject:
    """Put a procurement on the forward plan."""
    project = ProcurementProject(**fields)
    require(by, "gateways.add_project")
    require(by, "gateways.change_project", project)
    project.full_clean()
    return save_with_history(project, by=by, reason=reason)


@transaction.atomic
def project_update(
    *, project: ProcurementProject, fields: Mapping[str, Any], by: User, reason: str
) -> ProcurementProject:
    """Change a planned procurement; its history keeps what it was and why."""
    require(by, "gateways.change_project", project)
    project = locked_project(project)
    for name, value in fields.items():
        setattr(project, name, value)
    require(by, "gateways.change_project", project)
    project.full_clean()
    return save_with_history(project, by=by, reason=reason)
