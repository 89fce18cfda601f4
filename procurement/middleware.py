"""The ``X-Cache`` header: whether a response's cached pieces came from the cache."""

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.http import HttpRequest, HttpResponse

from .caching import tally, tally_start


class CacheHeaderMiddleware:
    """``X-Cache: hit`` when every cached piece of a page the response used was read from the
    cache, ``miss`` when any was built, ``none`` when it used none (the page was built whole: a
    person's roles and navigation, kept too, are not counted). Only with ``PAGE_CACHE_HEADER``
    on (the load test counts them); otherwise it is not in the chain at all."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        if not settings.PAGE_CACHE_HEADER:
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        tally_start()
        response = self.get_response(request)
        hits, misses = tally()
        response["X-Cache"] = "miss" if misses else "hit" if hits else "none"
        return response
