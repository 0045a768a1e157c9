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


class ReportDocumentForm(forms.Form):
    """The free-text parts of the weekly report document; the rest comes from the data."""

    doc_number = forms.CharField(
        label=_("Document number"),
        required=False,
        max_length=20,
        help_text=_("The number the office gives the report, written before /BC-STTTT. May stay blank for now."),
    )
    intro = forms.CharField(label=_("Introduction"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))
    assessment = forms.CharField(
        label=_("General assessment"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Section III of the report. The clause-by-clause figures and the districts' texts are added."),
    )
    proposals = forms.CharField(
        label=_("Proposals to the Provincial People's Committee"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    recipients = forms.CharField(
        label=_("Recipients"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One per line, as printed under “Nơi nhận”."),
    )
    signer_title = forms.CharField(
        label=_("Signer's title"),
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example GIÁM ĐỐC, or KT. GIÁM ĐỐC on one line and PHÓ GIÁM ĐỐC on the next."),
    )
    signer_name = forms.CharField(label=_("Signer's name"), required=False, max_length=200)
