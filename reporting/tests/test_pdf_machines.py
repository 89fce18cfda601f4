"""The annual report on machines unlike this one, each a process of its own against the test
database: one whose Fontconfig has no fonts at all, where the PDF is set in the shipped family as
anywhere else; and one without Pango, where WeasyPrint cannot load and everything but drawing a
PDF still works."""

import html
import json
import subprocess
import sys

import pypdf
from django.conf import settings

from procurement.roles import Role
from reporting.models import AnnualReport
from tests.test_commands import commits, environment, manage

from . import world
from .pdfs import SHIPPED, embedded_fonts

# A Fontconfig configuration naming no font folder: the process sees no font of the machine's.
NO_FONTS = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<fontconfig>
  <cachedir>{cache}</cachedir>
</fontconfig>
"""

# Loaded by Python at start-up (``sitecustomize`` on PYTHONPATH): WeasyPrint fails to import as
# it does on a server without Pango, where cffi cannot open the library.
NO_PANGO = """
import sys


class NoPango:
    def find_spec(self, name, path=None, target=None):
        if name == "weasyprint" or name.startswith("weasyprint."):
            raise OSError(
                "cannot load library 'pango-1.0-0': pango-1.0-0: cannot open shared object "
                "file: No such file or directory"
            )
        return None


sys.meta_path.insert(0, NoPango())
"""

# Run in that process: the pages a person fetches, a build they ask for and the worker's build.
VISIT = """
import json
import os
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from django.test import Client
from django.urls import reverse

from procurement.models import User
from reporting.models import AnnualReport
from reporting.tasks import annual_report_build_task

report = AnnualReport.objects.get()
client = Client()
client.force_login(User.objects.get(email=sys.argv[1]))
pages = {}
for name, url in (
    ("register", reverse("contracts:register")),
    ("dashboard", reverse("reporting:dashboard")),
    ("reports", reverse("reporting:annual_reports")),
    ("report", reverse("reporting:annual_report", args=[report.pk])),
):
    response = client.get(url)
    pages[name] = [response.status_code, " ".join(response.content.decode().split())]
response = client.post(reverse("reporting:annual_reports"), {"year": report.year})
pages["asked"] = [response.status_code, " ".join(response.content.decode().split())]
built = annual_report_build_task(report.pk)
print(json.dumps({"pages": pages, "built": built}))
"""
# Django set up, every URL and the report's jobs loaded, as a web or worker process starts.
START = """
import os
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from django.urls import get_resolver

import reporting.tasks

get_resolver().url_patterns
print("weasyprint" in sys.modules)
"""
UNAVAILABLE = (
    "PDFs cannot be built on this server because its PDF libraries are missing "
    "(cannot load library 'pango-1.0-0'). Tell the administrator of this service."
)


def python(code: str, *arguments: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    """``python -c code arguments`` in the project's folder, in a process of its own."""
    return subprocess.run(
        [sys.executable, "-c", code, *arguments],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_weasyprint_is_imported_only_to_draw_a_pdf():
    done = python(START, env={**environment(), "DATABASE_URL": "sqlite://:memory:"})
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"


@commits
def test_the_pdf_is_set_in_the_shipped_fonts_on_a_machine_without_any(postgres, tmp_path):
    world.build()
    config = tmp_path / "fonts.conf"
    config.write_text(NO_FONTS.format(cache=tmp_path / "cache"), encoding="utf-8")
    media = tmp_path / "media"
    env = environment(
        MEDIA_ROOT=str(media), FONTCONFIG_FILE=str(config), FONTCONFIG_PATH=str(tmp_path)
    )
    done = manage("build_annual_report", "--year", str(world.YEAR), env=env)
    assert done.returncode == 0, done.stderr
    # WeasyPrint's own word that Fontconfig found no font on the machine.
    assert "No fonts configured in FontConfig" in done.stderr
    report = AnnualReport.objects.get()
    pdf = pypdf.PdfReader(media / report.file.name)
    assert {"SourceSansPro-Regular", "SourceSansPro-Bold"} <= embedded_fonts(pdf) <= SHIPPED
    title_page = [" ".join(line.split()) for line in pdf.pages[0].extract_text().splitlines()]
    assert f"Audit and Transparency report {report.year_label}" in title_page


@commits
def test_without_pango_everything_but_drawing_a_pdf_works(postgres, make_user, tmp_path):
    (tmp_path / "sitecustomize.py").write_text(NO_PANGO, encoding="utf-8")
    env = environment(PYTHONPATH=str(tmp_path), MEDIA_ROOT=str(tmp_path / "media"))
    for arguments in (["check"], ["migrate", "--plan"]):
        done = manage(*arguments, env=env)
        assert done.returncode == 0, done.stderr
    head = make_user(Role.HEAD_OF_PROCUREMENT)
    report = AnnualReport.objects.create(year=world.YEAR, version=1, source="schedule")
    done = python(VISIT, head.email, env=env)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.splitlines()[-1])
    pages = seen["pages"]
    assert {name: status for name, (status, _) in pages.items()} == {
        "register": 200,
        "dashboard": 200,
        "reports": 200,
        "report": 200,
        "asked": 200,  # the form again, saying why
    }
    for name in ("reports", "report", "asked"):
        assert UNAVAILABLE in html.unescape(pages[name][1]), name
        assert "govuk-notification-banner" in pages[name][1], name
    assert "govuk-error-summary" in pages["asked"][1]
    assert "PDF libraries" not in pages["register"][1]
    # The worker's build of the version the schedule made ends failed, saying why.
    assert seen["built"]["state"] == "failed"
    report.refresh_from_db()
    assert report.state == "failed"
    assert report.error.startswith(f"PdfUnavailable: {UNAVAILABLE}")
    assert AnnualReport.objects.count() == 1
