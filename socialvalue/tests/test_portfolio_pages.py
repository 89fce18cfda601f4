"""The social value summary shows a page of groups at a time, keeping its grouping and filters."""

import pytest
from django.urls import reverse

from procurement.roles import Role
from socialvalue import views

from .test_portfolio import portfolio  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


def test_the_summary_pages_its_groups_and_keeps_the_grouping(
    portfolio,  # noqa: F811
    client,
    make_user,
    monkeypatch,
):
    monkeypatch.setattr(views, "GROUPS_PAGE", 1)
    client.force_login(make_user(Role.BUSINESS_PARTNER))
    url = reverse("socialvalue:portfolio")
    first = client.get(url, {"by": "theme"})
    assert [group.label for _, group, _ in first.context["groups"]] == ["Local economy"]
    html = first.content.decode()
    assert "showing 1 to 1 of 2" in html
    assert 'href="?by=theme&amp;page=2"' in html
    second = client.get(url, {"by": "theme", "page": "2"})
    assert [group.label for _, group, _ in second.context["groups"]] == ["Skills"]
