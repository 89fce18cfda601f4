"""The annual report as a PDF (WeasyPrint): cover, contents, numbered pages, tables whose headers
repeat across pages, tagged for assistive technology with its title and language."""

from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from weasyprint import CSS, HTML

from .charts import chart_from

STYLESHEET = Path(__file__).resolve().parent / "pdf.css"


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
        "sections": sections,
        "council": settings.COUNCIL_NAME,
        "title": f"Audit and Transparency report {figures.get('label', '')}",
    }


def report_pdf(figures: dict, *, report) -> tuple[bytes, int]:
    """The PDF of a version, and its number of pages."""
    html = render_to_string(
        "reporting/annual_report_pdf.html", report_context(figures, report=report)
    )
    document = HTML(string=html, base_url=str(settings.BASE_DIR)).render(
        stylesheets=[CSS(filename=str(STYLESHEET))], pdf_tags=True
    )
    return document.write_pdf(pdf_tags=True), len(document.pages)
