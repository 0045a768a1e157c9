"""Forms: parse and validate input for views. Saving happens in services."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from rollout.models import Agency, Checkpoint, Commune, District, HealthFacility, Role, Venue
from rollout.models.accounts import ROLE_SCOPE_FIELD
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
    file = forms.FileField(label=_("File (.xlsx)"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is too large."))
        return upload


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


class VenueForm(CommuneFieldMixin, forms.ModelForm):
    class Meta:
        model = Venue
        fields = ["name", "kind", "agency", "owner_name", "owner_phone", "address", "district", "commune", "is_active"]

    def __init__(self, *args, districts=None, agencies=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = districts if districts is not None else home_districts()
        self.fields["commune"].queryset = Commune.objects.filter(district__in=self.fields["district"].queryset)
        self.fields["agency"].queryset = agencies if agencies is not None else Agency.objects.all()

    def clean_owner_phone(self) -> str:
        phone = self.cleaned_data["owner_phone"]
        return normalize_phone(phone) if phone else ""

    def clean(self):
        data = super().clean()
        if not data.get("agency") and not data.get("owner_name"):
            self.add_error("owner_name", _("A venue without an owning agency needs its owner's name."))
        return data
