"""Every table on every page sits in the container that scrolls it, labelled by its caption."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Template, TemplateSyntaxError

ROOT = Path(settings.BASE_DIR)
# Emails are read in mail programs, not on the service's pages.
NOT_PAGES = ("/email/",)


def page_templates() -> list[Path]:
    folders = [ROOT / "templates", *ROOT.glob("*/templates")]
    return sorted(
        path
        for folder in folders
        for path in folder.rglob("*.html")
        if not any(part in str(path) for part in NOT_PAGES)
    )


def test_every_table_in_every_template_is_in_a_table_container():
    tag = re.compile(r"\{% (end)?table_container %\}|<table\b|</table>")
    outside = []
    for path in page_templates():
        depth = 0
        text = path.read_text()
        for found in tag.finditer(text):
            token = found.group(0)
            if token.startswith("{%"):
                depth += -1 if found.group(1) else 1
            elif token.startswith("<table") and depth != 1:
                line = text.count("\n", 0, found.start()) + 1
                outside.append(f"{path.relative_to(ROOT)}:{line}")
    assert len(page_templates()) > 100
    assert outside == []


def test_the_container_is_a_focusable_region_named_by_the_caption():
    html = Template(
        "{% table_container %}<table class='govuk-table'>"
        "<caption class='govuk-table__caption'>Contracts <span>over</span>\n   £5,000 &amp; more"
        "</caption></table>{% endtable_container %}"
    ).render(Context())

    assert html.startswith(
        '<div class="app-table-container" role="region" '
        'aria-label="Contracts over £5,000 &amp; more" tabindex="0"><table'
    )
    assert html.endswith("</table></div>")


def test_a_table_without_a_caption_is_refused():
    template = Template("{% table_container %}<table></table>{% endtable_container %}")
    with pytest.raises(TemplateSyntaxError, match="needs a <caption>"):
        template.render(Context())
