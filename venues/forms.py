"""Forms for venue check-in (public and staff), the visitor log and inspections."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from rollout.timeutils import local_today
from rollout.validators import no_control_characters, normalize_id_number, normalize_phone
from venues.models import Inspection
from venues.services.checkins import CheckInInput

YES_NO = [("no", _("No")), ("yes", _("Yes"))]
HEALTH_QUESTIONS = [
    ("has_fever", _("Do you have a fever?")),
    ("has_cough", _("Do you have a cough?")),
    ("has_breathing_difficulty", _("Are you short of breath?")),
    ("had_contact", _("In the last 14 days, were you in contact with a confirmed COVID-19 case?")),
]
MAX_LOG_DAYS = 31


def _yes_no(label) -> forms.ChoiceField:
    return forms.ChoiceField(label=label, choices=YES_NO, initial="no", widget=forms.RadioSelect)


class VisitorFieldsMixin(forms.Form):
    """Name, phone and ID number, validated by the one rule in rollout.validators."""

    full_name = forms.CharField(
        label=_("Full name"),
        max_length=200,
        validators=[no_control_characters],
        error_messages={"required": _("Enter your full name.")},
        widget=forms.TextInput(attrs={"autocomplete": "name", "autocapitalize": "words"}),
    )
    phone = forms.CharField(
        label=_("Mobile phone"),
        max_length=20,
        validators=[no_control_characters],
        error_messages={"required": _("Enter your mobile number.")},
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
    )
    id_number = forms.CharField(
        label=_("ID number (optional)"),
        max_length=20,
        required=False,
        validators=[no_control_characters],
        help_text=_("Identity card (9 digits) or citizen identity card (12 digits)."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def visitor_fields(self):
        return [self[name] for name in ("full_name", "phone", "id_number")]

    def clean_full_name(self) -> str:
        name = " ".join(self.cleaned_data["full_name"].split())
        if len(name) < 2 or not any(ch.isalpha() for ch in name):
            raise ValidationError(_("Enter your full name as on your ID card."))
        return name

    def clean_phone(self) -> str:
        return normalize_phone(self.cleaned_data["phone"])

    def clean_id_number(self) -> str:
        value = self.cleaned_data["id_number"].strip()
        return normalize_id_number(value) if value else ""


class CheckInForm(VisitorFieldsMixin):
    has_fever = _yes_no(HEALTH_QUESTIONS[0][1])
    has_cough = _yes_no(HEALTH_QUESTIONS[1][1])
    has_breathing_difficulty = _yes_no(HEALTH_QUESTIONS[2][1])
    had_contact = _yes_no(HEALTH_QUESTIONS[3][1])

    def health_fields(self):
        return [self[name] for name, _label in HEALTH_QUESTIONS]

    def as_input(self) -> CheckInInput:
        data = self.cleaned_data
        return CheckInInput(
            full_name=data["full_name"],
            phone=data["phone"],
            id_number=data["id_number"],
            **{name: data[name] == "yes" for name, _label in HEALTH_QUESTIONS},
        )


class StaffEntryForm(CheckInForm):
    """Manual entry by venue staff for a visitor without a smartphone: phone or ID number is enough."""

    phone = forms.CharField(label=_("Mobile phone"), max_length=20, required=False, validators=[no_control_characters])

    def clean_phone(self) -> str:
        value = self.cleaned_data["phone"].strip()
        return normalize_phone(value) if value else ""

    def clean(self) -> dict:
        data = super().clean()
        given = data.get("phone") or data.get("id_number")
        if not given and not self.has_error("phone") and not self.has_error("id_number"):
            self.add_error("phone", _("Enter a mobile number or an ID number."))
        return data


class VisitorLookupForm(forms.Form):
    """Staff look a visitor up by phone or ID number (manual mode)."""

    query = forms.CharField(label=_("ID number or phone"), max_length=20)

    def clean_query(self) -> dict:
        raw = self.cleaned_data["query"]
        try:
            return {"phone": normalize_phone(raw)}
        except ValidationError:
            pass
        try:
            return {"id_number": normalize_id_number(raw)}
        except ValidationError:
            raise ValidationError(
                _("Enter a 10-digit mobile number or an ID number of 9 or 12 digits."), code="query"
            ) from None


class LogFilterForm(forms.Form):
    """Visitor log filter: one venue (optional) and a range of local days."""

    first = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    last = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    venue = forms.TypedChoiceField(label=_("Venue"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, venues=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["venue"].choices = [("", _("All venues")), *[(v.pk, v.name) for v in venues]]

    def clean(self) -> dict:
        data = super().clean()
        today = local_today()
        last = data.get("last") or data.get("first") or today
        first = data.get("first") or last
        if first > last:
            first, last = last, first
        if (last - first).days >= MAX_LOG_DAYS:
            raise ValidationError(_("Choose at most %(n)s days.") % {"n": MAX_LOG_DAYS})
        data["first"], data["last"] = first, last
        return data


class InspectionForm(forms.ModelForm):
    compliant = forms.TypedChoiceField(
        label=_("Result"),
        choices=[("yes", _("Compliant")), ("no", _("Not compliant"))],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )

    class Meta:
        model = Inspection
        fields = ["inspected_on", "inspector", "compliant", "violations", "sanction", "notes"]
        widgets = {
            "inspected_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "violations": forms.Textarea(attrs={"rows": 3}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "violations": _("What was wrong, e.g. no QR poster at the entrance, visitors not scanned."),
            "sanction": _("e.g. reminder, warning, administrative fine and its amount."),
        }

    def clean_inspected_on(self):
        day = self.cleaned_data["inspected_on"]
        today = local_today()
        if day > today:
            raise ValidationError(_("The inspection date cannot be in the future."))
        if day < today - timedelta(days=366):
            raise ValidationError(_("The inspection date is more than a year ago."))
        return day

    def clean(self) -> dict:
        data = super().clean()
        if data.get("compliant") is False and not (data.get("violations") or "").strip():
            self.add_error("violations", _("Describe the violations found."))
        return data
