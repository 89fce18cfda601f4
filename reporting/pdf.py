"""The annual report as a PDF (WeasyPrint): cover, contents, numbered pages, tables whose headers
repeat across pages, tagged for assistive technology with its title and language.

It is set in Source Sans Pro from the files of the ``font-source-sans-pro`` package, never in the
machine's fonts, so it looks the same wherever it is built. WeasyPrint is imported only to draw
one: it loads Pango when imported, and a server without Pango still serves every page, saying
that PDFs cannot be built there (``pdf_unavailable``). See docs/decisions/0034-shipped-pdf-fonts.md.
"""

import logging
from datetime import date
from functools import cache
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string

from procurement.services import DomainError

from .charts import chart_from

logger = logging.getLogger(__name__)

STYLESHEET = Path(__file__).resolve().parent / "pdf.css"
# The name pdf.css gives the shipped family: one no machine's font has, so Fontconfig finds only
# the package's files under it, even on a machine with Source Sans Pro installed.
FONT_FAMILY = "Report Sans"
# The package's files of the family, by weight and style.
FONT_FILES = {
    ("400", "normal"): "SourceSansPro-Regular.ttf",
    ("700", "normal"): "SourceSansPro-Bold.ttf",
    ("400", "italic"): "SourceSansPro-It.ttf",
    ("700", "italic"): "SourceSansPro-BoldIt.ttf",
}
UNAVAILABLE = (
    "PDFs cannot be built on this server because its PDF libraries are missing ({cause}). "
    "Tell the administrator of this service. The figures, the reports as web pages and the PDFs "
    "built before still work."
)


class PdfUnavailable(DomainError):
    """This server cannot draw PDFs (``pdf_unavailable`` says why)."""


def font_folder() -> Path:
    """Where the package keeps the family's files."""
    import font_source_sans_pro

    return Path(font_source_sans_pro.__file__).resolve().parent / "files"


@cache
def pdf_unavailable() -> str | None:
    """Why this server cannot draw PDFs, for the people asking for one, or None if it can: found
    out once in each process, by importing WeasyPrint (which loads Pango) and finding the fonts."""
    try:
        import weasyprint  # noqa: F401

        missing = [name for name in FONT_FILES.values() if not (font_folder() / name).is_file()]
    except (ImportError, OSError) as error:
        logger.error("PDFs cannot be built on this server: %s", error)
        # cffi's message goes on to every place it looked: its first clause names the library.
        return UNAVAILABLE.format(cause=str(error).split(": ", 1)[0])
    if missing:
        logger.error("PDFs cannot be built on this server: %s missing", ", ".join(missing))
        return UNAVAILABLE.format(cause=f"the report's font files {', '.join(missing)}")
    return None


def font_faces() -> str:
    """The stylesheet naming the shipped family's files on this machine."""
    folder = font_folder()
    return "\n".join(
        f'@font-face {{ font-family: "{FONT_FAMILY}"; font-weight: {weight}; '
        f'font-style: {style}; src: url("{(folder / name).as_uri()}"); }}'
        for (weight, style), name in FONT_FILES.items()
    )


def report_context(figures: dict, *, report) -> dict:
    """What the report's templates (HTML page and PDF) need: the stored figures, with each
    section's charts drawn from them."""
    sections = []
    for number, section in enumerate(figures.get("sections", []), start=1):
        charts = [
            (f"{section['slug']}-chart-{index}", chart_from(chart))
            for index, chart in enumerate(section["charts"], start=1)
            if any(v not in (None, "0", "0.00") for bar in chart["bars"] for v in bar["values"])
        ]
        tables = [
            {
                **table,
                "head": list(zip(table["headings"], table["numeric"], strict=True)),
                "body": [list(zip(row, table["numeric"], strict=True)) for row in table["rows"]],
            }
            for table in section["tables"]
        ]
        sections.append({**section, "number": number, "drawn_charts": charts, "tables": tables})
    return {
        "report": report,
        "figures": figures,
        "as_at": date.fromisoformat(figures["as_at"]) if figures.get("as_at") else None,
        "sections": sections,
        "council": settings.COUNCIL_NAME,
        "title": f"Audit and Transparency report {figures.get('label', '')}",
    }


def _rendered(html: str):
    """``html`` laid out as a tagged PDF document, with the shipped fonts and ``pdf.css``."""
    if reason := pdf_unavailable():
        raise PdfUnavailable(reason)
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    fonts = FontConfiguration()
    return HTML(string=html, base_url=str(settings.BASE_DIR)).render(
        stylesheets=[
            CSS(string=font_faces(), font_config=fonts),
            CSS(filename=str(STYLESHEET), font_config=fonts),
        ],
        font_config=fonts,
        pdf_tags=True,
    )


def report_pdf(figures: dict, *, report) -> tuple[bytes, int]:
    """The PDF of a version, and its number of pages."""
    html = render_to_string(
        "reporting/annual_report_pdf.html",
        # The charts' SVG text takes its font from an attribute, not from pdf.css.
        {**report_context(figures, report=report), "chart_font": f"{FONT_FAMILY}, sans-serif"},
    )
    document = _rendered(html)
    return document.write_pdf(pdf_tags=True), len(document.pages)


def social_value_review_pdf(context: dict) -> bytes:
    """The PDF of a published year's social value review, drawn as the annual report is."""
    html = render_to_string("reporting/social_value_review_pdf.html", context)
    return _rendered(html).write_pdf(pdf_tags=True)
