"""The apps layer upwards, in Python and in templates alike.

The layers are those of the import-linter contract in pyproject.toml: that contract holds the
Python imports, and these tests run it and hold the templates to the same order, so that a lower
app's page never names a higher app's URLs or tag libraries (it loops over what the higher apps
register with procurement.panels instead).
"""

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.template import engines
from django.urls import get_resolver

from procurement.panels import links_for, panels_for

PYPROJECT = Path(settings.BASE_DIR) / "pyproject.toml"

URL_NAMED = re.compile(r"""\{%\s*url\s+["'](?P<namespace>[\w-]+):""")
LOADED = re.compile(r"\{%\s*load\s+(?P<libraries>[\w\s.]+?)\s*%\}")


def layers() -> dict[str, int]:
    """Each app's layer, from the import-linter contract: 0 for the lowest (procurement)."""
    config = tomllib.loads(PYPROJECT.read_text())["tool"]["importlinter"]
    (contract,) = (c for c in config["contracts"] if c["id"] == "layers")
    ranks = {}
    for rank, layer in enumerate(reversed(contract["layers"])):
        for app in layer.split("|"):
            ranks[app.strip()] = rank
    return ranks


def app_of(module: str) -> str:
    return module.split(".", 1)[0]


def url_namespaces() -> dict[str, str]:
    """Each URL namespace and the app whose URLconf it is (``accounts`` is procurement's)."""
    found = {}
    for namespace, (_prefix, resolver) in get_resolver().namespace_dict.items():
        urlconf = resolver.urlconf_name
        if isinstance(urlconf, str):
            found[namespace] = app_of(urlconf)
    return found


def tag_libraries() -> dict[str, str]:
    """Each template tag library's name and the app it comes from."""
    libraries = engines["django"].engine.libraries
    return {name: app_of(module) for name, module in libraries.items()}


def may_name(app: str, other: str, ranks: dict[str, int]) -> bool:
    """Whether a template of ``app`` may name ``other``: itself, a lower app, or outside the
    layers (Django's own)."""
    if other == app or other not in ranks:
        return True
    return ranks[other] < ranks[app]


def upward_links(app: str, text: str, ranks, namespaces, libraries) -> list[str]:
    """What a template of ``app`` names above it: "url alerts:", "load alerts"."""
    found = []
    for match in URL_NAMED.finditer(text):
        other = namespaces.get(match["namespace"], match["namespace"])
        if not may_name(app, other, ranks):
            found.append(f"url {match['namespace']}:")
    for match in LOADED.finditer(text):
        for library in match["libraries"].split():
            other = libraries.get(library, library)
            if not may_name(app, other, ranks):
                found.append(f"load {library}")
    return found


def templates_of(app: str) -> list[Path]:
    """An app's templates; those in the project's templates/ directory count as procurement's."""
    base = Path(settings.BASE_DIR)
    folders = [base / app / "templates"] + ([base / "templates"] if app == "procurement" else [])
    return sorted(path for folder in folders for path in folder.rglob("*.html"))


def test_the_layers_name_every_app():
    ranks = layers()
    apps = {app_of(name) for name in settings.INSTALLED_APPS}
    project = {app for app in apps if (Path(settings.BASE_DIR) / app / "apps.py").exists()}
    assert project <= set(ranks), project - set(ranks)
    assert ranks["procurement"] < ranks["contracts"] < ranks["gateways"] < ranks["alerts"]
    assert ranks["alerts"] == ranks["reporting"] == ranks["opendata"]


def test_no_template_names_an_app_above_its_own():
    ranks = layers()
    namespaces, libraries = url_namespaces(), tag_libraries()
    problems = [
        f"{path.relative_to(settings.BASE_DIR)}: {link}"
        for app in ranks
        if app != "config"
        for path in templates_of(app)
        for link in upward_links(app, path.read_text(), ranks, namespaces, libraries)
    ]
    assert problems == []


@pytest.mark.parametrize(
    ("app", "text", "found"),
    [
        ("procurement", "{% url 'gateways:routing_preview' %}", ["url gateways:"]),
        ("procurement", '{% url "accounts:password_change" %}', []),
        ("contracts", "{% load govuk contracts performance %}", ["load performance"]),
        ("performance", "{% url 'contracts:detail' contract.pk %}", []),
        ("reporting", "{% load alerts %}", ["load alerts"]),
        ("alerts", "{% url 'admin:index' %}{% load static %}", []),
    ],
)
def test_the_template_check_finds_a_link_upwards(app, text, found):
    assert upward_links(app, text, layers(), url_namespaces(), tag_libraries()) == found


def test_python_imports_keep_the_import_linter_contracts():
    linter = Path(sys.executable).parent / "lint-imports"
    run = subprocess.run(
        [linter, "--no-logo", "--no-cache", PYPROJECT],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr


def test_a_contract_page_has_the_sections_its_apps_register_in_order():
    sections = panels_for("contract", AnonymousUser())
    assert [(section.name, section.title) for section in sections] == [
        ("summary", "Summary"),
        ("performance", "Performance"),
        ("plans", "Continuity and exit plans"),
        ("social-value", "Social value"),
        ("alerts", "Renewal and alerts"),
        ("spend", "Spend"),
        ("events", "Variations and extensions"),
        ("documents", "Documents"),
        ("history", "History"),
    ]


def test_the_home_page_and_reference_data_have_what_the_apps_above_register():
    user = AnonymousUser()
    assert [panel.template for panel in panels_for("home", user)] == [
        "alerts/_home.html",
        "gateways/_your_reports.html",
        "training/_home.html",
    ]
    assert [link.url_name for link in links_for("home.account", user)] == [
        "alerts:mine",
        "accounts:password_change",
        "gateways:delegations",
        "training:mine",
    ]
    assert [link.url_name for link in links_for("reference_data.policy", user)] == [
        "gateways:routing_preview"
    ]
    assert [panel.title for panel in panels_for("reference_data", user)] == ["Renewal lead times"]
