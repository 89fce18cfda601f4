"""The pages of an import, whatever the file holds: upload, the run (progress, the preview with
its mapping step, the result), its progress as JSON and its problems as CSV.

A run belongs to the person who uploaded it: anyone else, whatever their role, is told it is not
found. Each import's views say only which import they are (procurement/imports.py).
"""

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.utils.text import slugify

from .downloads import csv_response
from .imports import (
    NEW_VALUE,
    PROBLEMS_KEPT,
    ImportKind,
    ImportRunError,
    import_run_confirm,
    import_run_remap,
    import_run_retry,
    import_run_start,
    layout_of,
    progress_of,
)
from .models import ImportRun
from .numbers import counted
from .tabular import NOT_USED, heading_keys, normalise_heading
from .workbooks import xlsx_refusal

IMPORT_SUFFIXES = {".csv", ".xlsx"}
# Problems shown on the page; the CSV download has every one the run keeps (PROBLEMS_KEPT).
PROBLEMS_SHOWN = 500


def import_upload_page(
    request: HttpRequest,
    *,
    kind: ImportKind,
    form,
    template: str,
    run_url: str,
    options: Callable[[Any], dict] | None = None,
    context: dict | None = None,
) -> HttpResponse:
    """The first page of an import: take a CSV or XLSX file and go to its run. ``options``
    gives, from the valid form, what else the run is to know (procurement/imports.py); it is
    asked only once the file is taken."""
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        suffix = Path(upload.name).suffix.lower()
        if suffix not in IMPORT_SUFFIXES:
            form.add_error("file", "The file must be a CSV or XLSX file")
        elif upload.size > settings.IMPORT_MAX_BYTES:
            limit = filesizeformat(settings.IMPORT_MAX_BYTES)
            form.add_error("file", f"The file must be smaller than {limit}")
        elif suffix == ".xlsx" and (refusal := xlsx_refusal(upload)):
            form.add_error("file", refusal)
        else:
            chosen = options(form) if options else None
            run = import_run_start(kind=kind, upload=upload, by=request.user, options=chosen)
            return redirect(run_url, token=run.token)
    return render(request, template, {"form": form, "columns": kind.columns, **(context or {})})


def _run_of(request: HttpRequest, kind: ImportKind, token: str) -> ImportRun:
    run = ImportRun.objects.filter(token=token, kind=kind.key, user=request.user).first()
    if run is None:
        raise Http404("This import is not yours, or has gone: upload the file again")
    return run


def value_field(attribute: str, raw: str) -> str:
    """The name of the field that says what a value written in the file is."""
    return f"value-{attribute}-{hashlib.sha256(normalise_heading(raw).encode()).hexdigest()[:12]}"


class MappingForm:
    """The mapping step: what each column of the file holds, and what its unknown values name.

    Built from the run's layout; the fields are named by the column's place (``column-3``) and by
    a digest of the value (``value_field``), so any heading or value, however written, is safe in
    a form, and a choice cannot land on another value if the run is checked again meanwhile.
    """

    def __init__(self, kind: ImportKind, run: ImportRun, data=None, *, user=None) -> None:
        self.kind = kind
        self.run = run
        self.data = data
        self.layout = layout_of(run)
        self.errors: list[tuple[str, str]] = []  # (field id, message)
        self.save_as_error = ""
        chosen = (run.mapping or {}).get("values") or {}
        self.rows = []
        if self.layout:
            keys = heading_keys(self.layout.headings)
            for position, heading in enumerate(self.layout.headings):
                if not heading and not self.layout.samples.get(position):
                    continue
                self.rows.append(
                    {
                        "position": position,
                        "key": keys[position],
                        "name": f"column-{position}",
                        "heading": heading or f"Column {position + 1} (no heading)",
                        "samples": self.layout.samples.get(position, []),
                        "value": self._value(
                            f"column-{position}", self.layout.positions.get(position, NOT_USED)
                        ),
                    }
                )
        self.options = [(NOT_USED, "Not imported")] + [
            (column.attribute, column.name + (" (required)" if column.required else ""))
            for column in kind.columns
        ]
        self.value_groups = []
        unknown = run.result.get("unknown_values") or {}
        for attribute, choices in kind.value_choices.items():
            written = list(unknown.get(attribute, {}).items())
            if not written:
                continue
            options = [("", "Choose"), *choices()]
            permission, _ = kind.value_create.get(attribute, (None, None))
            if permission and user is not None and user.has_perm(permission):
                label = kind.column(attribute).name.lower()
                options.append((NEW_VALUE, f"Add it as a new {label}"))
            self.value_groups.append(
                {
                    "attribute": attribute,
                    "label": kind.column(attribute).name,
                    "options": options,
                    "values": [
                        {
                            # Named by the value itself, so a choice cannot land on another
                            # value if the run is checked again between showing and posting.
                            "name": value_field(attribute, raw),
                            "raw": raw,
                            "rows": count,
                            "value": self._value(
                                value_field(attribute, raw),
                                chosen.get(attribute, {}).get(normalise_heading(raw), ""),
                            ),
                        }
                        for raw, count in written
                    ],
                }
            )

    @property
    def save_as_default(self) -> str:
        """The name offered to save the mapping under: the one it was read by, else the one
        the run's options name (a payment file's finance system)."""
        return self.run.mapping_name or self.kind.mapping_name_for(self.run.options)

    def _value(self, name: str, initial: str) -> str:
        return self.data.get(name, initial) if self.data is not None else initial

    @property
    def needed(self) -> bool:
        """Whether the officer must map something before the file can go in."""
        return bool(self.layout and (self.layout.missing or self.value_groups))

    def is_valid(self) -> bool:
        known = {column.attribute for column in self.kind.columns}
        taken: dict[str, str] = {}
        for row in self.rows:
            attribute = row["value"]
            if attribute and attribute not in known:
                self.errors.append((row["name"], f"Choose what {row['heading']} holds"))
            elif attribute in taken:
                name = self.kind.column(attribute).name
                self.errors.append(
                    (row["name"], f"{name} is in {taken[attribute]} already: choose one column")
                )
            elif attribute:
                taken[attribute] = row["heading"]
        for column in self.kind.columns:
            if column.required and column.attribute not in taken and self.rows:
                self.errors.append(("columns", f"Say which column holds the {column.name.lower()}"))
        for group in self.value_groups:
            allowed = {value for value, _ in group["options"]}
            for value in group["values"]:
                if value["value"] not in allowed:
                    self.errors.append((value["name"], f"Choose what '{value['raw']}' is"))
        save_as = self.data.get("save_as", "").strip()
        if len(save_as) > 100:
            self.errors.append(("save_as", "Name the mapping in 100 characters or fewer"))
        messages = dict(reversed(self.errors))
        self.save_as_error = messages.get("save_as", "")
        for field in [*self.rows, *(v for group in self.value_groups for v in group["values"])]:
            field["error"] = messages.get(field["name"], "")
        return not self.errors

    def mapping(self) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
        columns = {row["key"]: row["value"] for row in self.rows}
        values = dict((self.run.mapping or {}).get("values") or {})
        for group in self.value_groups:
            chosen = dict(values.get(group["attribute"], {}))
            for value in group["values"]:
                if value["value"]:
                    chosen[normalise_heading(value["raw"])] = value["value"]
            values[group["attribute"]] = chosen
        return columns, values


def import_run_page(
    request: HttpRequest,
    *,
    kind: ImportKind,
    token: str,
    upload_url: str,
    done_url: str,
    progress_url: str,
    problems_url: str,
) -> HttpResponse:
    """A run: its progress while it runs; then what the check found, the mapping step and the
    button to import; then what the import did. Each POST redirects back here."""
    run = _run_of(request, kind, token)
    form = MappingForm(
        kind, run, request.POST if request.method == "POST" else None, user=request.user
    )
    action = request.POST.get("action") if request.method == "POST" else None
    try:
        if action == "import":
            import_run_confirm(run=run)
            return redirect(request.path)
        if action == "retry":
            import_run_retry(run=run)
            return redirect(request.path)
        if action == "map" and form.is_valid():
            columns, values = form.mapping()
            save_as = request.POST.get("save_as", "")
            import_run_remap(run=run, columns=columns, values=values, save_as=save_as)
            return redirect(request.path)
    except ImportRunError as error:
        messages.error(request, str(error))
        return redirect(request.path)
    if run.state == ImportRun.State.IMPORTED and request.method == "GET":
        result = run.result
        messages.success(request, f"Imported {run.filename}: {result.get('done', '')}")
    problems = run.result.get("problems", [])
    rows = run.result.get("rows", 0)
    ready = run.result.get("ready", 0)
    return render(
        request,
        "govuk/import_run.html",
        {
            "run": run,
            "kind": kind,
            "form": form,
            "result": run.result,
            "progress": progress_of(run),
            "problems": problems[:PROBLEMS_SHOWN],
            "problems_hidden": run.result.get("problem_count", 0)
            - min(len(problems), PROBLEMS_SHOWN),
            "notes": run.result.get("notes", [])[:PROBLEMS_SHOWN],
            "button": f"Import {counted(ready, kind.noun)}",
            "rows": rows,
            "upload_url": upload_url,
            "done_url": done_url,
            "progress_url": progress_url,
            "problems_url": problems_url,
            "kept": PROBLEMS_KEPT,
        },
        status=400 if form.errors else 200,
    )


def import_progress(request: HttpRequest, *, kind: ImportKind, token: str) -> JsonResponse:
    return JsonResponse(progress_of(_run_of(request, kind, token)))


def import_problems_csv(request: HttpRequest, *, kind: ImportKind, token: str) -> HttpResponse:
    """Every problem the check kept, to work through in a spreadsheet."""
    run = _run_of(request, kind, token)
    rows = [[row or "", column, message] for row, column, message in run.result.get("problems", [])]
    name = f"problems-{slugify(Path(run.filename).stem)[:60] or 'import'}.csv"
    return csv_response(["Row", "Column", "Problem"], rows, name)
