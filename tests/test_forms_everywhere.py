"""Every form in the service speaks GOV.UK: its error summary's links go to an element on the page,
its messages name the field (never Django's "This field is required."), its select boxes start
"Choose a …", and it has a back link (docs/decisions/0038)."""

import importlib
import inspect
import re
from html.parser import HTMLParser

import pytest
from django import forms
from django.apps import apps
from django.contrib.auth import forms as auth_forms
from django.db import transaction
from django.test import Client
from django.urls import reverse

from gateways.models import ProcurementProject
from gateways.tests.test_weighting import people, strategy, weighting_form
from procurement.forms import GovukFormMixin
from procurement.models import User
from procurement.roles import Role
from tests.test_authorisation_sweep import (
    FILLERS,
    argument_maker,
    declared_table,
    form_pages,
    objects_for,
    routes,
)

__all__ = ["people"]  # the weighting tests' fixture, used here too

# Django's own wording, which no page may show.
GENERIC = (
    "This field is required",
    "Enter a valid",
    "Select a valid choice",
    "Enter a number.",
    "Enter a whole number.",
    "Ensure this value",
    "Ensure that there are no more than",
    "is not a valid value",
    "---------",
)


class Page(HTMLParser):
    """What the tests read from a page: the ids on it, the error summary's links and text, the
    error messages beside fields, and the back link."""

    def __init__(self, text: str):
        super().__init__()
        self.ids: set[str] = set()
        self.summary_links: list[tuple[str, str]] = []
        self.messages: list[str] = []
        self.back_links: list[str] = []
        self._in_summary = 0
        self._link: str | None = None
        self._message = False
        self._text: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if "govuk-error-summary" in classes:
            self._in_summary = 1
        elif self._in_summary and tag == "div":
            self._in_summary += 1
        if self._in_summary and tag == "a" and (attrs.get("href") or "").startswith("#"):
            self._link, self._text = attrs["href"][1:], []
        if "govuk-error-message" in classes:
            self._message, self._text = True, []
        if tag == "a" and "govuk-back-link" in classes:
            self.back_links.append(attrs.get("href") or "")

    def handle_endtag(self, tag):
        if self._in_summary and tag == "div":
            self._in_summary -= 1
        if tag == "a" and self._link is not None:
            self.summary_links.append((self._link, " ".join("".join(self._text).split())))
            self._link = None
        if tag == "p" and self._message:
            text = " ".join("".join(self._text).split()).removeprefix("Error: ")
            self.messages.append(text)
            self._message = False

    def handle_data(self, data):
        if self._link is not None or self._message:
            self._text.append(data)


def posted(client: Client, url: str, data: dict):
    """The answer to a POST, with whatever it wrote rolled back so the next form sees the same
    world."""
    with transaction.atomic():
        response = client.post(url, data)
        transaction.set_rollback(True)
    return response


def problems_on(url: str, response) -> list[str]:
    if response.status_code != 200 or "govuk-error-summary" not in response.content.decode():
        return []
    page = Page(response.content.decode())
    found = []
    for target, text in page.summary_links:
        if target not in page.ids:
            found.append(f"{url}: “{text}” links to #{target}, which is not on the page")
    for text in [t for _, t in page.summary_links] + page.messages:
        found += [f"{url}: says “{text}”" for generic in GENERIC if generic in text]
    return found


@pytest.mark.parametrize("values", ["empty", "nonsense"])
def test_every_form_pages_error_summary_links_to_an_element_on_the_page(world, db, values):
    """Each form page, posted nothing (or nonsense), links each error in its summary to an element
    on the page, in the service's words."""
    pages = form_pages(world)
    assert len(pages) > 40
    found, summaries = [], 0
    for filler, url, fields in pages:
        client = Client()
        client.force_login(world.users[filler])
        data = {field: "" if values == "empty" else "x" for field in fields}
        response = posted(client, url, data)
        summaries += "govuk-error-summary" in response.content.decode()
        found += problems_on(url, response)
    assert found == [], "\n".join(found)
    assert summaries > 30


def test_every_form_page_has_a_way_back(world, db):
    """Each page built on the form page has a GOV.UK back link to a page of the service, or
    breadcrumbs (GOV.UK never shows both)."""
    missing = []
    for filler, url, _fields in form_pages(world):
        client = Client()
        client.force_login(world.users[filler])
        response = client.get(url)
        if "govuk/form_page.html" not in {t.name for t in response.templates}:
            continue
        page = Page(response.content.decode())
        if "govuk-breadcrumbs" in response.content.decode():
            continue
        if not page.back_links or not all(href.startswith("/") for href in page.back_links):
            missing.append(url)
    assert missing == [], "\n".join(missing)


# --- Every form class, empty ---------------------------------------------------------------------


def form_classes() -> list[type[forms.BaseForm]]:
    """Every form class the service's apps define, whatever page shows it."""
    found = {}
    for config in apps.get_app_configs():
        if config.name.split(".")[0] not in {
            "procurement",
            "contracts",
            "gateways",
            "performance",
            "socialvalue",
            "maturity",
            "alerts",
            "reporting",
            "opendata",
        }:
            continue
        try:
            module = importlib.import_module(f"{config.name}.forms")
        except ModuleNotFoundError:
            continue
        for value in vars(module).values():
            if (
                inspect.isclass(value)
                and issubclass(value, forms.BaseForm)
                and value.__module__ == module.__name__
                and not value.__name__.startswith("Govuk")
            ):
                found[f"{value.__module__}.{value.__qualname__}"] = value
    return [found[name] for name in sorted(found)]


def test_every_service_form_uses_the_services_wording():
    classes = form_classes()
    assert len(classes) > 40
    assert [c.__qualname__ for c in classes if not issubclass(c, GovukFormMixin)] == []


def keyword_arguments(form_class) -> dict | None:
    """Stand-ins for a form's own arguments where it needs nothing from the database: a person
    (not saved) for the password forms."""
    wanted = [
        p
        for name, p in inspect.signature(form_class.__init__).parameters.items()
        if name not in {"self", "data"}
        and p.default is p.empty
        and p.kind in {p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD}
    ]
    if issubclass(form_class, auth_forms.SetPasswordForm):
        return {"user": User()}
    return {} if not wanted else None


# Forms that need objects from the database to be made are posted empty by the page sweep above.
STANDALONE = [c for c in form_classes() if keyword_arguments(c) is not None]


def test_most_forms_stand_alone_and_the_rest_are_on_pages():
    assert len(STANDALONE) > 20


@pytest.mark.django_db
@pytest.mark.parametrize("form_class", STANDALONE, ids=lambda c: c.__qualname__)
def test_a_form_posted_empty_names_each_missing_field(form_class):
    """Posted nothing, a form's messages name what is missing: no "This field is required.", and
    select boxes start with "Choose …" rather than dashes."""
    form = form_class(data={}, **keyword_arguments(form_class))
    form.is_valid()
    messages = [str(m) for errors in form.errors.values() for m in errors]
    assert [m for m in messages if any(g in m for g in GENERIC)] == []
    rendered = str(form)
    assert "---------" not in rendered


# --- Errors beside the fields they are about ----------------------------------------------------


@pytest.mark.django_db
def test_weighting_problems_link_to_the_fields_they_are_about(people, client):
    review = strategy(people)
    client.force_login(people["officer"])
    response = client.post(
        f"/gateways/reviews/{review.pk}/weighting/",
        weighting_form(
            ("50", "45", "10"),
            [("quality", "Method", "30"), ("social_value", "Local jobs", "10")],
        ),
    )
    page = Page(response.content.decode())
    assert page.summary_links == [
        (
            "id_quality",
            "The quality, price and social value weights must add up to 100; they add up to 105",
        ),
        (
            "id_weighting_justification",
            "Explain why the weighting departs from the category's template "
            "(50/40/10 quality/price/social value)",
        ),
        (
            "id_weight_1",
            "The quality sub-criteria must add up to the quality weight, 50; they add up to 30",
        ),
    ]
    assert {"id_quality-error", "id_weighting_justification-error", "id_weight_1-error"} <= page.ids
    assert [text for _, text in page.summary_links] == page.messages


# --- The procurement form -----------------------------------------------------------------------


@pytest.mark.django_db
def test_a_new_procurement_does_not_ask_why_it_changed_and_lists_only_officers(client, make_user):
    officer = make_user(Role.PROCUREMENT_OFFICER)
    colleague = make_user(Role.CONTRACT_MANAGER, directorate=officer.directorate)
    councillor = make_user(Role.LEAD_MEMBER, directorate=officer.directorate)
    elsewhere = make_user(Role.PROCUREMENT_OFFICER)
    client.force_login(officer)
    form = client.get(reverse("gateways:project_create")).context["form"]
    assert "change_reason" not in form.fields
    leads = set(form.fields["lead_officer"].queryset)
    assert {officer, colleague} <= leads
    assert councillor not in leads
    assert elsewhere not in leads
    page = client.get(reverse("gateways:project_create")).content.decode()
    assert "Choose a directorate" in page
    assert "Choose a lead officer" in page
    assert 'id="id_is_core_service-hint"' in page
    assert 'id="id_is_high_value_or_complex-hint"' in page

    response = client.post(
        reverse("gateways:project_create"),
        {
            "reference": "PP-2027-001",
            "title": "Home care",
            "directorate": officer.directorate_id,
            "estimated_value": "£300,000",
            "lead_officer": colleague.pk,
        },
    )
    assert response.status_code == 302
    project = ProcurementProject.objects.get(reference="PP-2027-001")
    assert project.history.get().history_change_reason == "Planned on the forward plan"
    edit = client.get(reverse("gateways:project_edit", args=[project.pk])).context["form"]
    assert "change_reason" in edit.fields
    assert colleague in set(edit.fields["lead_officer"].queryset)


# --- No developer words on any page --------------------------------------------------------------

# Python's None, JavaScript's null, a primary key...; "None recorded" and "None of" are English.
DEVELOPER_WORDS = re.compile(
    r"\bNone\b(?! (?:recorded|in the|of|yet)\b|:)|\b(?:null|pk|slug|enum|NaN|undefined)\b"
    r"|\b(?:True|False)\b(?<!True or False)(?! or False)"
)


class VisibleText(HTMLParser):
    """A page's text as people read it: not scripts, styles or code samples."""

    HIDDEN = {"script", "style", "code", "pre", "head"}

    def __init__(self, text: str):
        super().__init__()
        self._hidden = 0
        self.parts: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self._hidden += tag in self.HIDDEN

    def handle_endtag(self, tag):
        self._hidden -= tag in self.HIDDEN and self._hidden > 0

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)


def test_no_page_shows_developer_words(world, db):
    """Every page a signed-in person opens (the API's own pages aside) reads in plain words: no
    "None" for a missing value, "null", "True" or "pk"."""
    table = declared_table()
    found, pages = [], 0
    for name, _route, params in routes():
        if name.startswith(("api:", "admin:")) or name not in table:
            continue
        cells = table[name]
        reader = next(
            (role for role in FILLERS if cells[role.value].split("/")[0].strip() == "200"), None
        )
        if reader is None:
            continue
        kind, make = argument_maker(name, params)
        user = world.users[reader]
        url = reverse(name, kwargs=make(objects_for(world, kind, user)[0][1]) if make else None)
        client = Client()
        client.force_login(user)
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        pages += 1
        text = " ".join("".join(VisibleText(response.content.decode()).parts).split())
        for match in DEVELOPER_WORDS.finditer(text):
            found.append(f"{url}: …{text[max(0, match.start() - 60) : match.end() + 30]}…")
    assert found == [], "\n".join(found)
    assert pages > 60
