"""Forms rendered as GOV.UK Frontend markup, with an error summary.

``GovukFormRenderer`` makes ``{{ form }}`` and ``{{ field }}`` emit GOV.UK form groups (label, hint,
error message, input) from templates/govuk/forms/. ``{% govuk_error_summary form %}`` (in
procurement/templatetags/govuk.py) puts the summary at the top of the page, each error linked to the
input that shows it. ``GovukForm`` / ``GovukModelForm`` give every field messages that name it and
select boxes a "Choose a …" first line (docs/decisions/0038). ``GovukDateField`` is the GOV.UK day /
month / year date input, which says and highlights which part is wrong.
"""

import functools
import re
from datetime import date
from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.core.exceptions import ValidationError
from django.forms.renderers import TemplatesSetting
from django.forms.utils import pretty_name
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.safestring import SafeString

from . import cpv
from .lockout import client_address
from .passwords import password_reset_request


class GovukFormRenderer(TemplatesSetting):
    form_template_name = "govuk/forms/form.html"
    field_template_name = "govuk/forms/field.html"


# The CSS class GOV.UK Frontend gives each kind of widget, and its error modifier.
WIDGET_CLASSES = {
    "text": ("govuk-input", "govuk-input--error"),
    "email": ("govuk-input", "govuk-input--error"),
    "number": ("govuk-input", "govuk-input--error"),
    "password": ("govuk-input", "govuk-input--error"),
    "url": ("govuk-input", "govuk-input--error"),
    "textarea": ("govuk-textarea", "govuk-textarea--error"),
    "select": ("govuk-select", "govuk-select--error"),
    "clearablefile": ("govuk-file-upload", "govuk-file-upload--error"),
    "file": ("govuk-file-upload", "govuk-file-upload--error"),
}


def widget_attrs(bound_field: forms.BoundField) -> dict[str, str]:
    """The attributes GOV.UK markup needs on a field's input: class, error state, described-by."""
    kind = bound_field.widget_type
    base, error = WIDGET_CLASSES.get(kind, ("", ""))
    classes = [base, bound_field.field.widget.attrs.get("class", "")]
    if bound_field.errors:
        classes.append(error)
    described_by = []
    if bound_field.help_text:
        described_by.append(f"{bound_field.auto_id}-hint")
    if bound_field.errors:
        described_by.append(f"{bound_field.auto_id}-error")
    attrs = {"class": " ".join(c for c in classes if c)}
    if described_by:
        attrs["aria-describedby"] = " ".join(described_by)
    if kind == "govukdate":
        # The date input marks only the boxes in error (GovukDateInput.get_context).
        parts = getattr(bound_field.field, "error_parts", DATE_PARTS)
        return {"error_parts": " ".join(parts) if bound_field.errors else ""}
    if kind == "number":
        # GOV.UK advises text inputs with a numeric keyboard rather than type=number.
        attrs["inputmode"] = "decimal"
    return attrs


DATE_PARTS = ("day", "month", "year")


class GovukDateInput(forms.MultiWidget):
    """Day, month and year boxes, as the GOV.UK date input pattern asks: each box's id is the
    field's id and its part (``id_start_day``), and the boxes in error are marked."""

    template_name = "govuk/forms/widgets/date_input.html"
    parts = DATE_PARTS

    def __init__(self, attrs=None):
        widgets = {
            part: forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false"})
            for part in self.parts
        }
        super().__init__(widgets, attrs)

    def get_context(self, name, value, attrs):
        attrs = dict(attrs or {})
        error_parts = set(attrs.pop("error_parts", "").split())
        context = super().get_context(name, value, attrs)
        field_id = context["widget"]["attrs"].get("id")
        for part, subwidget in zip(self.parts, context["widget"]["subwidgets"], strict=True):
            if field_id:
                subwidget["attrs"]["id"] = f"{field_id}_{part}"
            subwidget["label"] = part.capitalize()
            subwidget["error"] = part in error_parts
        return context

    def decompress(self, value):
        if isinstance(value, date):
            return [value.day, value.month, value.year]
        if isinstance(value, str) and value.count("/") == 2:
            # What the person typed, shown back to them when it is not a real date.
            return value.split("/")
        return [None, None, None]

    def value_from_datadict(self, data, files, name):
        day, month, year = ((data.get(f"{name}_{part}") or "").strip() for part in self.parts)
        if not (day or month or year):
            return ""
        return f"{day}/{month}/{year}"

    def value_omitted_from_data(self, data, files, name):
        return all(f"{name}_{part}" not in data for part in self.parts)


class GovukDateField(forms.DateField):
    """A date typed as day, month and year. A missing or impossible part is named in the message
    ("Start date must include a month") and only that box is highlighted; ``error_parts`` says
    which boxes the last check found wrong (all three for any other error)."""

    widget = GovukDateInput
    input_formats = ["%d/%m/%Y"]
    default_error_messages = {
        "invalid": "%(label)s must be a real date",
        "incomplete": "%(label)s must include a %(parts)s",
    }

    def __init__(self, *, described_as: str = "", **kwargs):
        super().__init__(**kwargs)
        self.error_parts: tuple[str, ...] = DATE_PARTS
        # How messages name the date where the label is a word like "From" ("Start date").
        self.described_as = described_as

    def to_python(self, value):
        self.error_parts = DATE_PARTS
        if not (isinstance(value, str) and value.count("/") == 2):
            return super().to_python(value)
        typed = dict(zip(DATE_PARTS, (v.strip() for v in value.split("/")), strict=True))
        label = sentence_label(self)
        missing = tuple(part for part in DATE_PARTS if not typed[part])
        if missing:
            self.error_parts = missing
            raise ValidationError(
                self.error_messages["incomplete"],
                code="incomplete",
                params={"label": label, "parts": " and ".join(missing)},
            )
        # ASCII digits only, and no more of them than the part can have: int() would read "²"
        # wrongly and a 40,000-digit "day" slowly.
        shapes = {"day": (r"[0-9]{1,2}", 1, 31), "month": (r"[0-9]{1,2}", 1, 12)}
        shapes["year"] = (r"[0-9]{4}", 1000, 9999)
        wrong = tuple(
            part
            for part, (shape, low, high) in shapes.items()
            if not re.fullmatch(shape, typed[part]) or not low <= int(typed[part]) <= high
        )
        if wrong:
            self.error_parts = wrong
        else:
            try:
                return date(int(typed["year"]), int(typed["month"]), int(typed["day"]))
            except ValueError:
                pass  # a 31st in a 30-day month: the whole date is wrong
        raise ValidationError(
            self.error_messages["invalid"], code="invalid", params={"label": label}
        )


# --- Messages that name their field -------------------------------------------------------------


@functools.cache
def django_messages() -> frozenset[str]:
    """Django's own messages ("This field is required.", "Enter a number."): a field still
    showing one of these gets the service's wording instead."""
    classes = [c for c in vars(forms.fields).values() if isinstance(c, type)]
    classes += [forms.ModelChoiceField, forms.ModelMultipleChoiceField]
    return frozenset(
        str(message)
        for field_class in classes
        if issubclass(field_class, forms.Field)
        for klass in field_class.__mro__
        for message in getattr(klass, "default_error_messages", {}).values()
    )


DJANGO_EMPTY_LABEL = "---------"
QUESTION_WORDS = ("who", "what", "which", "why", "when", "where", "how", "is", "are", "do", "does")


def sentence_label(field: forms.Field, name: str = "") -> str:
    """The field's label as the start of a sentence: no unit in brackets, no trailing colon."""
    label = str(getattr(field, "described_as", "") or field.label or pretty_name(name)).strip()
    label = re.sub(r"\s*\([^)]*\)$", "", label).rstrip(":").strip()
    return label[:1].upper() + label[1:]


def _noun(label: str) -> str:
    """ "Lead officer" → "lead officer"; acronyms ("KPI name") keep their capitals."""
    first = label.split(" ", 1)[0]
    if len(first) > 1 and first[1:2].isupper():
        return label
    return label[:1].lower() + label[1:]


def _the(label: str) -> str:
    noun = _noun(label)
    if noun.split(" ", 1)[0].lower() in {"the", "a", "an", "your", "their", "its", "each"}:
        return noun
    return f"the {noun}"


def _a(label: str) -> str:
    noun = _noun(label)
    if noun.split(" ", 1)[0].lower() in {"the", "a", "an", "your", "their", "its", "each"}:
        return noun
    return f"{'an' if noun[:1].lower() in 'aeiou' else 'a'} {noun}"


def _is_question(label: str) -> bool:
    return label.endswith("?") or label.split(" ", 1)[0].lower() in QUESTION_WORDS


def _chooses(field: forms.Field) -> bool:
    return isinstance(field, forms.ChoiceField | forms.ModelChoiceField) or isinstance(
        field.widget, forms.Select | forms.RadioSelect | forms.CheckboxSelectMultiple
    )


def field_messages(field: forms.Field, name: str) -> dict[str, str]:
    """The GOV.UK messages for ``field``, built from its label: "Enter the title", "Select the
    directorate", "Quality weight must be a whole number"."""
    label = sentence_label(field, name)
    question = _is_question(label)
    if isinstance(field, forms.BooleanField):
        required = f"Select “{label}” to continue"
    elif isinstance(field, forms.FileField):
        required = f"Select {_a(label)}" if not question else "Select a file"
    elif _chooses(field):
        required = f"Select {_the(label)}" if not question else f"Answer “{label}”"
    else:
        required = f"Enter {_the(label)}" if not question else f"Answer “{label}”"
    choose = f"Choose {_the(label)} from the list"
    if question:
        choose = f"Choose one of the answers to “{label}”"
    messages = {
        "required": required,
        "invalid_choice": choose,
        "invalid_list": choose,
        "invalid_pk_value": choose,
        "max_length": f"{label} must be %(limit_value)d characters or fewer",
        "min_length": f"{label} must be %(limit_value)d characters or more",
        "min_value": f"{label} must be %(limit_value)s or more",
        "max_value": f"{label} must be %(limit_value)s or less",
        "max_digits": f"{label} must have no more than %(max)s digits",
        "max_decimal_places": f"{label} must have no more than %(max)s decimal places",
        "max_whole_digits": f"{label} must have no more than %(max)s digits before the point",
        "empty": f"The selected file for {_noun(label)} is empty",
    }
    if isinstance(field, forms.DecimalField | forms.FloatField):  # before IntegerField, their base
        messages["invalid"] = f"{label} must be a number"
    elif isinstance(field, forms.IntegerField):
        messages["invalid"] = f"{label} must be a whole number"
    elif isinstance(field, forms.EmailField):
        messages["invalid"] = (
            "Enter an email address in the correct format, like name@example.gov.uk"
        )
    elif isinstance(field, forms.URLField):
        messages["invalid"] = (
            "Enter a web address in the correct format, like https://www.example.gov.uk"
        )
    elif isinstance(field, forms.DateField | forms.DateTimeField):
        messages["invalid"] = f"{label} must be a real date"
    elif isinstance(field, forms.FileField):
        messages["invalid"] = f"The selected file for {_noun(label)} could not be read"
    return messages


def govuk_field(field: forms.Field, name: str) -> None:
    """Give ``field`` the service's wording where it still has Django's: its messages, and its
    select box's first line ("Choose a directorate" rather than "---------")."""
    if getattr(field, "_govuk_worded", False):
        return
    field._govuk_worded = True
    for code, message in field_messages(field, name).items():
        current = field.error_messages.get(code)
        if current is None or str(current) in django_messages():
            field.error_messages[code] = message
    label = sentence_label(field, name)
    first_line = "Choose one" if _is_question(label) else f"Choose {_a(label)}"
    if isinstance(field, forms.ModelChoiceField) and field.empty_label == DJANGO_EMPTY_LABEL:
        field.empty_label = first_line
    elif isinstance(field, forms.ChoiceField) and not isinstance(field, forms.ModelChoiceField):
        choices = list(field.choices)
        if any(value == "" and str(text) == DJANGO_EMPTY_LABEL for value, text in choices):
            field.choices = [
                (value, first_line if value == "" and str(text) == DJANGO_EMPTY_LABEL else text)
                for value, text in choices
            ]


class GovukFormMixin:
    """Every field worded by ``govuk_field`` before the form is checked or shown, including
    fields a form adds in its own ``__init__``."""

    def _govuk_fields(self) -> None:
        for name, field in self.fields.items():
            govuk_field(field, name)

    def full_clean(self):
        self._govuk_fields()
        super().full_clean()

    def __getitem__(self, name):
        if name in self.fields:
            govuk_field(self.fields[name], name)
        return super().__getitem__(name)


class GovukForm(GovukFormMixin, forms.Form):
    """A form whose messages name their fields (docs/decisions/0038)."""


class GovukModelForm(GovukFormMixin, forms.ModelForm):
    """A model form whose messages name their fields (docs/decisions/0038)."""


# The code of a whole-form error that concerns no field (a refusal of the person): the error
# summary lists it without a link to any field.
NOT_A_FIELD = "not_a_field"


def show_error(form, error: Exception) -> None:
    """Show a service's refusal on the form, against the field it concerns."""
    if isinstance(error, ValidationError):
        if not hasattr(error, "error_dict"):
            form.add_error(None, error)
            return
        # The model's rules name its own fields; a form without that field shows them at the top.
        for name, messages in error.message_dict.items():
            form.add_error(name if name in form.fields else None, messages)
        return
    field = getattr(error, "field", None)
    form.add_error(field if field in form.fields else None, str(error))


def text_area(label: str, rows: int = 4, required: bool = False, **kwargs) -> forms.CharField:
    """A multi-line text field of ``rows`` lines."""
    return forms.CharField(
        label=label, required=required, widget=forms.Textarea(attrs={"rows": rows}), **kwargs
    )


class MoneyField(forms.DecimalField):
    """Pounds as people type them: "£1,234.50", "1234.5" and " 1 234 " all read as 1234.50."""

    default_error_messages = {"invalid": "Enter an amount of money, like £1,234.50"}

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(**kwargs)
        self.widget.input_type = "text"
        self.widget.attrs.update({"inputmode": "decimal", "spellcheck": "false"})

    def to_python(self, value):
        if isinstance(value, str):
            value = re.sub(r"[£,\s]", "", value)
        return super().to_python(value)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.pop("step", None)
        return attrs


def _cpv_hint() -> str:
    from django.urls import reverse
    from django.utils.html import format_html

    return format_html(
        "Eight digits, a hyphen and the check digit, like {}. Leave blank if not known. "
        '<a class="govuk-link" href="{}" target="_blank" rel="noopener">Find a CPV code '
        "(opens in new tab)</a>",
        cpv.EXAMPLE,
        reverse("procurement:cpv_codes"),
    )


class CpvCodeField(forms.CharField):
    """A CPV code as people type it (procurement/cpv.py): read as the list writes it, and
    refused, with why, unless it is in the CPV 2008 list with its check digit. ``codes`` (the
    list by digits) is given where one form checks many rows, so each is not a query."""

    def __init__(self, *, codes=None, **kwargs):
        kwargs.setdefault("label", "CPV code")
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("help_text", lazy(_cpv_hint, SafeString)())
        super().__init__(**kwargs)
        self.codes = codes
        self.widget.attrs.update(
            {"class": "govuk-input--width-10", "spellcheck": "false", "autocomplete": "off"}
        )

    def clean(self, value):
        return cpv.clean(super().clean(value), codes=self.codes)


class CpvImportForm(GovukForm):
    file = forms.FileField(
        label="Upload the CPV 2008 list",
        help_text="The official file, cpv_2008_ver_2013.xlsx, or the same saved as CSV.",
        error_messages={"required": "Choose the file to load"},
    )


class PlanThemeForm(GovukForm):
    """A theme of the council's plan; changing one asks why (kept in its history)."""

    name = forms.CharField(
        label="Theme",
        max_length=120,
        error_messages={"required": "Enter the theme's name"},
    )
    description = text_area(
        "What the plan means by it",
        help_text="Optional. Officers see it when they say how a procurement addresses the theme.",
    )
    order = forms.IntegerField(
        label="Place in the list",
        min_value=0,
        max_value=999,
        initial=0,
        help_text="Themes are listed from the lowest number.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-3"}),
    )
    is_active = forms.BooleanField(
        label="In the council's current plan",
        required=False,
        initial=True,
        help_text="Untick to retire it: strategies and reviews can then no longer name it.",
    )
    change_reason = forms.CharField(
        label="Why are you making this change?",
        max_length=250,
        help_text="Kept in the history with your name and the time.",
        error_messages={"required": "Say why you are making this change"},
    )

    def __init__(self, *args, adding: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if adding:
            del self.fields["is_active"]
            self.fields["change_reason"].label = "Why is it being added?"
            self.fields["change_reason"].initial = "A theme of the council's plan"


class SignInForm(GovukFormMixin, auth_forms.AuthenticationForm):
    """Sign in with a work email address and password, with GOV.UK error messages."""

    error_messages = {
        "invalid_login": "Enter a correct email address and password",
        "inactive": "This account has been deactivated. Ask your administrator.",
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = "Email address"
        self.fields["username"].widget = forms.EmailInput(
            attrs={"autocomplete": "email", "spellcheck": "false", "autofocus": True}
        )
        self.fields["username"].error_messages["required"] = "Enter your email address"
        self.fields["password"].error_messages["required"] = "Enter your password"

    def clean_username(self) -> str:
        # Addresses are stored in lower case; people type them however they like.
        return self.cleaned_data["username"].strip().lower()

    def clean(self):
        try:
            return super().clean()
        except forms.ValidationError:
            until = getattr(self.request, "sign_in_locked_until", None)
            if until is None:
                raise
            raise forms.ValidationError(
                "Too many failed attempts to sign in. Try again after "
                f"{timezone.localtime(until):%H:%M}, or reset your password.",
                code="locked",
            ) from None


class PasswordResetForm(GovukFormMixin, auth_forms.PasswordResetForm):
    """Ask for a reset link: the address is counted and handed to a task, never looked up here,
    so every address takes the same path (procurement/passwords.py)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].label = "Email address"
        self.fields["email"].error_messages["required"] = "Enter your email address"
        self.fields["email"].error_messages["invalid"] = (
            "Enter an email address in the correct format, like name@example.gov.uk"
        )

    def save(self, *, request, **unused) -> None:
        # The link goes to the service's own address, never to whatever Host the request named.
        site = urlsplit(settings.SITE_URL)
        password_reset_request(
            email=self.cleaned_data["email"],
            network_address=client_address(request),
            protocol=site.scheme,
            domain=site.netloc,
        )


class SetPasswordForm(GovukFormMixin, auth_forms.SetPasswordForm):
    """Choose a new password, with messages that say which box is wrong."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].error_messages["required"] = "Enter a new password"
        self.fields["new_password2"].label = "Confirm new password"
        self.fields["new_password2"].error_messages["required"] = "Enter the new password again"


class PasswordChangeForm(GovukFormMixin, auth_forms.PasswordChangeForm):
    """Change a password: the current one, then the new one twice."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = "Current password"
        self.fields["old_password"].error_messages["required"] = "Enter your current password"
        self.fields["new_password1"].error_messages["required"] = "Enter a new password"
        self.fields["new_password2"].label = "Confirm new password"
        self.fields["new_password2"].error_messages["required"] = "Enter the new password again"


class ApiTokenForm(GovukForm):
    name = forms.CharField(
        label="Name",
        max_length=100,
        help_text="What will use it, for example “Finance system”.",
        error_messages={"required": "Name the token after what will use it"},
    )
    expires_on = GovukDateField(
        label="Expires on",
        help_text="It stops working at the end of this day: a year from today at most.",
        error_messages={"required": "Enter the day it expires"},
    )
