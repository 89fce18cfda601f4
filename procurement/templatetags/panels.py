"""A page's slots (procurement/panels.py): the panels and links higher apps add to it."""

from django import template
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from procurement.panels import Panel, links_for, panel_context, panels_for

register = template.Library()


@register.simple_tag(takes_context=True)
def panels(context, slot: str) -> list[Panel]:
    """The panels of ``slot`` the visitor sees, in order
    (``{% panels "contract" as sections %}``)."""
    return panels_for(slot, context["request"].user)


@register.simple_tag(takes_context=True)
def render_panel(context, panel: Panel, **objects) -> SafeString:
    """``panel`` rendered for the page's ``objects`` (``{% render_panel panel contract=c %}``):
    with its own context alone, as an inclusion tag is, or with the page's where it has none."""
    own = panel_context(panel, context["request"], **objects)
    found = context.template.engine.get_template(panel.template)
    if own is None:
        return found.render(context)
    new_context = context.new(own)
    csrf_token = context.get("csrf_token")
    if csrf_token is not None:
        new_context["csrf_token"] = csrf_token
    return found.render(new_context)


@register.simple_tag(takes_context=True)
def render_panels(context, slot: str, **objects) -> SafeString:
    """Every panel of ``slot`` the visitor sees, one after another."""
    return mark_safe(  # noqa: S308 - each part is a rendered, escaped template
        "".join(
            render_panel(context, panel, **objects)
            for panel in panels_for(slot, context["request"].user)
        )
    )


@register.simple_tag(takes_context=True)
def links(context, slot: str) -> list[dict]:
    """The links of ``slot`` the visitor may follow, in order, each with its ``text`` and
    ``href``: ``{% links "home.account" as account_links %}``."""
    return [
        {"text": link.text, "href": reverse(link.url_name)}
        for link in links_for(slot, context["request"].user)
    ]
