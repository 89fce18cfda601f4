"""Shapes that many pages share: a form page that runs a service, an object the user must hold
a permission on, and a list in pages."""

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from .forms import show_error


def object_for(request: HttpRequest, model: type[models.Model], pk: int, permission: str):
    """The ``model`` row ``pk`` (404 if there is none) on which the user holds ``permission``
    (403 if not)."""
    found = get_object_or_404(model, pk=pk)
    if not request.user.has_perm(permission, found):
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
) -> HttpResponse:
    """On a valid POST run ``action`` (a service call), say ``done`` and go to ``next_url`` (or,
    for a page that makes something, say ``done(what the action made)`` and go to
    ``next_url(what the action made)``); a refusal (one of ``refusals``, or a model's
    ValidationError) is shown on the form. Else show the page, with ``context`` (or, where it
    reads the record the form has just validated, ``context()``)."""
    if request.method == "POST" and form.is_valid():
        try:
            made = action(form.cleaned_data)
        except (*refusals, ValidationError) as error:
            show_error(form, error)
        else:
            messages.success(request, done(made) if callable(done) else done)
            return redirect(next_url(made) if callable(next_url) else next_url)
    return render(
        request, template, {"form": form, **(context() if callable(context) else context)}
    )


def paged(request: HttpRequest, rows, *, size: int) -> tuple[Page, str]:
    """The page of ``rows`` the request asks for, and the rest of its query string (its filters),
    for the pagination links."""
    page = Paginator(rows, size).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode()
