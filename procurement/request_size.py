"""Refuse a request body too large to take, before anything reads it (docs/decisions/0032).

Django reads a form's files into temporary files as soon as anything touches ``request.POST``
(the CSRF check does, for every form), and only then can a form say the file is too big. This
middleware, placed before any that reads the body, answers 413 from the declared length alone.

A body without a ``Content-Length`` (sent chunked) is not read at all: under WSGI, which the
service is served by (gunicorn), Django reads at most ``Content-Length`` bytes of a body, and
none without it, so such a request reaches the view with no fields and no files.
"""

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from .workbooks import readable_size


def declared_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0  # Django refuses an unreadable length itself, when the body is read


class RequestSizeLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if declared_length(request) > settings.MAX_REQUEST_BYTES:
            return too_big(request)
        return self.get_response(request)


def too_big(request: HttpRequest) -> HttpResponse:
    limit = readable_size(settings.MAX_REQUEST_BYTES)
    if request.path.startswith("/api/"):
        detail = f"The request is larger than {limit}, the most this service accepts."
        return JsonResponse({"detail": detail}, status=413)
    # Refused before the session is read: the page is the one a visitor signed out sees.
    request.user = AnonymousUser()
    context = {"limit": limit, "import_limit": readable_size(settings.IMPORT_MAX_BYTES)}
    return render(request, "request_too_big.html", context, status=413)
