"""CPV codes (the Common Procurement Vocabulary, CPV 2008): how a code is read, written and
checked, the one statement of it for every path that takes one (the contract and procurement
pages, the API, the register import, the models' own validation).

A code is stored as the official list writes it: eight digits, a hyphen and a check digit
("45000000-7"). What people type, and what a spreadsheet leaves, is read as that: spaces around
it or for the hyphen ("45000000 7"), a leading zero lost by a number column ("3000000-1" is
"03000000-1"), or the eight digits alone (the check digit is then taken from the list).

No algorithm for the check digit is published, so the list an administrator loads from the
official CPV 2008 file is the authority (decision record 0054): a code is accepted only if it is
in the list, with the list's check digit.
"""

import re
from collections.abc import Iterator, Mapping
from functools import cached_property

from django.core.exceptions import ValidationError
from django.db.models import OuterRef, Q, QuerySet, Subquery

from .models import CpvCode

EXAMPLE = "45000000-7"
CODE = re.compile(r"\d{8}-\d")
# Eight digits (seven where a number column lost the leading zero), then, optionally, the check
# digit after a hyphen (or a dash a word processor made of it) or a space.
WRITTEN = re.compile(r"(\d{7,8})(?:\s*[-\u2010-\u2015\u2212]\s*(\d)|\s+(\d))?")
NO_LIST = (
    "No CPV codes are loaded: an administrator must load the CPV 2008 list first "
    "(Reference data, Load the CPV 2008 list)"
)


def read(raw: str) -> tuple[str, str | None]:
    """The eight digits and the check digit (``None`` where none is written) of a code as
    written, or a ``ValidationError`` saying how to write one."""
    written = " ".join(str(raw or "").split())
    found = WRITTEN.fullmatch(written)
    if found is None:
        raise ValidationError(
            f"'{written}' is not a CPV code: enter 8 digits, a hyphen and the check digit, "
            f"like {EXAMPLE}",
            code="cpv_format",
        )
    digits, check = found.group(1).zfill(8), found.group(2) or found.group(3)
    return digits, check


def codes_loaded() -> dict[str, str]:
    """Every code in the list, by its eight digits (one query): for checking many at once."""
    return {code[:8]: code for code in CpvCode.objects.values_list("code", flat=True)}


class CodesOnFirstUse(Mapping):
    """``codes_loaded``, read when first asked: a form checking many rows queries once, and
    not at all for a file with no codes."""

    @cached_property
    def _codes(self) -> dict[str, str]:
        return codes_loaded()

    def __getitem__(self, digits: str) -> str:
        return self._codes[digits]

    def __iter__(self) -> Iterator[str]:
        return iter(self._codes)

    def __len__(self) -> int:
        return len(self._codes)


def _listed(digits: str) -> str | None:
    return (
        CpvCode.objects.filter(code__startswith=f"{digits}-").values_list("code", flat=True).first()
    )


def clean(raw: str, *, codes: Mapping[str, str] | None = None) -> str:
    """The code as stored ("45000000-7"), or "" for none, from a code as written; a
    ``ValidationError`` with the reason if it is not a code of the list. ``codes`` is the list
    by digits (``codes_loaded``) where many are checked; without it, the database is asked."""
    if not str(raw or "").strip():
        return ""
    digits, check = read(raw)
    listed = codes.get(digits) if codes is not None else _listed(digits)
    if listed is None:
        loaded = bool(codes) if codes is not None else CpvCode.objects.exists()
        if not loaded:
            raise ValidationError(NO_LIST, code="cpv_no_list")
        written = f"{digits}-{check}" if check is not None else digits
        raise ValidationError(f"{written} is not in the CPV 2008 list", code="cpv_unknown")
    if check is not None and listed[-1] != check:
        raise ValidationError(
            f"The check digit of {digits} is {listed[-1]}, not {check}", code="cpv_check_digit"
        )
    return listed


def validate_cpv_code(value: str) -> None:
    """A stored code (a model field's validator): written as the list writes it, and in it."""
    if value and not CODE.fullmatch(value):
        stored = clean(value)
        raise ValidationError(f"Write the CPV code as {stored}", code="cpv_format")
    clean(value)


def describe(code: str) -> str:
    """A code with its description ("45000000-7 Construction work"), for pages that show one."""
    if not code:
        return ""
    description = CpvCode.objects.filter(code=code).values_list("description", flat=True).first()
    return f"{code} {description}" if description else f"{code} (not in the CPV 2008 list)"


def with_description(queryset: QuerySet, field: str = "cpv_code") -> QuerySet:
    """``queryset`` with ``cpv_description``: the description of each row's code, in the same
    query (blank where it has none)."""
    return queryset.annotate(
        cpv_description=Subquery(
            CpvCode.objects.filter(code=OuterRef(field)).values("description")[:1]
        )
    )


def search_query(text: str) -> Q:
    """Codes matching a search: by their digits (the start of a code, a hyphen optional), or by
    every word of their description."""
    text = " ".join(text.split())
    bare = text.replace(" ", "").replace("-", "")
    if bare.isascii() and bare.isdigit():
        digits = bare[:8]
        query = Q(code__startswith=digits)
        if len(bare) == 9:
            query = Q(code=f"{digits}-{bare[8]}")
        return query
    query = Q()
    for word in text.split():
        query &= Q(description__icontains=word)
    return query
