"""Forms of quarterly assurance. They check what people typed; the services check the rules."""

from datetime import date

from django import forms

from procurement.dates import QUARTERS, financial_quarter, quarter_end, quarter_label
from procurement.forms import GovukForm, text_area

from .models import SignOff

# How many ended quarters the compile form offers.
QUARTERS_OFFERED = 8


def ended_quarters(today: date, compiled: frozenset = frozenset()) -> list[tuple[str, str]]:
    """Of the latest ``QUARTERS_OFFERED`` quarters that have ended, those not yet compiled,
    newest first, as choices "2026-1"."""
    year, quarter = financial_quarter(today)
    choices = []
    for _ in range(QUARTERS_OFFERED):
        quarter -= 1
        if quarter == 0:
            year, quarter = year - 1, QUARTERS[-1]
        if quarter_end(year, quarter) < today and (year, quarter) not in compiled:
            choices.append((f"{year}-{quarter}", quarter_label(year, quarter)))
    return choices


class CompileForm(GovukForm):
    quarter = forms.ChoiceField(
        label="Quarter",
        help_text="Its figures are compiled as they stand on the quarter's last day.",
        error_messages={"required": "Choose the quarter", "invalid_choice": "Choose the quarter"},
    )

    def __init__(self, *args, today: date, compiled: frozenset = frozenset(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["quarter"].choices = [
            ("", "Choose a quarter"),
            *ended_quarters(today, compiled),
        ]

    def clean(self):
        data = super().clean()
        if data.get("quarter"):
            year, quarter = data.pop("quarter").split("-")
            data["financial_year"], data["quarter"] = int(year), int(quarter)
        return data


class ChallengeForm(GovukForm):
    comment = text_area(
        "Your challenge",
        5,
        required=True,
        help_text="What the central team must answer or correct before you sign.",
        error_messages={"required": "Enter your challenge"},
    )


class ResponseForm(GovukForm):
    response = text_area(
        "Your answer",
        5,
        required=True,
        help_text="The report is submitted again with your answer.",
        error_messages={"required": "Enter your answer to the challenge"},
    )


class FinanceForm(GovukForm):
    statement = text_area(
        "Your advice on the financial figures",
        5,
        required=True,
        error_messages={"required": "Enter your advice on the financial figures"},
    )


class SignOffForm(GovukForm):
    assurance = forms.ChoiceField(
        label="The assurance you give",
        choices=SignOff.Assurance.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the assurance you give"},
    )
    statement = text_area(
        "Statement of assurance",
        6,
        required=True,
        help_text="As it will be reported to the council, its Cabinet and committees.",
        error_messages={"required": "Enter your statement of assurance"},
    )


class ReopenForm(GovukForm):
    reason = text_area(
        "Why is the quarter re-opened?",
        4,
        required=True,
        help_text="The signed statement is kept, marked as corrected, with this reason.",
        error_messages={"required": "Say why the quarter is re-opened"},
    )
