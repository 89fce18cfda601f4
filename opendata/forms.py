from django import forms

from procurement.forms import GovukDateField, GovukForm


class NoticeForm(GovukForm):
    notice_id = forms.CharField(
        label="Find a Tender notice identifier",
        help_text="As Find a Tender shows it, for example 012345-2025.",
        max_length=20,
        error_messages={"required": "Enter the notice identifier"},
    )
    published_on = GovukDateField(
        label="Published on", error_messages={"required": "Enter the day it was published"}
    )
