"""Reading a page's query string.

Every parameter a page reads from its query string is parsed by a form field: a page's filters by
its GET form (``RegisterFilterForm``, ``LedgerFilterForm``…), any other parameter by
``query_value``. A value that does not parse is ignored, as if it were absent: a list shows
everything, a form starts empty. ``str.isdigit`` is no test for ``int``: it accepts "²".
"""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest

# The largest id a PostgreSQL ``integer`` column holds.
MAX_ID = 2**31 - 1


def row_id() -> forms.IntegerField:
    """A row's id as a query string gives it: a whole number from 1 to ``MAX_ID``."""
    return forms.IntegerField(min_value=1, max_value=MAX_ID)


def search_text() -> forms.CharField:
    """A search box's text: no NUL (PostgreSQL refuses it), at most 100 characters."""
    return forms.CharField(max_length=100)


def parsed(raw: Any, field: forms.Field, default: Any = None) -> Any:
    """``raw`` as ``field`` reads it, or ``default`` if it is empty or does not parse."""
    try:
        value = field.clean(raw)
    except ValidationError:
        return default
    return default if value in field.empty_values else value


def query_value(
    request: HttpRequest, name: str, field: forms.Field | None = None, default: Any = None
) -> Any:
    """The query parameter ``name`` as ``field`` (by default a row's id) reads it, or
    ``default`` if it is absent or does not parse."""
    return parsed(request.GET.get(name, ""), field or row_id(), default)
