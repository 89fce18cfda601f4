"""Open data, published with no sign-in: OCDS release and record packages."""

from django.conf import settings
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.http import Http404, HttpRequest, JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from procurement.access import public

from .ocds import process_references, record_package, release_package

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
def record(request: HttpRequest, ocid: str) -> JsonResponse:
    """The record package of one process."""
    prefix = f"{settings.OCDS_PREFIX}-"
    if not ocid.startswith(prefix):
        raise Http404("No contracting process has that ocid")
    package = record_package(
        reference=ocid.removeprefix(prefix),
        uri=request.build_absolute_uri(),
        releases_uri=request.build_absolute_uri(reverse("opendata:releases")),
    )
    if package is None:
        raise Http404("No contracting process has that ocid")
    return _json(package)
