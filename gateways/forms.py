from django import forms

from procurement.forms import MoneyField
from procurement.models import GatewayStage


class RoutingPreviewForm(forms.Form):
    """What the routing preview asks: a value, a gateway and the flags that change the route."""

    stage = forms.ChoiceField(
        label="Gateway",
        choices=GatewayStage.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the gateway",
            "invalid_choice": "Choose G0, G1, G2 or G3",
        },
    )
    value = MoneyField(
        label="Estimated whole-life value (£)",
        help_text="Including extension options, like £1,500,000.01",
        min_value=0,
        error_messages={"required": "Enter the estimated whole-life value"},
    )
    core = forms.BooleanField(label="It is a core service", required=False)
    complex = forms.BooleanField(label="It is high value or complex", required=False)
    extension = forms.BooleanField(
        label="It extends a contract (or reviews a key contract's performance)", required=False
    )

    def clean_core(self):
        return self._flag("core")

    def clean_complex(self):
        return self._flag("complex")

    def clean_extension(self):
        return self._flag("extension")

    def _flag(self, name: str) -> bool:
        # Pages send "on"; other systems send 1/0 or true/false.
        raw = str(self.data.get(name, "")).strip().lower()
        return raw in {"1", "true", "on", "yes"}
