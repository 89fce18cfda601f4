"""What the service's lifecycles share on django-fsm-2: a state only its transitions change
(``FSMField(protected=True)``) that can still be read back and validated, and a transition's
permission held on the record it acts on.

A lifecycle's model declares its transitions with their ``conditions`` and ``permission``; its
services check ``can_proceed`` for the state, ``require_transition`` for the person, and then
call the transition (docs/decisions/0003-django-fsm-2-for-workflows.md).
"""

from collections.abc import Callable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django_fsm import FSMFieldMixin, FSMModelMixin


class ProtectedStateMixin(FSMModelMixin):
    """For a model whose state is an ``FSMField(protected=True)``: ``refresh_from_db`` works
    (django-fsm-2's mixin), and so does ``full_clean``, which checks the state's value without
    assigning it back (Django's ``clean_fields`` assigns every field it cleans)."""

    def _protected_states(self) -> set[str]:
        return {
            field.name
            for field in self._meta.concrete_fields
            if isinstance(field, FSMFieldMixin) and field.protected
        }

    def clean_fields(self, exclude=None) -> None:
        skipped = set(exclude or ())
        states = self._protected_states() - skipped
        errors: dict = {}
        try:
            super().clean_fields(exclude=skipped | states)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        for name in states:
            field = self._meta.get_field(name)
            try:
                field.clean(getattr(self, field.attname), self)
            except ValidationError as error:
                errors[name] = error.error_list
        if errors:
            raise ValidationError(errors)


def object_permission(name: str) -> Callable[[models.Model, object], bool]:
    """A transition's ``permission``: the rule ``name`` held on the record the transition acts
    on. (Given the bare name, django-fsm-2 would also accept it held without the record, which
    for a rule such as "not the person who recorded it" is a different answer.)"""

    def held(instance: models.Model, user) -> bool:
        return user.has_perm(name, instance)

    held.__name__ = f"holds {name}"
    return held


def require_transition(user, transition) -> None:
    """Refuse (403) unless ``user`` holds the permission ``transition`` (a bound transition
    method) names, whatever state the record is in: the state is checked with ``can_proceed``,
    which has its own message for the person."""
    meta = transition._django_fsm
    if not all(step.has_perm(transition.__self__, user) for step in meta.transitions.values()):
        raise PermissionDenied
