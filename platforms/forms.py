"""Forms for adoption figures, testing-platform status and vaccination data updates.

They parse and check input for the pages; the rules that need the database live in the services.
"""

from __future__ import annotations

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from platforms.services.adoption import FIGURES, AdoptionInput, adoption_errors
from rollout.models.org import TestingStatus
from rollout.timeutils import local_today

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _count(label: str) -> forms.IntegerField:
    return forms.IntegerField(
        label=capfirst(label), min_value=0, max_value=10**6, widget=forms.NumberInput(attrs={"min": 0})
    )


class AdoptionForm(forms.Form):
    reported_on = forms.DateField(label=_("As of"), widget=DATE_WIDGET)
    staff_headcount = _count(_("Staff headcount"))
    pc_covid = _count(_("PC-Covid installs"))
    health_book = _count(_("Electronic Health Book installs"))
    vneid = _count(_("VNEID installs"))

    def clean(self) -> dict:
        data = super().clean()
        if all(data.get(name) is not None for name in ("reported_on", *FIGURES)):
            for field, message in adoption_errors(self.as_input()).items():
                self.add_error(field, message)
        return data

    def as_input(self) -> AdoptionInput:
        d = self.cleaned_data
        return AdoptionInput(
            reported_on=d["reported_on"],
            staff_headcount=d["staff_headcount"],
            pc_covid=d["pc_covid"],
            health_book=d["health_book"],
            vneid=d["vneid"],
        )


class TestingStatusForm(forms.Form):
    testing_status = forms.ChoiceField(label=_("Testing platform status"), choices=TestingStatus.choices)
    testing_first_result_on = forms.DateField(
        label=_("First result on the platform"),
        required=False,
        widget=DATE_WIDGET,
        help_text=_("Only for a live facility: the day its first test result went onto the platform."),
    )


YES_NO = [("yes", _("Yes")), ("no", _("No"))]


class VaccinationLogForm(forms.Form):
    day = forms.DateField(label=_("Day"), widget=DATE_WIDGET)
    doses_given = _count(_("Doses given"))
    updated_on_platform = forms.ChoiceField(
        label=_("Updated on the national vaccination platform?"),
        choices=YES_NO,
        widget=forms.RadioSelect,
        help_text=_("Answer “Yes” only when the day's data is on the national platform."),
    )
    # The saved figure the user agreed to replace (set by the page after it asked).
    confirm_overwrite = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["day"].widget.attrs["max"] = local_today().isoformat()

    @property
    def updated(self) -> bool:
        return self.cleaned_data["updated_on_platform"] == "yes"
