"""Shapes that many pages share: a form page that runs a service, a button that runs one, an
object the user must hold a permission on, and a list in pages."""

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from .forms import show_error

# A check on an object: a permission's name, or a predicate called with the user and the object.
Check = str | Callable[[object, object], bool]


def object_for(
    request: HttpRequest, model: type[models.Model] | models.QuerySet, pk: int, *checks: Check
):
    """The ``model`` row ``pk`` (404 if there is none; ``model`` may be a queryset) on which the
    user passes every check: a permission they hold, or a predicate that holds (403 if not)."""
    found = get_object_or_404(model, pk=pk)
    for check in checks:
        allowed = (
            request.user.has_perm(check, found)
            if isinstance(check, str)
            else check(request.user, found)
        )
        if not allowed:
            raise PermissionDenied
    return found


def form_page(
    request: HttpRequest,
    form,
    *,
    action: Callable[[dict], object],
    refusals: tuple[type[Exception], ...],
    done: str | Callable[[object], str],
    next_url: str | Callable[[object], str],
    template: str,
    context: dict | Callable[[], dict],
    show_refusal: Callable[[object, Exception], None] = show_error,
) -> HttpResponse:
    """On a valid POST run ``action`` (a service call) and go to ``next_url`` (or, for a page
    that makes something, to ``next_url(what the action made)``), saying ``done`` (or
    ``done(what the action made)``); a refusal (one of ``refusals``, or a model's
    ValidationError) is shown on the form (by ``show_refusal`` where a refusal needs more than
    its message). Else show the page, with ``context`` (or, where it reads the record the form
    has just validated, ``context()``)."""
    if request.method == "POST" and form.is_valid():
        try:
            made = action(form.cleaned_data)
        except (*refusals, ValidationError) as error:
            show_refusal(form, error)
        else:
            messages.success(request, done(made) if callable(done) else done)
            return redirect(next_url(made) if callable(next_url) else next_url)
    return render(
        request, template, {"form": form, **(context() if callable(context) else context)}
    )


def button_post(
    request: HttpRequest,
    *,
    action: Callable[[], object],
    refusals: tuple[type[Exception], ...],
    done: str,
    next_url: str | Callable[[object], str],
    refused_url: str | None = None,
) -> HttpResponse:
    """A button's POST: run ``action`` (a service call) and go to ``next_url`` (or
    ``next_url(what the action made)``) saying ``done``; a refusal is the page's error message,
    on the way back to ``refused_url`` (or ``next_url``)."""
    try:
        made = action()
    except refusals as error:
        messages.error(request, str(error))
        return redirect(refused_url or next_url)
    messages.success(request, done)
    return redirect(next_url(made) if callable(next_url) else next_url)


def paged(request: HttpRequest, rows, *, size: int) -> tuple[Page, str]:
    """The page of ``rows`` the request asks for, and the rest of its query string (its filters),
    for the pagination links."""
    page = Paginator(rows, size).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode()
