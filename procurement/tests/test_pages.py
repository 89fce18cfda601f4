"""The shapes pages share: fetching an object the user must pass checks on, a form page that
runs a service, and a button that runs one."""

from types import SimpleNamespace

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.test import RequestFactory

from procurement import pages
from procurement.models import Directorate
from procurement.roles import Role
from procurement.tests.factories import DirectorateFactory

pytestmark = pytest.mark.django_db


class Refused(Exception):
    """A service's refusal."""


class NameForm(forms.Form):
    name = forms.CharField()


def request_of(user, method: str = "get", data: dict | None = None):
    request = getattr(RequestFactory(), method)("/somewhere/", data or {})
    request.user = user
    request._messages = CookieStorage(request)
    return request


def said(request) -> list[str]:
    return [str(message) for message in get_messages(request)]


@pytest.fixture
def shown(monkeypatch):
    """The context of the page ``form_page`` shows instead of moving on."""
    seen = {}

    def render(request, template, context):
        seen.update(context, template=template)
        return HttpResponse("page")

    monkeypatch.setattr(pages, "render", render)
    return seen


class TestObjectFor:
    def test_a_missing_row_is_not_found(self, make_user):
        with pytest.raises(Http404):
            pages.object_for(request_of(make_user(Role.PROCUREMENT_OFFICER)), Directorate, 0)

    def test_every_check_must_hold_a_permission_or_a_predicate(self, make_user):
        directorate = DirectorateFactory()
        request = request_of(make_user(Role.PROCUREMENT_OFFICER))
        assert pages.object_for(request, Directorate, directorate.pk) == directorate
        assert pages.object_for(request, Directorate, directorate.pk, lambda u, d: True)
        with pytest.raises(PermissionDenied):
            pages.object_for(request, Directorate, directorate.pk, lambda u, d: False)
        with pytest.raises(PermissionDenied):
            pages.object_for(request, Directorate, directorate.pk, "procurement.access_admin")

    def test_a_queryset_narrows_what_may_be_found(self, make_user):
        directorate = DirectorateFactory()
        rows = Directorate.objects.exclude(pk=directorate.pk)
        with pytest.raises(Http404):
            pages.object_for(request_of(make_user(Role.PROCUREMENT_OFFICER)), rows, directorate.pk)


class TestFormPage:
    def page(self, request, action, **options):
        form = NameForm(request.POST if request.method == "POST" else None)
        return pages.form_page(
            request,
            form,
            action=action,
            refusals=(Refused,),
            done=options.pop("done", "Done"),
            next_url=options.pop("next_url", "/next/"),
            template="some/page.html",
            context={"heading": "Name it"},
            **options,
        )

    def test_a_message_and_an_address_may_come_from_what_the_action_made(self, make_user):
        request = request_of(make_user(Role.PROCUREMENT_OFFICER), "post", {"name": "Kestrel"})
        response = self.page(
            request,
            lambda data: SimpleNamespace(name=data["name"], url="/made/"),
            done=lambda made: f"{made.name} is made",
            next_url=lambda made: made.url,
        )
        assert response.status_code == 302
        assert response["Location"] == "/made/"
        assert said(request) == ["Kestrel is made"]

    def test_a_refusal_is_shown_on_the_form(self, make_user, shown):
        def refuse(data):
            raise Refused("Not today")

        request = request_of(make_user(Role.PROCUREMENT_OFFICER), "post", {"name": "Kestrel"})
        self.page(request, refuse)
        assert shown["form"].non_field_errors() == ["Not today"]
        assert shown["heading"] == "Name it"
        assert said(request) == []

    def test_a_refusal_may_be_shown_its_own_way(self, make_user, shown):
        def refuse(data):
            raise Refused("Not today")

        def show(form, error):
            form.add_error("name", f"Name: {error}")

        request = request_of(make_user(Role.PROCUREMENT_OFFICER), "post", {"name": "Kestrel"})
        self.page(request, refuse, show_refusal=show)
        assert shown["form"].errors == {"name": ["Name: Not today"]}


class TestButtonPost:
    def test_done_goes_on_with_the_message(self, make_user):
        request = request_of(make_user(Role.PROCUREMENT_OFFICER), "post")
        response = pages.button_post(
            request,
            action=lambda: SimpleNamespace(url="/made/"),
            refusals=(Refused,),
            done="Started",
            next_url=lambda made: made.url,
            refused_url="/back/",
        )
        assert response["Location"] == "/made/"
        assert said(request) == ["Started"]

    def test_a_refusal_goes_back_with_its_message(self, make_user):
        def refuse():
            raise Refused("Not today")

        request = request_of(make_user(Role.PROCUREMENT_OFFICER), "post")
        response = pages.button_post(
            request, action=refuse, refusals=(Refused,), done="Started", next_url="/next/"
        )
        assert response["Location"] == "/next/"
        assert said(request) == ["Not today"]
