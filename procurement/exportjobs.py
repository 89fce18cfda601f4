"""Exports: who exported what, and the exports too large to write while the page waits.

An app registers each kind of export it offers (``ExportKind``): how to build its table for a
person from the page's query string. A small export streams at once and is only logged; a large
one (over ``ExportKind.stream_limit`` rows for its format) is written by a worker to private
storage, and its page ("Your export is being prepared") offers the file when it is ready, to the
person who asked alone. Files are deleted after ``KEPT_FOR`` by a daily task; the records stay,
as the log of who exported what.
"""

import logging
import secrets
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import Http404, QueryDict
from django.utils import timezone

from . import background
from .background import BackgroundUnavailable
from .downloads import write_csv, write_xlsx
from .models import ExportJob, User

logger = logging.getLogger(__name__)

KEPT_FOR = timedelta(days=1)
FORMATS = ("csv", "xlsx")


@dataclass(frozen=True)
class ExportTable:
    headings: list[str]
    rows: Iterable[list[Any]]
    title: str


@dataclass(frozen=True)
class ExportKind:
    """One export an app offers."""

    key: str  # "contracts.register"
    permission: str  # the permission to export
    # build(user, query) -> ExportTable: what ``user`` may see, as the query string asks
    build: Callable[[User, QueryDict], ExportTable]
    # count(user, query) -> int: the rows it would have
    count: Callable[[User, QueryDict], int]
    # Rows above which the export is prepared in the background, by format.
    stream_limit: dict[str, int] = field(default_factory=dict)


KINDS: dict[str, ExportKind] = {}


def register(kind: ExportKind) -> ExportKind:
    KINDS[kind.key] = kind
    return kind


def in_background(kind: ExportKind, fmt: str, *, rows: int) -> bool:
    limit = kind.stream_limit.get(fmt)
    return limit is not None and rows > limit


def _job(*, kind: ExportKind, fmt: str, query: str, filename: str, by: User, **more) -> ExportJob:
    return ExportJob.objects.create(
        token=secrets.token_urlsafe(16),
        kind=kind.key,
        format=fmt,
        query=query[: ExportJob.QUERY_LENGTH],
        user=by,
        filename=filename,
        **more,
    )


def export_logged(**export) -> None:
    """Note an export that streams at once (``kind``, ``fmt``, ``query``, ``filename``, ``by``),
    for the log of who exported what."""
    _job(**export, state=ExportJob.State.STREAMED, finished_at=timezone.now())


def export_job_start(**export) -> ExportJob:
    """Prepare the export (``kind``, ``fmt``, ``query``, ``filename``, ``by``) in the
    background; its token names its page."""
    job = _job(**export)
    transaction.on_commit(lambda: _queue(job.pk))
    return job


def _queue(job_pk: int) -> None:
    from .tasks import export_job_task

    try:
        background.enqueue(export_job_task, job_pk)
    except BackgroundUnavailable as error:
        ExportJob.objects.filter(pk=job_pk).update(
            state=ExportJob.State.FAILED, error=str(error), finished_at=timezone.now()
        )


def export_job_execute(job_pk: int) -> str:
    """Write the job's file to private storage; returns the state it ends in."""
    job = ExportJob.objects.select_related("user").get(pk=job_pk)
    if job.state != ExportJob.State.PREPARING:
        return job.state
    try:
        table = KINDS[job.kind].build(job.user, QueryDict(job.query))
        with tempfile.TemporaryFile(suffix=f".{job.format}") as output:
            if job.format == "xlsx":
                rows = write_xlsx(output, table.headings, table.rows, title=table.title)
            else:
                rows = write_csv(output, table.headings, table.rows)
            output.seek(0)
            path = default_storage.save(
                f"exports/{job.user_id}/{job.token}.{job.format}", File(output)
            )
    except Exception:
        logger.exception("Export %s failed", job.pk)
        job.state, job.error = ExportJob.State.FAILED, "The export could not be written"
    else:
        job.state, job.path, job.rows = ExportJob.State.READY, path, rows
    job.finished_at = timezone.now()
    job.save(update_fields=["state", "path", "rows", "error", "finished_at"])
    return job.state


def export_job_of(user: User, token: str) -> ExportJob:
    """The export ``token`` names, if ``user`` asked for it; anyone else is told it is not
    there."""
    job = ExportJob.objects.filter(token=token, user=user).exclude(state=ExportJob.State.STREAMED)
    found = job.first()
    if found is None:
        raise Http404
    return found


def export_jobs_clear(*, now=None) -> int:
    """Delete the files of exports older than ``KEPT_FOR`` (the records stay, as the log);
    returns how many files were deleted."""
    old = ExportJob.objects.filter(
        created_at__lt=(now or timezone.now()) - KEPT_FOR,
        state__in=[ExportJob.State.READY, ExportJob.State.PREPARING, ExportJob.State.FAILED],
    )
    cleared = 0
    for job in old:
        if job.path and default_storage.exists(job.path):
            default_storage.delete(job.path)
            cleared += 1
        job.state, job.path = ExportJob.State.EXPIRED, ""
        job.save(update_fields=["state", "path"])
    return cleared
