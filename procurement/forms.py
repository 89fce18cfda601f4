"""Forms rendered as GOV.UK Frontend markup, with an error summary.

``GovukFormRenderer`` makes ``{{ form }}`` and ``{{ field }}`` emit GOV.UK form groups (label, hint,
error message, input) from templates/govuk/forms/. ``{% govuk_error_summary form %}`` (in
procurement/templatetags/govuk.py) puts the summary at the top of the page, each error linked to its
field. ``GovukDateField`` is the GOV.UK day / month / year date input.
"""

import re
from datetime import date
from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.core.exceptions import ValidationError
from django.forms.renderers import TemplatesSetting
from django.utils import timezone

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
    if kind == "number":
        # GOV.UK advises text inputs with a numeric keyboard rather than type=number.
        attrs["inputmode"] = "decimal"
    return attrs


class GovukDateInput(forms.MultiWidget):
    """Day, month and year boxes, as the GOV.UK date input pattern asks."""

    template_name = "govuk/forms/widgets/date_input.html"
    parts = ("day", "month", "year")

    def __init__(self, attrs=None):
        widgets = {
            part: forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false"})
            for part in self.parts
        }
        super().__init__(widgets, attrs)

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
    widget = GovukDateInput
    input_formats = ["%d/%m/%Y"]
    default_error_messages = {
        "invalid": "Enter a real date, for example 27 3 2026",
    }


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


class SignInForm(auth_forms.AuthenticationForm):
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


class PasswordResetForm(auth_forms.PasswordResetForm):
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


class ApiTokenForm(forms.Form):
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
