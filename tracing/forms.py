"""Forms: parse the input of the tracing pages. Rules (window, retention, who the F0 is) live in services."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from rollout.timeutils import local_today, oldest_kept_day
from rollout.validators import no_control_characters
from tracing.models import CandidateStatus, ReasonKind
from tracing.services.followup import NOTE_MAX_CHARS

DAY = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def default_window() -> tuple:
    """The last ``TRACING_DEFAULT_DAYS`` local days, never before the oldest day still kept."""
    today = local_today()
    return max(today - timedelta(days=settings.TRACING_DEFAULT_DAYS - 1), oldest_kept_day(today)), today


class SearchForm(forms.Form):
    id_number = forms.CharField(
        label=_("ID number (CMND/CCCD)"), required=False, max_length=30, validators=[no_control_characters]
    )
    phone = forms.CharField(label=_("Phone"), required=False, max_length=30, validators=[no_control_characters])
    full_name = forms.CharField(
        label=_("Full name"),
        required=False,
        max_length=200,
        validators=[no_control_characters],
        help_text=_("Accents are optional. A name alone lists the people to choose from."),
    )
    start = forms.DateField(label=_("From"), widget=DAY, input_formats=["%Y-%m-%d"])
    end = forms.DateField(label=_("To"), widget=DAY, input_formats=["%Y-%m-%d"])
    reason_kind = forms.ChoiceField(label=_("Reason"), choices=ReasonKind.choices)
    reason = forms.CharField(
        label=_("Reason in words"),
        max_length=1000,
        validators=[no_control_characters],
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept in the audit log with the search."),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        start, end = default_window()
        self.fields["start"].initial, self.fields["end"].initial = start, end
        self.fields["start"].widget.attrs["min"] = f"{oldest_kept_day():%Y-%m-%d}"
        self.fields["end"].widget.attrs["max"] = f"{end:%Y-%m-%d}"
        self.fields["id_number"].widget.attrs.update(inputmode="numeric", autocomplete="off", autofocus=True)
        self.fields["phone"].widget.attrs.update(inputmode="tel", autocomplete="off")
        self.fields["full_name"].widget.attrs.update(autocomplete="off")


class MarkForm(forms.Form):
    status = forms.ChoiceField(label=_("Follow-up"), choices=CandidateStatus.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=NOTE_MAX_CHARS)
