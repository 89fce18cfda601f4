"""The one container every table sits in, so that a wide table scrolls inside the page.

WCAG 2.2 1.4.10 (Reflow): at 320 CSS pixels nothing may make the page scroll sideways. A table
wider than the screen scrolls in its own container instead, which the keyboard can reach (to
scroll it with the arrow keys) and which screen readers announce by the table's caption.
docs/decisions/0036-tables-and-navigation-on-any-screen.md.
"""

import re
from html import unescape

from django import template
from django.utils.html import format_html, strip_tags

register = template.Library()

_CAPTION = re.compile(r"<caption\b[^>]*>(.*?)</caption>", re.DOTALL | re.IGNORECASE)


def caption_text(html: str) -> str:
    """The text of the first caption in ``html``, on one line."""
    found = _CAPTION.search(html)
    if found is None:
        return ""
    return " ".join(unescape(strip_tags(found.group(1))).split())


class TableContainerNode(template.Node):
    def __init__(self, nodelist: template.NodeList) -> None:
        self.nodelist = nodelist

    def render(self, context) -> str:
        table = self.nodelist.render(context)
        label = caption_text(table)
        if not label:
            raise template.TemplateSyntaxError(
                "A table in {% table_container %} needs a <caption>: it labels the container."
            )
        return format_html(
            '<div class="app-table-container" role="region" aria-label="{}" tabindex="0">{}</div>',
            label,
            table,
        )


@register.tag
def table_container(parser, token) -> TableContainerNode:
    """``{% table_container %}<table>…</table>{% endtable_container %}``, named by the caption."""
    if len(token.split_contents()) != 1:
        raise template.TemplateSyntaxError("table_container takes no arguments")
    nodelist = parser.parse(("endtable_container",))
    parser.delete_first_token()
    return TableContainerNode(nodelist)
