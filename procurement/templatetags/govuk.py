"""Template helpers for GOV.UK Frontend markup, money and dates as people read them."""

from django import forms, template
from django.core.exceptions import NON_FIELD_ERRORS
from django.urls import Resolver404, resolve
from django.utils.html import format_html

from procurement import dates, numbers
from procurement.forms import NOT_A_FIELD, widget_attrs

register = template.Library()


@register.filter
def govuk_widget(bound_field: forms.BoundField) -> str:
    """Render a field's input with the classes and described-by GOV.UK markup needs."""
    return bound_field.as_widget(attrs=widget_attrs(bound_field))


@register.filter
def money(value, places: int = 2) -> str:
    """Pounds with thousands separators: 1500000.01 → £1,500,000.01; ``|money:0`` → £1,500,000."""
    return numbers.money(value, places)


@register.filter
def counted(number, noun: str) -> str:
    """A count and its noun, agreeing: ``{{ n|counted:"project" }}`` → 1 project, 2 projects;
    ``{{ n|counted:"person,people" }}`` where the plural is not the noun + s."""
    one, _, many = noun.partition(",")
    return numbers.counted(number, one, many)


def _first_field_id(bound_field: forms.BoundField) -> str:
    """The id of the input a summary link goes to: a radio or checkbox group's first option (the
    group itself when it has none), a date's first part in error."""
    widget_type = bound_field.widget_type
    if widget_type in {"radioselect", "checkboxselectmultiple"}:
        has_options = any(True for _ in bound_field.field.choices)
        return f"{bound_field.auto_id}_0" if has_options else bound_field.auto_id
    if widget_type == "govukdate":
        parts = getattr(bound_field.field, "error_parts", None) or ("day",)
        return f"{bound_field.auto_id}_{parts[0] if bound_field.errors else 'day'}"
    return bound_field.auto_id


@register.inclusion_tag("govuk/forms/error_summary.html")
def govuk_error_summary(*forms_to_summarise: forms.BaseForm) -> dict:
    """The GOV.UK error summary for one or more forms: each error links to the input that shows
    it; an error about the whole form to its first field, but one that concerns no field at all
    (``NOT_A_FIELD``) to nothing."""
    errors = []
    for form in forms_to_summarise:
        if form is None or not form.is_bound or not form.errors:
            continue
        first_id = next((_first_field_id(bf) for bf in form.visible_fields()), "")
        for error in form.errors.as_data().get(NON_FIELD_ERRORS, []):
            href = "" if error.code == NOT_A_FIELD else f"#{first_id}"
            errors.extend({"href": href, "text": message} for message in error)
        for bound_field in form:
            for message in bound_field.errors:
                errors.append({"href": f"#{_first_field_id(bound_field)}", "text": message})
    return {"errors": errors}


@register.simple_tag
def govuk_tag(text: str, colour: str = "") -> str:
    classes = "govuk-tag" + (f" govuk-tag--{colour}" if colour else "")
    return format_html('<strong class="{}">{}</strong>', classes, text)


@register.filter
def figure(value) -> str:
    """A number without trailing zeros: 60.00 → 60, 12.50 → 12.5."""
    return numbers.figure(value)


@register.inclusion_tag("govuk/_radar_chart.html")
def radar_chart(chart, element_id: str) -> dict:
    """An SVG radar chart; the page puts a table of the same figures beside it."""
    return {"chart": chart, "id": element_id}


@register.inclusion_tag("govuk/_bar_chart.html")
def bar_chart(chart, element_id: str, font_family: str = "") -> dict:
    """An SVG bar chart; the page puts a table of the same figures beside it. Its text is in
    ``font_family`` where given (a PDF's own fonts), else in the pages' Arial."""
    return {"chart": chart, "id": element_id, "font_family": font_family or "arial, sans-serif"}


@register.simple_tag(takes_context=True)
def parent_url(context) -> str:
    """The page one level up from this one, for a form's back link: the nearest shorter address
    the service answers ("/contracts/5/variations/new/" → "/contracts/5/"), else the home page."""
    request = context.get("request")
    parts = [p for p in (request.path if request else "/").split("/") if p]
    while parts:
        parts.pop()
        candidate = "/" + "".join(f"{p}/" for p in parts)
        try:
            resolve(candidate)
        except Resolver404:
            continue
        return candidate
    return "/"


@register.filter
def govuk_datetime(value, style: str = "") -> str:
    """A moment as GOV.UK writes it: 3 December 2026 at 2:05pm; ``|govuk_datetime:"short"`` for
    a table's cells, 3 Dec 2026 at 2:05pm."""
    if not value:
        return ""
    return dates.date_and_time(value, short=style == "short")
