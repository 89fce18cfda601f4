"""An uploaded import file kept between its preview and its import.

The file is stored under the uploader's id with a random token, and the session remembers it, so
one person's pending import can never be previewed or run by another.
"""

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.files.storage import default_storage
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat

from .tabular import ImportFileError, ImportRefused

IMPORT_SUFFIXES = {".csv", ".xlsx"}


def upload_stash(request: HttpRequest, *, key: str, upload) -> str:
    """Keep ``upload`` for the preview under session ``key``; the token names it in the URL."""
    suffix = Path(upload.name).suffix.lower()
    token = secrets.token_urlsafe(16)
    stored = default_storage.save(f"imports/{request.user.pk}/{token}{suffix}", upload)
    request.session[key] = {"token": token, "path": stored, "name": Path(upload.name).name}
    return token


def upload_pending(request: HttpRequest, *, key: str, token: str) -> dict:
    """The stashed upload ``token`` names, or 404 once it has been imported or has gone."""
    pending = request.session.get(key)
    if not pending or pending["token"] != token or not default_storage.exists(pending["path"]):
        raise Http404("This import has finished or expired: upload the file again")
    return pending


def upload_discard(request: HttpRequest, *, key: str, pending: dict) -> None:
    default_storage.delete(pending["path"])
    request.session.pop(key, None)


@dataclass
class ImportStep:
    """One visit to an import's preview: what the check (GET) or the import (POST) found."""

    pending: dict
    result: Any = None
    file_error: str | None = None
    imported: bool = False

    @property
    def context(self) -> dict:
        return {"pending": self.pending, "result": self.result, "file_error": self.file_error}


def import_step(
    request: HttpRequest,
    *,
    key: str,
    token: str,
    check: Callable[..., Any],
    run: Callable[..., Any],
) -> ImportStep:
    """Check the stashed file (GET) or import it (POST), all or nothing.

    ``check(stream=, filename=)`` and ``run(stream=, filename=)`` are the import's services; a
    successful import discards the stashed file.
    """
    step = ImportStep(pending=upload_pending(request, key=key, token=token))
    name = step.pending["name"]
    try:
        with default_storage.open(step.pending["path"], "rb") as stream:
            action = run if request.method == "POST" else check
            step.result = action(stream=stream, filename=name)
    except ImportFileError as error:
        step.file_error = str(error)
    except ImportRefused as refused:
        step.result = refused.result
    if request.method == "POST" and step.result is not None and step.result.ok:
        upload_discard(request, key=key, pending=step.pending)
        step.imported = True
    return step


def import_upload_page(
    request: HttpRequest, *, key: str, form, template: str, preview: str, columns
) -> HttpResponse:
    """The first page of an import: take a CSV or XLSX file and go to its preview."""
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if Path(upload.name).suffix.lower() not in IMPORT_SUFFIXES:
            form.add_error("file", "The file must be a CSV or XLSX file")
        elif upload.size > settings.IMPORT_MAX_BYTES:
            limit = filesizeformat(settings.IMPORT_MAX_BYTES)
            form.add_error("file", f"The file must be smaller than {limit}")
        else:
            return redirect(preview, token=upload_stash(request, key=key, upload=upload))
    return render(request, template, {"form": form, "columns": columns})


def import_preview_page(
    request: HttpRequest,
    *,
    key: str,
    token: str,
    check: Callable[..., Any],
    run: Callable[..., Any],
    counts: Callable[[Any], list[tuple[str, int]]],
    noun: str,
    done: Callable[[Any], str],
    done_url: str,
    upload_url: str,
) -> HttpResponse:
    """The preview of a stashed import (what it would do and every problem), and the import
    itself when confirmed; ``counts`` names the figures to show, ``noun`` what a row is."""
    step = import_step(request, key=key, token=token, check=check, run=run)
    if step.imported:
        messages.success(request, f"Imported {step.pending['name']}: {done(step.result)}")
        return redirect(done_url)
    rows = step.result.rows if step.result else 0
    return render(
        request,
        "govuk/import_preview.html",
        {
            **step.context,
            "counts": counts(step.result) if step.result else [],
            "button": f"Import {rows} {noun}{'' if rows == 1 else 's'}",
            "upload_url": upload_url,
        },
    )
