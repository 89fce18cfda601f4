"""Open data: OCDS release and record packages, published with no sign-in; and the list of what
the Procurement Act 2023 asks the council to notify, for the central team."""

from django.conf import settings
from django.contrib import messages
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from contracts.exports import csv_response
from procurement.access import public, requires
from procurement.pages import form_page

from .forms import NoticeForm
from .models import Notice
from .ocds import (
    ocid_for,
    process_exists,
    process_references,
    record_package,
    reference_for,
    release_package,
)
from .selectors import item_for, notifiable
from .services import NoticeError, notice_record

RELEASES_A_PAGE = 100


def _json(data: dict) -> JsonResponse:
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 1})


@public
@require_GET
def releases(request: HttpRequest) -> JsonResponse:
    """A release package of every published process, a page at a time, with ``links``."""
    paginator = Paginator(process_references(), RELEASES_A_PAGE)
    try:
        page = paginator.page(request.GET.get("page", 1))
    except (EmptyPage, PageNotAnInteger):
        return JsonResponse(
            {"detail": f"There is no such page: choose from 1 to {paginator.num_pages}."},
            status=404,
        )
    base = request.build_absolute_uri(reverse("opendata:releases"))
    links = {}
    if page.has_next():
        links["next"] = f"{base}?page={page.next_page_number()}"
    if page.has_previous():
        links["prev"] = f"{base}?page={page.previous_page_number()}"
    return _json(
        release_package(
            references=list(page.object_list),
            uri=f"{base}?page={page.number}",
            links=links,
        )
    )


@public
@require_GET
def record(request: HttpRequest, ocid: str) -> HttpResponse:
    """The record package of one process. An ocid published before references were written with
    URL-safe characters (with a space, say) is sent on to the one its process has now."""
    reference = reference_for(ocid)
    package = None
    if reference is not None:
        package = record_package(
            reference=reference,
            uri=request.build_absolute_uri(),
            releases_uri=request.build_absolute_uri(reverse("opendata:releases")),
        )
    if package is not None:
        return _json(package)
    prefix = f"{settings.OCDS_PREFIX}-"
    former = ocid.removeprefix(prefix)
    if (
        ocid.startswith(prefix)
        and former.isprintable()  # no reference holds a control character, and a NUL is refused
        and ocid_for(former) != ocid
        and process_exists(former)
    ):
        return redirect("opendata:record", ocid=ocid_for(former), permanent=True)
    raise Http404("No contracting process has that ocid")


# --- Procurement Act 2023 notices (signed in) -------------------------------------------------


@requires("opendata.view_notices")
@require_GET
def procurement_act(request: HttpRequest) -> HttpResponse:
    items = notifiable(today=timezone.localdate())
    sections = [
        (kind, [item for item in items if item.kind == kind]) for kind in Notice.Kind.values
    ]
    return render(
        request,
        "opendata/procurement_act.html",
        {
            "sections": [(Notice.Kind(kind).label, rows) for kind, rows in sections],
            "may_record": request.user.has_perm("opendata.record_notices"),
            "waiting": sum(1 for item in items if item.notice is None),
        },
    )


CSV_HEADINGS = [
    "Notice",
    "Reference",
    "Title",
    "What to notify",
    "Due or effective on",
    "Value (£)",
    "Find a Tender notice",
    "Published on",
    "Late",
]


@requires("opendata.view_notices")
@require_GET
def procurement_act_csv(request: HttpRequest):
    today = timezone.localdate()
    rows = (
        [
            item.kind_label,
            item.reference,
            item.title,
            item.detail + (f" ({item.warning})" if item.warning else ""),
            item.due_on.isoformat() if item.due_on else "",
            item.value,
            item.notice.notice_id if item.notice else "",
            item.notice.published_on.isoformat() if item.notice else "",
            "Yes" if item.late else "",
        ]
        for item in notifiable(today=today)
    )
    return csv_response(CSV_HEADINGS, rows, f"procurement-act-notices-{today:%Y-%m-%d}.csv")


@requires("opendata.record_notices")
@require_http_methods(["GET", "POST"])
def notice_form(request: HttpRequest, key: str) -> HttpResponse:
    item = item_for(key, today=timezone.localdate())
    if item is None:
        raise Http404("Nothing to notify has that name")
    if item.notice is not None:
        messages.info(request, f"{item.notice} is already recorded for {item.reference}.")
        return redirect("opendata:procurement_act")
    form = NoticeForm(request.POST or None)
    return form_page(
        request,
        form,
        action=lambda data: notice_record(item=item, by=request.user, **data),
        refusals=(NoticeError,),
        done=f"The notice is recorded against {item.reference}.",
        next_url=reverse("opendata:procurement_act"),
        template="opendata/notice_form.html",
        context={"item": item},
    )
