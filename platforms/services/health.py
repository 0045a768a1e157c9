"""Testing-platform status (directive 3.i) and daily vaccination data updates with reminders (3.ii)."""

from __future__ import annotations

import logging
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from platforms.models import VaccinationReminder, VaccinationUpdate
from platforms.selectors.health import cutoff_at, vaccination_pending_facilities
from rollout import scoping
from rollout.errors import ApplicationError
from rollout.figures import num
from rollout.hooks import district_day_changed
from rollout.models import HealthFacility, Role, User
from rollout.models.org import TestingStatus
from rollout.services.jobs import job_run
from rollout.services.mail import email_send
from rollout.services.notifications import notifications_send
from rollout.timeutils import local_today

logger = logging.getLogger(__name__)


def _may_change(by: User, facility: HealthFacility) -> bool:
    return scoping.facilities_for(by, for_change=True).filter(pk=facility.pk).exists()


def _bump(facility: HealthFacility, day: date) -> None:
    district_day_changed(day=day, district_id=facility.district_id)


# --- Testing platform -------------------------------------------------------------------------


def testing_status_update(
    *, by: User, facility: HealthFacility, status: str, first_result_on: date | None
) -> HealthFacility:
    """Set a qualified facility's rollout status; "live" needs the date of its first result."""
    if not _may_change(by, facility):
        raise PermissionDenied
    if not facility.is_testing_qualified:
        raise ValidationError({"testing_status": [_("This facility is not qualified to test.")]})
    if status not in TestingStatus.values:
        raise ValidationError({"testing_status": [_("Unknown status.")]})
    if status == TestingStatus.LIVE:
        if first_result_on is None:
            message = _("A live facility needs the date of its first result.")
            raise ValidationError({"testing_first_result_on": [message]})
        if first_result_on > local_today():
            raise ValidationError({"testing_first_result_on": [_("The date is in the future.")]})
    elif first_result_on is not None:
        raise ValidationError({"testing_first_result_on": [_("Only a live facility has a first result date.")]})
    facility.testing_status = status
    facility.testing_first_result_on = first_result_on
    facility.save(update_fields=["testing_status", "testing_first_result_on"])
    _bump(facility, local_today())
    return facility


# --- Vaccination data updates -----------------------------------------------------------------


def vaccination_days_open(today: date | None = None) -> tuple[date, date]:
    """The days a facility may log or correct: today and the ``VACCINATION_LOG_BACK_DAYS`` before."""
    today = today or local_today()
    return today - timedelta(days=settings.VACCINATION_LOG_BACK_DAYS), today


class OverwriteNotConfirmed(ApplicationError):
    """The day already holds another figure; ``extra``: {"old": saved doses, "new": the doses sent}."""


def vaccination_update_log(
    *,
    by: User,
    facility: HealthFacility,
    day: date,
    doses_given: int,
    updated_on_platform: bool,
    ask_before_overwrite: bool = False,
    confirmed_old_doses: int | None = None,
) -> VaccinationUpdate:
    """Record (or correct) a facility's update of ``day``: one row per facility and day.

    With ``ask_before_overwrite`` (the page), a day already logged with other doses is changed only when
    ``confirmed_old_doses`` is the figure saved now (the one the user was shown); otherwise
    ``OverwriteNotConfirmed`` is raised and nothing is written."""
    if not _may_change(by, facility):
        raise PermissionDenied
    if not (facility.does_vaccination and facility.is_active):
        raise ValidationError({"facility": [_("This facility does not vaccinate.")]})
    first, last = vaccination_days_open()
    if day > last:
        raise ValidationError({"day": [_("The date is in the future.")]})
    if day < first:
        raise ValidationError(
            {"day": [_("Only the last %(n)s days can be logged.") % {"n": settings.VACCINATION_LOG_BACK_DAYS}]}
        )
    if doses_given < 0:
        raise ValidationError({"doses_given": [_("Must not be negative.")]})
    now = timezone.now()
    for _attempt in range(2):
        try:
            with transaction.atomic():
                update = VaccinationUpdate.objects.select_for_update().filter(facility=facility, day=day).first()
                if update is None:
                    update = VaccinationUpdate(facility=facility, day=day)
                elif (
                    ask_before_overwrite
                    and update.doses_given != doses_given
                    and confirmed_old_doses != update.doses_given
                ):
                    raise OverwriteNotConfirmed(
                        _("%(day)s is already logged with %(old)s doses. Replace %(old)s with %(new)s?")
                        % {"day": day.strftime("%d/%m/%Y"), "old": num(update.doses_given), "new": num(doses_given)},
                        {"old": update.doses_given, "new": doses_given},
                    )
                update.doses_given = doses_given
                update.recorded_by = by
                if not updated_on_platform:
                    update.platform_updated_at = None
                elif not update.updated_on_platform or update.platform_updated_at is None:
                    update.platform_updated_at = now  # when it first became true: punctuality
                update.updated_on_platform = updated_on_platform
                update.save()
            break
        except IntegrityError:
            continue  # another request created the day's row first: update that one
    else:
        raise ApplicationError(_("The update could not be saved; try again."))
    _bump(facility, day)
    return update


def vaccination_reminders_send(*, day: date | None = None) -> int:
    """At the cut-off: remind each facility that has not updated the day (in-app and e-mail to its
    staff accounts), then send the health officers the list. Each facility is reminded once a day
    (claimed before sending), so a re-run or a retry reminds nobody twice. Returns how many were."""
    day = day or local_today()
    with job_run("vaccination_reminders", day=day) as run:
        pending = vaccination_pending_facilities(day)
        VaccinationReminder.objects.bulk_create(
            [VaccinationReminder(facility=f, day=day) for f in pending], ignore_conflicts=True
        )
        claims = {r.facility_id: r for r in VaccinationReminder.objects.filter(day=day, facility__in=pending)}
        reminded = []
        for facility in pending:
            claim = claims.get(facility.pk)
            if claim is None or claim.sent_at is not None:
                continue
            # Claim: only one run sends this reminder.
            if not VaccinationReminder.objects.filter(pk=claim.pk, sent_at__isnull=True).update(sent_at=timezone.now()):
                continue
            try:
                _remind_facility(facility, day)
            except Exception:
                VaccinationReminder.objects.filter(pk=claim.pk).update(sent_at=None)  # retried next time
                raise
            reminded.append(facility)
        if reminded:
            _remind_health_officers(day, reminded, pending)
        run.result = _("%(pending)s facilities had not updated %(day)s; %(reminded)s reminded") % {
            "pending": num(len(pending)),
            "day": f"{day:%d/%m/%Y}",
            "reminded": num(len(reminded)),
        }
    return len(reminded)


def _recipients(*, role: str, **scope) -> list[User]:
    return list(User.objects.filter(is_active=True, role_assignments__role=role, **scope).distinct().order_by("pk"))


def _remind_facility(facility: HealthFacility, day: date) -> None:
    users = _recipients(role=Role.FACILITY_STAFF, role_assignments__facility=facility)
    url = reverse("platforms:vaccination-log", args=[facility.pk])
    with translation.override(settings.LANGUAGE_CODE):
        message = _("%(facility)s has not updated the vaccination data of %(day)s; the cut-off was %(cutoff)s.") % {
            "facility": facility.name,
            "day": day.strftime("%d/%m/%Y"),
            "cutoff": settings.VACCINATION_UPDATE_CUTOFF.strftime("%H:%M"),
        }
        notifications_send(users, message=message, url=url)
        emails = sorted({u.email for u in users if u.email})
        if emails:
            email_send(
                "vaccination_reminder",
                to=emails,
                context={
                    "facility": facility,
                    "day": day,
                    "cutoff": cutoff_at(day),
                    "link": settings.SITE_URL + url,
                },
            )


def _remind_health_officers(day: date, reminded: list[HealthFacility], pending: list[HealthFacility]) -> None:
    users = _recipients(role=Role.HEALTH_OFFICER)
    url = reverse("platforms:vaccination-overview") + f"?day={day.isoformat()}"
    with translation.override(settings.LANGUAGE_CODE):
        message = _("%(n)s facilities have not updated the vaccination data of %(day)s.") % {
            "n": len(pending),
            "day": day.strftime("%d/%m/%Y"),
        }
        notifications_send(users, message=message, url=url)
        emails = sorted({u.email for u in users if u.email})
        if emails:
            email_send(
                "vaccination_reminder_summary",
                to=emails,
                context={"day": day, "facilities": pending, "link": settings.SITE_URL + url, "cutoff": cutoff_at(day)},
            )
