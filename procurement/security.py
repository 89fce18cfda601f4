"""A Content Security Policy on every response: scripts, styles, fonts and images only from the
service itself, no inline script, no framing, no plugins. A response that sets its own (a
download) keeps it."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

HEADER = "Content-Security-Policy"


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if HEADER not in response:
            response[HEADER] = settings.CONTENT_SECURITY_POLICY
        return response
