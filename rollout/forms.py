"""Forms: parse and validate input for views. Saving happens in services."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from rollout.models import Agency, Checkpoint, Commune, District, HealthFacility, Role, Venue
from rollout.models.accounts import ROLE_SCOPE_FIELD
from rollout.text import vi_sort_key
from rollout.validators import normalize_phone


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _(
            "Wrong username or password. After several failed attempts the account is locked for a while."
        ),
        "inactive": _("This account has been deactivated."),
    }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update({"autocomplete": "username", "autofocus": True})
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})


class _VietnameseOrder(forms.models.ModelChoiceIterator):
    """The choices in Vietnamese alphabetical order of their labels, whatever the queryset's order."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        choices = [self.choice(obj) for obj in self.queryset]
        yield from sorted(choices, key=lambda choice: vi_sort_key(str(choice[1])))


def searchable(*fields: forms.Field) -> None:
    """Long pickers (units, agencies, facilities): Vietnamese order, and a search box in the browser
    (static/js/pickers.js) that finds "Đà Nẵng" from "da n"."""
    for field in fields:
        if isinstance(field, forms.ModelChoiceField):
            field.iterator = _VietnameseOrder
            field.widget.choices = field.choices
        field.widget.attrs["data-picker"] = ""


def home_districts():
    return District.objects.filter(province_id=settings.HOME_PROVINCE_CODE)


class ScopeFieldsMixin(forms.Form):
    """Role plus the one scope field that role needs; the page shows only the relevant one."""

    # No role is chosen for the officer: the first one listed is the most powerful.
    role = forms.ChoiceField(
        label=_("Role"),
        choices=[("", _("— choose a role —")), *Role.choices],
        error_messages={"required": _("Choose the role of the account.")},
    )
    district = forms.ModelChoiceField(label=_("District"), queryset=District.objects.none(), required=False)
    checkpoint = forms.ModelChoiceField(label=_("Checkpoint"), queryset=Checkpoint.objects.none(), required=False)
    agency = forms.ModelChoiceField(label=_("Agency"), queryset=Agency.objects.none(), required=False)
    facility = forms.ModelChoiceField(
        label=_("Health facility"), queryset=HealthFacility.objects.none(), required=False
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = home_districts()
        self.fields["checkpoint"].queryset = Checkpoint.objects.filter(is_active=True)
        self.fields["agency"].queryset = Agency.objects.select_related("district")
        self.fields["facility"].queryset = HealthFacility.objects.all()
        for name in ("district", "checkpoint", "agency", "facility"):
            self.fields[name].widget.attrs["data-scope"] = name
        searchable(*(self.fields[name] for name in ("district", "checkpoint", "agency", "facility")))
        self.fields["role"].widget.attrs["data-role-select"] = "1"

    def clean(self) -> dict:
        data = super().clean()
        field = ROLE_SCOPE_FIELD.get(data.get("role", ""))
        if field and not data.get(field):
            self.add_error(field, _("This role needs this field."))
        return data

    @property
    def scope_id(self) -> int | None:
        field = ROLE_SCOPE_FIELD.get(self.cleaned_data["role"])
        return self.cleaned_data[field].pk if field else None


class AccountForm(ScopeFieldsMixin):
    username = forms.CharField(label=_("Username"), max_length=150)
    full_name = forms.CharField(label=_("Full name"), max_length=200)
    email = forms.EmailField(label=_("E-mail"), help_text=_("The invitation to set a password is sent here."))
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)

    field_order = ["username", "full_name", "email", "phone", "role", "district", "checkpoint", "agency", "facility"]

    def clean_phone(self) -> str:
        phone = self.cleaned_data["phone"]
        return normalize_phone(phone) if phone else ""


class RoleForm(ScopeFieldsMixin):
    pass


class UploadForm(forms.Form):
    """An Excel workbook (the weekly report template)."""

    file = forms.FileField(label=_("File (.xlsx)"), widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The file is too large (limit %(mb)s MB).") % {"mb": settings.MAX_UPLOAD_BYTES // (1024 * 1024)}
            )
        return upload


class TableUploadForm(UploadForm):
    """A table to import: an Excel workbook or a CSV file (UTF-8), as every import reads both."""

    file = forms.FileField(
        label=_("File (.xlsx or .csv)"), widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"})
    )


class CommuneFieldMixin:
    """Limit the commune choice to the chosen district's communes (checked on save, too)."""

    def clean(self):
        data = super().clean()
        district, commune = data.get("district"), data.get("commune")
        if district and commune and commune.district_id != district.pk:
            self.add_error("commune", _("This commune is not in the chosen district."))
        return data


class AgencyForm(CommuneFieldMixin, forms.ModelForm):
    class Meta:
        model = Agency
        fields = ["name", "kind", "district", "commune", "address", "staff_headcount", "is_active"]

    def __init__(self, *args, districts=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = districts if districts is not None else home_districts()
        self.fields["commune"].queryset = Commune.objects.filter(district__in=self.fields["district"].queryset)
        searchable(self.fields["district"], self.fields["commune"])


class VenueForm(CommuneFieldMixin, forms.ModelForm):
    class Meta:
        model = Venue
        fields = ["name", "kind", "agency", "owner_name", "owner_phone", "address", "district", "commune", "is_active"]

    def __init__(self, *args, districts=None, agencies=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = districts if districts is not None else home_districts()
        self.fields["commune"].queryset = Commune.objects.filter(district__in=self.fields["district"].queryset)
        self.fields["agency"].queryset = agencies if agencies is not None else Agency.objects.all()
        searchable(self.fields["district"], self.fields["commune"], self.fields["agency"])

    def clean_owner_phone(self) -> str:
        phone = self.cleaned_data["owner_phone"]
        return normalize_phone(phone) if phone else ""

    def clean(self):
        data = super().clean()
        if not data.get("agency") and not data.get("owner_name"):
            self.add_error("owner_name", _("A venue without an owning agency needs its owner's name."))
        return data


class AuditDaysForm(forms.Form):
    """A range of local days (either end may be left open)."""

    first = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    last = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict:
        data = super().clean()
        if data.get("first") and data.get("last") and data["first"] > data["last"]:
            self.add_error("last", _("The last day is before the first day."))
        return data


class AuditFilterForm(AuditDaysForm):
    """The audit page's filters: person, action, kind of object (and its number), days."""

    person = forms.CharField(
        label=_("Person"),
        required=False,
        max_length=150,
        help_text=_("Username, its beginning, or part of the full name."),
    )
    action = forms.ChoiceField(label=_("Action"), required=False)
    object_type = forms.ChoiceField(label=_("Object"), required=False)
    object_id = forms.CharField(label=_("Object number"), required=False, max_length=64)
    field_order = ["person", "action", "object_type", "object_id", "first", "last"]

    def __init__(self, *args, actions: list[tuple[str, str]], object_types: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].widget.attrs.update({"list": "audit-people", "autocomplete": "off"})
        self.fields["action"].choices = [("", _("All actions")), *actions]
        self.fields["object_type"].choices = [("", _("All objects")), *object_types]

    def clean(self) -> dict:
        data = super().clean()
        if data.get("object_id") and not data.get("object_type"):
            self.add_error("object_id", _("Choose the kind of object first."))
        return data
