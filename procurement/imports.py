"""The run of an import, whatever the file holds: the shared machinery.

An import (contracts, measure libraries, later payments) registers an :class:`ImportKind`: what its
columns mean, its check and its import, and how to describe what they found. The machinery does
the rest, the same for each: the upload is stored and an :class:`~procurement.models.ImportRun`
made; the check runs in the background (a Celery task; in-process without a broker), with its
progress in the cache; what it found (counts, every problem, the columns and their first values,
values that no mapping names) is kept on the run, so the preview is read, not worked out again;
the officer maps columns and values there, and may save the mapping by name; confirming imports
in the background too, all rows or none.
"""

import logging
import secrets
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from . import background
from .background import BackgroundUnavailable
from .caching import UNREACHABLE
from .history import save_with_history
from .models import ImportMapping, ImportRun, User
from .selectors import import_mapping_fitting, import_mapping_named
from .services import DomainError, require
from .tabular import (
    Column,
    ImportFileError,
    ImportRefused,
    ImportResult,
    Layout,
    Problem,
    normalise_heading,
    read_table,
)

logger = logging.getLogger(__name__)
# The most problems kept on a run to show; the count is always whole.
PROBLEMS_KEPT = 5000
PROGRESS_TTL = 60 * 60 * 6
# A run left this long (never confirmed, or its worker lost) is cleared with its file.
RUNS_KEPT_FOR = timedelta(days=7)
# A step this long without finishing is said to be taking longer than it should.
STALLED_AFTER = timedelta(minutes=15)


@dataclass(frozen=True)
class ImportKind:
    """What one kind of import is: its columns, services and words."""

    key: str  # "contracts"
    noun: str  # what one row is: "contract"
    columns: Sequence[Column]
    permission: str | None  # the permission to import; None: no one but the command line
    # check(stream=, filename=, by=, mapping=, progress=) and
    # run(stream=, filename=, by=, mapping=, progress=, reason=): the import's services
    check: Callable[..., ImportResult]
    run: Callable[..., ImportResult]
    counts: Callable[[ImportResult], list[tuple[str, int]]]  # figures to show, labelled
    done: Callable[[ImportResult], str]  # one line on what an import did
    # attribute: the choices its values may be mapped to, for a column whose values name
    # something of the council's (a directorate, a procurement route)
    value_choices: dict[str, Callable[[], list[tuple[str, str]]]] = field(default_factory=dict)
    # attribute: (the permission, and the service that adds a value written in the file as a
    # new one of the council's, returning what it is now), e.g. a directorate an administrator
    # adds from the mapping step
    value_create: dict[str, tuple[str, Callable[..., str]]] = field(default_factory=dict)
    # For an import whose upload asks more than the file (the finance system payments come
    # from): the name of the saved mapping to read a run with those options by, used before any
    # mapping that merely fits the headings, and offered as the name to save the mapping under.
    mapping_for: Callable[[dict], str] | None = None

    def mapping_name_for(self, options: dict | None) -> str:
        return self.mapping_for(options or {}) if self.mapping_for else ""

    def column(self, attribute: str) -> Column:
        return next(column for column in self.columns if column.attribute == attribute)


KINDS: dict[str, ImportKind] = {}


def register(kind: ImportKind) -> ImportKind:
    KINDS[kind.key] = kind
    return kind


def check_and_import(run: Callable[..., Any], *, permission: str):
    """A kind's check and its import, from its one ``run(stream, filename, *, by, write, reason,
    mapping, progress, ...)``. Both refuse a person without ``permission`` (``by`` is ``None``
    only at the command line, where whoever runs it administers the service). The check writes
    nothing; the import writes every row or, if any row has a problem, nothing at all."""

    def check(*, stream, filename, by, mapping=None, progress=None, **extra):
        if by is not None:
            require(by, permission)
        return run(
            stream,
            filename,
            by=by,
            write=False,
            reason="",
            mapping=mapping,
            progress=progress,
            **extra,
        )

    def import_(*, stream, filename, by, reason, mapping=None, progress=None, **extra):
        if by is not None:
            require(by, permission)
        with transaction.atomic():
            result = run(
                stream,
                filename,
                by=by,
                write=True,
                reason=reason,
                mapping=mapping,
                progress=progress,
                **extra,
            )
            if not result.ok:
                # Leaving the block with an exception rolls back every row already written.
                raise ImportRefused(result)
        return result

    return check, import_


def kind_of(key: str) -> ImportKind:
    return KINDS[key]


def may_import(user: User | None, kind: ImportKind) -> bool:
    return user is None or (kind.permission is not None and user.has_perm(kind.permission))


# --- Mappings ---------------------------------------------------------------------------------


def mapping_save(
    *, kind: ImportKind, name: str, columns: dict, values: dict, by: User | None
) -> ImportMapping:
    mapping = import_mapping_named(kind=kind.key, name=name)
    if mapping is None:
        mapping = ImportMapping(kind=kind.key, name=name.strip())
    elif by is not None and not by.has_perm("procurement.change_import_mapping"):
        # It reads every later file that fits it, whoever imports them.
        raise ImportRunError(
            f"A mapping called {mapping.name} is saved already, and only the central procurement "
            "team may change it: save yours under another name"
        )
    mapping.columns, mapping.values = columns, values
    return save_with_history(mapping, by=by, reason=f"Mapping saved as {mapping.name}")


@dataclass
class ValueMap:
    """The values of a run's mapping: for an attribute, what a value as written names."""

    values: dict[str, dict[str, str]] = field(default_factory=dict)

    def get(self, attribute: str, raw: str) -> str | None:
        return self.values.get(attribute, {}).get(normalise_heading(raw))


# --- Results kept on a run ---------------------------------------------------------------------


def result_as_stored(kind: ImportKind, result: ImportResult) -> dict[str, Any]:
    problems = result.problems
    return {
        "rows": result.rows,
        "ready": result.ready,
        "ok": result.ok,
        "counts": kind.counts(result),
        "done": kind.done(result) if result.ok else "",
        "problem_count": len(problems),
        "problems": [[p.row, p.column, p.message] for p in problems[:PROBLEMS_KEPT]],
        "notes": [[p.row, p.column, p.message] for p in result.notes[:PROBLEMS_KEPT]],
        "note_count": len(result.notes),
        "layout": asdict(result.layout) if result.layout else None,
        "unknown_values": result.unknown_values,
    }


def layout_of(run: ImportRun) -> Layout | None:
    stored = run.result.get("layout")
    if not stored:
        return None
    return Layout(
        heading_row=stored["heading_row"],
        headings=stored["headings"],
        positions={int(k): v for k, v in stored["positions"].items()},
        samples={int(k): v for k, v in stored["samples"].items()},
        missing=stored["missing"],
        estimated_rows=stored["estimated_rows"],
    )


# --- Progress ----------------------------------------------------------------------------------


def _progress_key(run_pk: int) -> str:
    return f"import-run:{run_pk}:progress"


def _claim_key(run_pk: int) -> str:
    return f"import-run:{run_pk}:claim"


def progress_note(run_pk: int, done: int, total: int) -> None:
    """Kept in the cache: an import writes in one transaction, so the run's row would show
    nothing until the end. Each note says when, so a step still moving is not stalled. With
    the cache out of reach the note is lost and the step goes on."""
    try:
        cache.set(
            _progress_key(run_pk),
            {"done": done, "total": total, "at": timezone.now().timestamp()},
            PROGRESS_TTL,
        )
        cache.touch(_claim_key(run_pk), STALLED_AFTER.total_seconds())
    except UNREACHABLE:
        logger.warning("The cache is out of reach: import run %s's progress is not noted", run_pk)


def _moment(timestamp: float | None):
    return datetime.fromtimestamp(timestamp or 0, tz=UTC)


def progress_of(run: ImportRun) -> dict[str, Any]:
    try:
        seen = cache.get(_progress_key(run.pk)) or {"done": 0, "total": 0}
    except UNREACHABLE:
        seen = {"done": 0, "total": 0}
    total = max(seen["total"], seen["done"], 1)
    doing = "Importing" if run.state == ImportRun.State.IMPORTING else "Checking"
    return {
        "label": f"{doing}: {seen['done']:,} of about {total:,} rows read",
        "state": run.state,
        "state_label": run.get_state_display(),
        "finished": not run.is_running,
        "rows_done": seen["done"],
        "rows_total": seen["total"],
        "progress": min(100, seen["done"] * 100 // total) if run.is_running else 100,
        "stage": "",
        "stalled": run.is_running
        and timezone.now() - max(run.updated_at, _moment(seen.get("at"))) > STALLED_AFTER,
    }


def import_runs_clear(*, now=None) -> int:
    """Delete the runs left for a week and their stored files (the files are the council's data,
    held only until imported); returns how many."""
    old = ImportRun.objects.filter(updated_at__lt=(now or timezone.now()) - RUNS_KEPT_FOR)
    cleared = 0
    for run in old.iterator():
        if run.path and default_storage.exists(run.path):
            default_storage.delete(run.path)
        run.delete()
        cleared += 1
    return cleared


# --- The run -----------------------------------------------------------------------------------


def _enqueue(run: ImportRun) -> None:
    progress_note(run.pk, 0, 0)
    transaction.on_commit(lambda: _queue(run.pk))


def _queue(run_pk: int) -> None:
    """Hand the run's step to a worker; if that cannot be done, end the run with why (its
    page then says so)."""
    from .tasks import import_run_task

    try:
        background.enqueue(import_run_task, run_pk)
    except BackgroundUnavailable:
        ImportRun.objects.filter(pk=run_pk).update(
            state=ImportRun.State.REFUSED,
            file_error="The file could not be handed to the service's background work: nothing "
            "was imported. Try again in a few minutes, and tell the administrator if it goes on",
        )


def import_run_retry(*, run: ImportRun) -> ImportRun:
    """Queue a step again that has stopped moving (its worker lost): the run is claimed by one
    step at a time, so a step still running is not doubled."""
    if not progress_of(run)["stalled"]:
        raise ImportRunError("This file is still being worked on")
    run.save(update_fields=["updated_at"])
    _enqueue(run)
    return run


def import_run_start(
    *, kind: ImportKind, upload, by: User, options: dict | None = None
) -> ImportRun:
    """Store the upload and check it in the background; the run names it in the URL.
    ``options`` (what the upload asked besides the file) go to the import's check and run as
    keyword arguments."""
    if not may_import(by, kind):
        raise PermissionDenied
    suffix = Path(upload.name).suffix.lower()
    token = secrets.token_urlsafe(16)
    path = default_storage.save(f"imports/{by.pk}/{token}{suffix}", upload)
    run = ImportRun.objects.create(
        token=token,
        kind=kind.key,
        user=by,
        path=path,
        filename=Path(upload.name).name[:255],
        options=options or {},
    )
    _enqueue(run)
    return run


NEW_VALUE = "new"  # in a value mapping: add the value as a new one of the council's


@transaction.atomic
def import_run_remap(
    *, run: ImportRun, columns: dict[str, str], values: dict[str, dict[str, str]], save_as: str
) -> ImportRun:
    """Check the file again with the officer's mapping, saving it by name if asked. A value
    mapped to ``NEW_VALUE`` is added first, by those who may add one."""
    kind = kind_of(run.kind)
    if not may_import(run.user, kind):
        raise PermissionDenied
    run = ImportRun.objects.select_for_update().get(pk=run.pk)
    if run.is_running or run.state == ImportRun.State.IMPORTED:
        raise ImportRunError("This file is being checked or has been imported")
    unknown = run.result.get("unknown_values") or {}
    for attribute, chosen in values.items():
        for written, value in chosen.items():
            if value != NEW_VALUE:
                continue
            if attribute not in kind.value_create:
                raise ImportRunError(f"A new {attribute} cannot be added here")
            permission, create = kind.value_create[attribute]
            if not run.user.has_perm(permission):
                raise PermissionDenied
            raw = next(
                (raw for raw in unknown.get(attribute, {}) if normalise_heading(raw) == written),
                written,
            )
            chosen[written] = create(raw, by=run.user, reason=f"Added importing {run.filename}")
    run.mapping = {"columns": columns, "values": values}
    if save_as.strip():
        saved = mapping_save(kind=kind, name=save_as, columns=columns, values=values, by=run.user)
        run.mapping_name = saved.name
    run.state = ImportRun.State.CHECKING
    run.save()
    _enqueue(run)
    return run


@transaction.atomic
def import_run_confirm(*, run: ImportRun) -> ImportRun:
    """Import a checked file with no problem, in the background. The run is locked while its
    state is read, so a second press of the button cannot queue a second import."""
    run = ImportRun.objects.select_for_update().get(pk=run.pk)
    if run.state != ImportRun.State.CHECKED or not run.result.get("ok") or run.file_error:
        raise ImportRunError("Only a checked file with no problem can be imported")
    run.state = ImportRun.State.IMPORTING
    run.save(update_fields=["state", "updated_at"])
    _enqueue(run)
    return run


class ImportRunError(DomainError):
    """A step of a run that its state refuses, with a message for the officer."""


def mapping_to_use(
    kind: ImportKind, stream: IO[bytes], filename: str, name: str = "", options: dict | None = None
) -> tuple[dict, str]:
    """The mapping to read a file with, and its name: the one saved as ``name`` if given, else
    the one saved under the name the run's options give (the kind's ``mapping_for``), else the
    saved one that fits the file's headings, else none (the import's own names only)."""
    own = kind.mapping_name_for(options) if not name else ""
    if own and (saved := import_mapping_named(kind=kind.key, name=own)) is not None:
        return {"columns": saved.columns, "values": saved.values}, saved.name
    if name:
        saved = import_mapping_named(kind=kind.key, name=name)
        if saved is None:
            names = ", ".join(
                ImportMapping.objects.filter(kind=kind.key).values_list("name", flat=True)
            )
            raise ImportFileError(
                f"No mapping is saved as '{name}'"
                + (f": the saved mappings are {names}" if names else "")
            )
    else:
        layout, _ = read_table(stream, filename, kind.columns)
        stream.seek(0)
        saved = import_mapping_fitting(kind=kind.key, headings=layout.headings)
        if saved is None:
            # Nothing fits: the import's own names. Kept as a mapping, so that the import reads
            # the file as the check did, whatever is saved in between.
            return {"columns": {}, "values": {}}, ""
    return {"columns": saved.columns, "values": saved.values}, saved.name


def import_run_execute(run_pk: int) -> str:
    """The background step of a run: check it, or import it; returns the state it ends in."""
    run = ImportRun.objects.select_related("user").get(pk=run_pk)
    if not run.is_running:
        return run.state  # a repeated delivery of the task: done already
    # One step of a run at a time: a task delivered again while the first still runs leaves it.
    # The claim lapses when the step stops moving (its worker lost), so it can be tried again.
    claim = _claim_key(run_pk)
    if not cache.add(claim, True, STALLED_AFTER.total_seconds()):
        return run.state
    try:
        return _execute(run)
    finally:
        cache.delete(claim)


def _execute(run: ImportRun) -> str:
    kind = kind_of(run.kind)
    importing = run.state == ImportRun.State.IMPORTING

    def progress(done: int, total: int) -> None:
        progress_note(run.pk, done, total)

    result = None
    try:
        with default_storage.open(run.path, "rb") as stream:
            if not run.mapping:
                run.mapping, run.mapping_name = mapping_to_use(
                    kind, stream, run.filename, options=run.options
                )
            arguments = {
                "stream": stream,
                "filename": run.filename,
                "by": run.user,
                "mapping": run.mapping,
                "progress": progress,
                **(run.options or {}),
            }
            if importing:
                result = kind.run(**arguments, reason=f"Imported from {run.filename}")
            else:
                result = kind.check(**arguments)
    except ImportFileError as error:
        run.file_error = str(error)
    except ImportRefused as refused:
        result = refused.result
    except PermissionDenied:
        run.file_error = "You may no longer import this file"
    except Exception:
        # Nothing was written (the import is one transaction); the run must not wait for ever.
        run.state = ImportRun.State.REFUSED
        run.file_error = (
            "The check or the import stopped with an error the service did not expect: nothing "
            "was imported. Try again, and if it happens again tell the service's administrator"
        )
        run.save()
        raise
    if result is not None:
        run.result = result_as_stored(kind, result)
        run.file_error = ""
    else:
        run.result = {}  # nothing the file said before holds now
    if importing and result is not None and result.ok:
        run.state = ImportRun.State.IMPORTED
        default_storage.delete(run.path)
    elif importing:
        run.state = ImportRun.State.REFUSED
    else:
        run.state = ImportRun.State.CHECKED
    run.save()
    return run.state


def import_file(
    *,
    kind: ImportKind,
    stream: IO[bytes],
    filename: str,
    by: User | None,
    mapping_name: str = "",
    write: bool,
    reason: str = "",
    options: dict | None = None,
) -> ImportResult:
    """The import at the command line: check, or import, a file, in this process."""
    mapping, _ = mapping_to_use(kind, stream, filename, mapping_name, options)
    arguments = {"stream": stream, "filename": filename, "by": by, "mapping": mapping}
    arguments.update(options or {})
    if write:
        return kind.run(**arguments, reason=reason)
    return kind.check(**arguments)


def table_begin(
    stream: IO[bytes],
    filename: str,
    columns: Sequence[Column],
    mapping: dict | None,
    result: ImportResult,
) -> tuple[Iterator[tuple[int, list[Any]]] | None, ValueMap]:
    """Read the file's layout into ``result`` with the run's mapping; the rows to check, or
    ``None`` while a required column has none (the preview then asks which column it is)."""
    mapping = mapping or {}
    layout, rows = read_table(stream, filename, columns, mapping=mapping.get("columns"))
    result.layout = layout
    names = {column.attribute: column.name for column in columns}
    for attribute in layout.missing:
        result.problems.append(
            Problem(0, names[attribute], f"Say which column holds the {names[attribute].lower()}")
        )
    return (None if layout.missing else rows), ValueMap(mapping.get("values") or {})
