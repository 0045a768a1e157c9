"""Forms: parse the input of the declaration and arrival pages. Rules and saving live in services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from checkpoints.models import DeclarationKind, PcCovid, TestKind, TestResult, Vehicle
from checkpoints.services.arrivals import ArrivalInput
from checkpoints.services.declarations import DeclarationInput
from checkpoints.units import unit_index
from rollout.text import vi_sort_key
from rollout.validators import no_control_characters

EMPTY = [("", "—")]
DATETIME_LOCAL = "%Y-%m-%dT%H:%M"
SYMPTOMS = [
    ("fever", _("Fever")),
    ("cough", _("Cough")),
    ("breath", _("Shortness of breath")),
    ("throat", _("Sore throat")),
    ("smell", _("Loss of taste or smell")),
    ("tired", _("Tiredness or body aches")),
]


def _code(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _sorted(items: dict[int, str], keep) -> list[tuple[int, str]]:
    return sorted(((code, name) for code, name in items.items() if keep(code)), key=lambda item: vi_sort_key(item[1]))


class UnitChoicesMixin:
    """Origin province -> district -> commune and destination district -> commune as selects.

    Choices for a lower level are those of the chosen parent (from the submitted data or the
    initial values); the page's script reloads them when the parent changes.
    """

    unit_fields = (
        "origin_province",
        "origin_district",
        "origin_commune",
        "destination_district",
        "destination_commune",
    )

    def _value(self, name: str) -> int | None:
        if self.is_bound:
            return _code(self.data.get(self.add_prefix(name)))
        return _code(self.initial.get(name))

    def setup_units(self) -> None:
        index = unit_index()
        home = settings.HOME_PROVINCE_CODE
        province, district = self._value("origin_province"), self._value("origin_district")
        destination = self._value("destination_district")
        choices = {
            "origin_province": _sorted(index.province_name, lambda c: True),
            "origin_district": _sorted(index.district_name, lambda c: index.district_province[c] == province),
            "origin_commune": _sorted(index.commune_name, lambda c: index.commune_district[c] == district)
            if district
            else [],
            "destination_district": _sorted(index.district_name, lambda c: index.district_province[c] == home),
            "destination_commune": _sorted(index.commune_name, lambda c: index.commune_district[c] == destination)
            if destination
            else [],
        }
        for name, items in choices.items():
            if name in self.fields:
                self.fields[name].choices = EMPTY + items
                self.fields[name].widget.attrs["data-picker"] = ""
        for name, parent, url_param in (
            ("origin_province", "origin_district", "province"),
            ("origin_district", "origin_commune", "district"),
            ("destination_district", "destination_commune", "district"),
        ):
            if name in self.fields and parent in self.fields:
                self.fields[name].widget.attrs.update({"data-units-child": parent, "data-units-param": url_param})


def _unit(label, required: bool = False) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(label=label, coerce=int, empty_value=None, required=required, choices=EMPTY)


class TravelFields(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=200, validators=[no_control_characters])
    birth_year = forms.IntegerField(label=_("Year of birth"), min_value=1900, max_value=2100, required=False)
    id_number = forms.CharField(label=_("ID number"), max_length=20, required=False, validators=[no_control_characters])
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False, validators=[no_control_characters])
    origin_province = _unit(_("From province"))
    origin_district = _unit(_("From district"))
    origin_commune = _unit(_("From commune"))
    destination_district = _unit(_("Destination district"), required=True)
    destination_commune = _unit(_("Destination commune"))
    destination_address = forms.CharField(label=_("Address at destination"), max_length=300, required=False)
    vehicle = forms.ChoiceField(label=_("Vehicle"), choices=EMPTY + list(Vehicle.choices), required=False)
    plate = forms.CharField(label=_("Number plate"), max_length=20, required=False)
    purpose = forms.CharField(label=_("Purpose of the trip"), max_length=300, required=False)
    vaccine_doses = forms.TypedChoiceField(
        label=_("Vaccine doses"), coerce=int, choices=[(n, str(n)) for n in range(6)], initial=0, required=False
    )
    last_dose_on = forms.DateField(
        label=_("Date of the last dose"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    latest_test = forms.ChoiceField(label=_("Latest test"), choices=TestKind.choices, initial=TestKind.NONE)
    latest_test_result = forms.ChoiceField(label=_("Its result"), choices=TestResult.choices, required=False)
    latest_test_on = forms.DateField(
        label=_("Date of the latest test"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def travel_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        values = {name: data.get(name) for name in self.travel_field_names if name in data}
        values["vaccine_doses"] = data.get("vaccine_doses") or 0
        return values

    travel_field_names = (
        "full_name", "birth_year", "id_number", "phone", "origin_province", "origin_district", "origin_commune",
        "destination_district", "destination_commune", "destination_address", "vehicle", "plate", "purpose",
        "vaccine_doses", "last_dose_on", "latest_test", "latest_test_result", "latest_test_on",
    )  # fmt: skip


class DeclarationForm(UnitChoicesMixin, TravelFields):
    """The public health or domestic travel declaration."""

    travel_date = forms.DateField(
        label=_("Travel date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    symptom_list = forms.MultipleChoiceField(
        label=_("In the last 14 days, have you had any of these?"),
        choices=SYMPTOMS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    contact_with_case = forms.BooleanField(
        label=_("I have been in contact with a confirmed COVID-19 case in the last 14 days"), required=False
    )
    truthful = forms.BooleanField(
        label=_("I declare that this information is true and I will update it if it changes."), required=True
    )

    field_order = [
        "full_name", "birth_year", "id_number", "phone", "travel_date", "origin_province", "origin_district",
        "origin_commune", "vehicle", "plate", "purpose", "destination_district", "destination_commune",
        "destination_address", "vaccine_doses", "last_dose_on", "latest_test", "latest_test_result", "latest_test_on",
        "symptom_list", "contact_with_case", "truthful",
    ]  # fmt: skip

    def __init__(self, *args, kind: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        if kind == DeclarationKind.HEALTH:
            for name in ("origin_province", "origin_district", "origin_commune", "travel_date", "vehicle", "plate"):
                del self.fields[name]
            del self.fields["purpose"]
            self.fields["destination_district"].label = _("District where you live or stay")
            self.fields["destination_commune"].label = _("Commune where you live or stay")
            self.fields["destination_address"].label = _("Address")
        else:
            self.fields["origin_province"].required = True
            self.fields["travel_date"].required = True
        self.fields["full_name"].widget.attrs.update({"autocomplete": "name", "data-remember": "full_name"})
        self.fields["phone"].widget.attrs.update(
            {"type": "tel", "inputmode": "tel", "autocomplete": "tel", "data-remember": "phone"}
        )
        self.fields["id_number"].widget.attrs.update({"inputmode": "numeric", "data-remember": "id_number"})
        self.fields["birth_year"].widget.attrs.update({"data-remember": "birth_year"})
        self.setup_units()

    def to_input(self) -> DeclarationInput:
        labels = dict(SYMPTOMS)
        with translation.override("vi"):  # stored once, in the language of the lists
            symptoms = ", ".join(str(labels[s]) for s in self.cleaned_data.get("symptom_list", []))
        return DeclarationInput(
            **self.travel_values(),
            symptoms=symptoms,
            kind=self.kind,
            travel_date=self.cleaned_data.get("travel_date"),
            contact_with_case=self.cleaned_data.get("contact_with_case", False),
        )


class ArrivalForm(UnitChoicesMixin, TravelFields):
    """The checkpoint's keyboard-first form. Field order is the tab order: ID first, time last."""

    temperature = forms.CharField(label=_("Temperature (°C)"), max_length=6, required=False)
    test_at_checkpoint = forms.ChoiceField(
        label=_("Test at the checkpoint"), choices=TestKind.choices, initial=TestKind.NONE
    )
    test_at_checkpoint_result = forms.ChoiceField(label=_("Result"), choices=TestResult.choices, required=False)
    symptoms = forms.CharField(label=_("Symptoms"), max_length=300, required=False)
    pc_covid = forms.ChoiceField(label=_("PC-Covid"), choices=PcCovid.choices, required=False)
    notes = forms.CharField(label=_("Notes"), max_length=2000, required=False)
    keep_vehicle = forms.BooleanField(label=_("The next person travels with this one"), required=False)
    arrived_at = forms.DateTimeField(
        label=_("Arrived at"),
        input_formats=[DATETIME_LOCAL, "%d/%m/%Y %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
    )
    # The time shown when the page was drawn: if the user left it as it was, "now" is when they save.
    arrived_at_shown = forms.CharField(required=False, widget=forms.HiddenInput)
    checkpoint = forms.ModelChoiceField(label=_("Checkpoint"), queryset=None, empty_label=None)
    declaration = forms.CharField(required=False, widget=forms.HiddenInput)

    field_order = [
        "id_number", "phone", "full_name", "birth_year", "origin_province", "origin_district", "origin_commune",
        "destination_district", "destination_commune", "destination_address", "vehicle", "plate", "temperature",
        "test_at_checkpoint", "test_at_checkpoint_result", "pc_covid", "vaccine_doses", "symptoms", "notes",
        "keep_vehicle", "purpose", "last_dose_on", "latest_test", "latest_test_result", "latest_test_on", "arrived_at",
        "checkpoint",
    ]  # fmt: skip
    more_fields = ("purpose", "last_dose_on", "latest_test", "latest_test_result", "latest_test_on")

    def __init__(self, *args, checkpoints, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["checkpoint"].queryset = checkpoints
        attrs = {
            "id_number": {"inputmode": "numeric", "autocomplete": "off", "autofocus": True},
            "phone": {"inputmode": "tel", "autocomplete": "off"},
            "full_name": {"autocomplete": "off"},
            "birth_year": {"inputmode": "numeric"},
            "temperature": {"inputmode": "decimal", "placeholder": "36.5"},
            "plate": {"autocomplete": "off"},
        }
        for name, extra in attrs.items():
            self.fields[name].widget.attrs.update(extra)
        self.setup_units()

    @property
    def main_fields(self):
        skip = {*self.more_fields, "arrived_at", "checkpoint", "keep_vehicle"}
        return [f for f in self.visible_fields() if f.name not in skip]

    @property
    def extra_fields(self):
        return [self[name] for name in self.more_fields]

    def clean(self) -> dict:
        data = super().clean()
        shown = data.get("arrived_at_shown") or ""
        arrived = data.get("arrived_at")
        if arrived and shown and self.data.get(self.add_prefix("arrived_at")) == shown:
            data["arrived_at"] = timezone.now()  # untouched default: the moment of saving
        return data

    def to_input(self, *, declaration_id: int | None) -> ArrivalInput:
        data = self.cleaned_data
        return ArrivalInput(
            **self.travel_values(),
            checkpoint=data["checkpoint"].pk,
            arrived_at=data["arrived_at"],
            temperature=data.get("temperature") or None,
            test_at_checkpoint=data.get("test_at_checkpoint") or TestKind.NONE,
            test_at_checkpoint_result=data.get("test_at_checkpoint_result") or "",
            symptoms=data.get("symptoms") or "",
            notes=data.get("notes") or "",
            pc_covid=data.get("pc_covid") or "",
            declaration=declaration_id,
        )


class ImportForm(forms.Form):
    checkpoint = forms.ModelChoiceField(label=_("Checkpoint"), queryset=None, empty_label=None)
    file = forms.FileField(
        label=_("File (.xlsx or .csv)"), widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"})
    )

    def __init__(self, *args, checkpoints, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["checkpoint"].queryset = checkpoints

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The file is too large (limit %(mb)s MB).") % {"mb": settings.MAX_UPLOAD_BYTES // (1024 * 1024)}
            )
        return upload
