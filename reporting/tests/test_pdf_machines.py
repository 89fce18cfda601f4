"""The annual report on machines unlike this one, each a process of its own against the test
database: one whose Fontconfig has no fonts at all, where the PDF is set in the shipped family as
anywhere else."""

import pypdf

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
