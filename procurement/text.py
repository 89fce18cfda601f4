"""Text as the product stores it: a title, a name or a reference is one line.

``single_line`` folds line breaks (with the spaces around them) to one space and removes control
characters (C0 and C1, tabs become spaces) and the bidirectional embeddings, overrides and
isolates (U+202A to U+202E, U+2066 to U+2069), which would let a name display as other text.
``multi_line`` keeps line breaks (as ``\\n``) and tabs and removes the rest.

``normalise_text_fields`` gives every ``CharField`` (one line) and ``TextField`` (many lines) of
the project's own models this normalisation on every way a value reaches the database:
``full_clean`` (which services, model forms and the imports' checks call), ``save`` and
``bulk_create`` (``pre_save``), and ``update`` and ``bulk_update`` (``get_db_prep_save``). So a
form, the API, an import, a management command or a field added next year cannot store a line
break in a title. The fields deconstruct as before, so this needs no migration.
"""

import re
from collections.abc import Callable, Iterable

from django.db import models

BIDI_CONTROLS = "\u202a-\u202e\u2066-\u2069"
# What str.splitlines() breaks on: \n \v \f \r, the file/group/record separators, NEL, U+2028/9.
LINE_BREAK = re.compile("\r\n|[\n\x0b\x0c\r\x1c-\x1e\x85\u2028\u2029]")
# Control characters other than tab and the line breaks, and the bidirectional controls.
CONTROL = re.compile(f"[\x00-\x08\x0e-\x1b\x1f\x7f-\x84\x86-\x9f{BIDI_CONTROLS}]")
# Anything either function would change (a fast test: most text has none).
SUSPECT = re.compile(f"[\x00-\x1f\x7f-\x9f{BIDI_CONTROLS}\u2028\u2029]")


def counted(number: int, singular: str, plural: str = "") -> str:
    """A number and its noun, in the singular for one: "1 problem", "2 problems", "1 person"."""
    return f"{number} {singular if number == 1 else plural or singular + 's'}"


def single_line(value: str) -> str:
    """``value`` as one line: line breaks folded to a space, controls and bidi controls gone."""
    if not SUSPECT.search(value):
        return value
    lines = LINE_BREAK.split(CONTROL.sub("", value).replace("\t", " "))
    if len(lines) == 1:
        return lines[0]
    return " ".join(line.strip() for line in lines if line.strip())


def multi_line(value: str) -> str:
    """``value`` with its line breaks as ``\\n`` and its tabs, but no other control characters
    and no bidi controls."""
    if not SUSPECT.search(value.replace("\n", "").replace("\t", "")):
        return value
    return LINE_BREAK.sub("\n", CONTROL.sub("", value))


class NormalisedText:
    """Mixed into a text field's class: its values are normalised on every way in."""

    normalise: Callable[[str], str]
    original_path: str

    def to_python(self, value):
        value = super().to_python(value)
        return self.normalise(value) if isinstance(value, str) else value

    def pre_save(self, model_instance, add):
        value = super().pre_save(model_instance, add)
        if isinstance(value, str):
            normalised = self.normalise(value)
            if normalised != value:
                setattr(model_instance, self.attname, normalised)
            value = normalised
        return value

    def get_db_prep_save(self, value, connection):
        if isinstance(value, str):
            value = self.normalise(value)
        return super().get_db_prep_save(value, connection)

    def deconstruct(self):
        name, _, args, kwargs = super().deconstruct()
        return name, self.original_path, args, kwargs


_normalised_classes: dict[type, type] = {}


def _normalised_class(field: models.Field) -> type:
    base = type(field)
    if base not in _normalised_classes:
        lines = issubclass(base, models.TextField)
        _normalised_classes[base] = type(
            f"{'MultiLine' if lines else 'SingleLine'}{base.__name__}",
            (NormalisedText, base),
            {
                "__module__": __name__,
                "normalise": staticmethod(multi_line if lines else single_line),
                "original_path": field.deconstruct()[1],
            },
        )
    return _normalised_classes[base]


def normalise_text_fields(model_classes: Iterable[type[models.Model]]) -> None:
    """Make each ``CharField`` and ``TextField`` of ``model_classes`` normalise its values."""
    for model in model_classes:
        for field in model._meta.local_fields:
            if isinstance(field, NormalisedText):
                continue
            if isinstance(field, models.CharField | models.TextField):
                field.__class__ = _normalised_class(field)
