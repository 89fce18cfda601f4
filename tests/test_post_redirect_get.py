"""The guard every test's POST passes through (tests/post_redirect_get.py) catches a page drawn
after a write, and lets a redirect, a refused form and a read-only POST through."""

import pytest
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect
from django.test import RequestFactory

from procurement.models import Directorate
from tests.post_redirect_get import PostRedirectGetGuard

pytestmark = pytest.mark.django_db


def writes(then):
    def view(request):
        Directorate.objects.create(name="Guarded", code="GRD")
        return then()

    return view


def test_a_page_drawn_after_a_write_fails_the_request():
    guard = PostRedirectGetGuard(writes(lambda: HttpResponse("<p>Saved</p>")))
    with pytest.raises(AssertionError, match="wrote to procurement_directorate"):
        guard(RequestFactory().post("/anything/"))


def test_a_redirect_after_a_write_passes():
    guard = PostRedirectGetGuard(writes(lambda: redirect("/done/")))
    assert guard(RequestFactory().post("/anything/")).status_code == 302


def test_a_page_after_a_write_that_was_rolled_back_passes():
    def refused(request):
        try:
            with transaction.atomic():
                Directorate.objects.create(name="Refused", code="REF")
                raise ValueError("refused")
        except ValueError:
            return HttpResponse("<p>There is a problem</p>")

    assert PostRedirectGetGuard(refused)(RequestFactory().post("/anything/")).status_code == 200
    assert not Directorate.objects.filter(code="REF").exists()


def test_a_page_after_no_write_passes_as_does_a_get_that_writes():
    shown = PostRedirectGetGuard(lambda request: HttpResponse("<p>There is a problem</p>"))
    assert shown(RequestFactory().post("/anything/")).status_code == 200
    logged = PostRedirectGetGuard(writes(lambda: HttpResponse("<p>Seen</p>")))
    assert logged(RequestFactory().get("/anything/")).status_code == 200
