"""Checks on an XLSX workbook before it is opened."""

from typing import IO


def xlsx_refusal(stream: IO[bytes]) -> str | None:
    """Why the workbook is refused before it is opened, or ``None``."""
    return None
