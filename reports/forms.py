"""Forms of the reports app: parse input for the views; rules live in ``reports.fields`` and services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from reports import fields
from reports.models import ReviewDecision


class WeeklyReportForm(forms.Form):
    """The report, field by field. Every figure may stay blank in a draft; sending needs them all."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for figure in fields.NUMBERS:
            self.fields[figure.key] = forms.IntegerField(
                label=figure.label,
                help_text=figure.help,
                required=False,
                min_value=0,
                max_value=fields.MAX_NUMBER,
                widget=forms.NumberInput(attrs={"inputmode": "numeric", "data-figure": figure.key}),
            )
        for figure in fields.TEXTS:
            self.fields[figure.key] = forms.CharField(
                label=figure.label,
                help_text=figure.help,
                required=False,
                max_length=fields.MAX_TEXT,
                widget=forms.Textarea(attrs={"rows": 4}),
            )
        self.fields[fields.CONFIRM_KEY] = forms.BooleanField(
            label=_("The focal officer's name, phone and e-mail shown above are current"), required=False
        )

    def add_service_errors(self, problems: dict[str, str]) -> None:
        for key, message in problems.items():
            self.add_error(key if key in self.fields else None, message)


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=ReviewDecision.choices, widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    comment = forms.CharField(
        label=_("Comment to the district"),
        required=False,
        max_length=fields.MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when returning the report: say what to correct."),
    )


class RollupBuildForm(forms.Form):
    week_ending = forms.DateField(label=_("Week ending (Friday)"), input_formats=["%Y-%m-%d", "%d/%m/%Y"])
