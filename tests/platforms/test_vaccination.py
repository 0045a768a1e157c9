"""Vaccination data updates (3.ii): facilities log each day; the cut-off lists and reminds the late ones."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.urls import reverse

from platforms.models import VaccinationReminder, VaccinationUpdate
from platforms.services.health import vaccination_reminders_send
from platforms.tasks import vaccination_reminders_send_task
from rollout.models import JobRun, Notification, Role
from rollout.timeutils import local_today
from tests.factories import FacilityFactory, UserFactory

pytestmark = pytest.mark.django_db

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


def log_url(facility) -> str:
    return reverse("platforms:vaccination-log", args=[facility.pk])


def entry(day=None, doses=25, updated="yes") -> dict:
    return {"day": (day or local_today()).isoformat(), "doses_given": doses, "updated_on_platform": updated}


def test_facility_staff_logs_the_day_and_a_second_log_corrects_it(client_for, facility_staff, facility, time_machine):
    time_machine.move_to(datetime(2021, 11, 10, 16, 30, tzinfo=HCM), tick=False)
    client = client_for(facility_staff)
    assert client.post(log_url(facility), entry(updated="no")).status_code == 302
    update = VaccinationUpdate.objects.get()
    assert (update.doses_given, update.updated_on_platform, update.platform_updated_at) == (25, False, None)
    time_machine.move_to(datetime(2021, 11, 10, 19, 45, tzinfo=HCM), tick=False)
    client.post(log_url(facility), entry(doses=31) | {"confirm_overwrite": 25})
    time_machine.move_to(datetime(2021, 11, 10, 21, 0, tzinfo=HCM), tick=False)
    client.post(log_url(facility), entry(doses=32) | {"confirm_overwrite": 31})  # keeps the punctual time
    update = VaccinationUpdate.objects.get()
    assert (update.doses_given, update.updated_on_platform) == (32, True)
    assert update.platform_updated_at == datetime(2021, 11, 10, 19, 45, tzinfo=HCM)
    assert update.recorded_by == facility_staff


def test_a_logged_day_opens_with_its_saved_figures(client_for, facility_staff, facility):
    client = client_for(facility_staff)
    client.post(log_url(facility), entry(doses=120, updated="yes"))
    form = client.get(log_url(facility)).context["form"]
    assert (form["doses_given"].value(), form["updated_on_platform"].value()) == (120, "yes")
    yesterday = local_today() - timedelta(days=1)
    client.post(log_url(facility), entry(day=yesterday, doses=7, updated="no"))
    page = client.get(log_url(facility), {"day": yesterday.isoformat()})
    form = page.context["form"]
    assert (form["day"].value(), form["doses_given"].value(), form["updated_on_platform"].value()) == (
        yesterday, 7, "no"
    )  # fmt: skip
    assert f'href="?day={yesterday.isoformat()}"' in page.content.decode()  # each recent day can be corrected


def test_replacing_a_logged_figure_is_asked_first_showing_old_and_new(client_for, facility_staff, facility):
    client = client_for(facility_staff)
    client.post(log_url(facility), entry(doses=1200))
    asked = client.post(log_url(facility), entry(doses=1450))
    assert asked.status_code == 200
    assert VaccinationUpdate.objects.get().doses_given == 1200  # nothing replaced yet
    html = asked.content.decode()
    day = local_today().strftime("%d/%m/%Y")
    assert f"Ngày {day} đã ghi 1.200 liều. Thay 1.200 bằng 1.450?" in html
    assert "Thay 1.200 bằng 1.450</button>" in html
    assert asked.context["form"]["confirm_overwrite"].value() == "1200"
    assert client.post(log_url(facility), entry(doses=1450) | {"confirm_overwrite": "1200"}).status_code == 302
    assert VaccinationUpdate.objects.get().doses_given == 1450


def test_a_confirmation_given_for_an_older_figure_does_not_replace_a_newer_one(
    client_for, facility_staff, health_officer, facility
):
    client = client_for(facility_staff)
    client.post(log_url(facility), entry(doses=120))
    client.post(log_url(facility), entry(doses=145))  # asked: 120 -> 145
    client_for(health_officer).post(log_url(facility), entry(doses=130) | {"confirm_overwrite": 120})
    again = client.post(log_url(facility), entry(doses=145) | {"confirm_overwrite": 120})
    assert again.status_code == 200 and "Thay 130 bằng 145" in again.content.decode()
    assert VaccinationUpdate.objects.get().doses_given == 130


def test_the_same_figure_sent_again_is_not_asked_about(client_for, facility_staff, facility):
    client = client_for(facility_staff)
    client.post(log_url(facility), entry(doses=120, updated="no"))
    assert client.post(log_url(facility), entry(doses=120, updated="yes")).status_code == 302
    assert VaccinationUpdate.objects.get().updated_on_platform


def test_logging_is_limited_to_recent_days(client_for, facility_staff, facility, settings):
    client = client_for(facility_staff)
    too_old = local_today() - timedelta(days=settings.VACCINATION_LOG_BACK_DAYS + 1)
    response = client.post(log_url(facility), entry(day=too_old))
    assert "day" in response.context["form"].errors
    response = client.post(log_url(facility), entry(day=local_today() + timedelta(days=1)))
    assert "day" in response.context["form"].errors
    response = client.post(log_url(facility), {"day": local_today().isoformat(), "doses_given": -1})
    assert {"doses_given", "updated_on_platform"} <= set(response.context["form"].errors)
    assert not VaccinationUpdate.objects.exists()


def test_other_facilities_staff_and_other_roles_cannot_log(client_for, facility_staff, bat_xat, request):
    other = FacilityFactory(district=bat_xat)
    assert client_for(facility_staff).post(log_url(other), entry()).status_code == 404
    for persona in ("district_officer", "province_viewer", "agency_admin", "outsider"):
        client = client_for(request.getfixturevalue(persona))
        assert client.post(log_url(other), entry()).status_code == 404, persona
    assert not VaccinationUpdate.objects.exists()


def test_health_officer_may_log_on_a_facilitys_behalf(client_for, health_officer, facility):
    assert client_for(health_officer).post(log_url(facility), entry()).status_code == 302
    assert VaccinationUpdate.objects.get().recorded_by == health_officer


def test_a_facility_that_does_not_vaccinate_has_no_log(client_for, health_officer, bat_xat):
    clinic = FacilityFactory(district=bat_xat, does_vaccination=False)
    assert client_for(health_officer).get(log_url(clinic)).status_code == 404


def test_overview_lists_who_has_not_updated_in_the_users_scope(
    client_for, district_officer, health_officer, facility, bat_xat, sa_pa
):
    logged = FacilityFactory(district=bat_xat, name="Đã ghi")
    done = FacilityFactory(district=bat_xat, name="Đã cập nhật")
    far = FacilityFactory(district=sa_pa)
    today = local_today()
    VaccinationUpdate.objects.create(facility=logged, day=today, doses_given=3, updated_on_platform=False)
    VaccinationUpdate.objects.create(
        facility=done, day=today, doses_given=3, updated_on_platform=True, platform_updated_at=datetime.now(HCM)
    )
    response = client_for(district_officer).get(reverse("platforms:vaccination-overview"))
    states = {s.facility.pk: s.state for s in response.context["statuses"]}
    assert states == {facility.pk: "missing", logged.pk: "logged", done.pk: "updated"}
    assert response.context["counts"] == {"updated": 1, "logged": 1, "missing": 1}
    assert response.context["chart"] is not None
    everyone = client_for(health_officer).get(reverse("platforms:vaccination-overview"))
    assert far.pk in {s.facility.pk for s in everyone.context["statuses"]}


def test_facility_staff_sees_own_facility_and_no_province_chart(client_for, facility_staff, facility, sa_pa):
    FacilityFactory(district=sa_pa)
    response = client_for(facility_staff).get(reverse("platforms:vaccination-overview"))
    assert [s.facility for s in response.context["statuses"]] == [facility]
    assert response.context["own"] == [facility] and response.context["chart"] is None


def test_outsider_sees_no_facility_and_no_chart(client_for, outsider, facility):
    response = client_for(outsider).get(reverse("platforms:vaccination-overview"))
    assert response.status_code == 200
    assert response.context["statuses"] == [] and response.context["chart"] is None


# --- Reminders at the cut-off -----------------------------------------------------------------


def test_reminders_go_to_late_facilities_and_health_officers_once(units, bat_xat, sa_pa, settings):
    late = FacilityFactory(district=bat_xat, name="Trạm Y tế xã Quang Kim")
    logged_only = FacilityFactory(district=sa_pa, name="Trạm Y tế xã Tả Van")
    on_time = FacilityFactory(district=sa_pa)
    FacilityFactory(district=sa_pa, does_vaccination=False)
    today = local_today()
    VaccinationUpdate.objects.create(facility=logged_only, day=today, doses_given=1, updated_on_platform=False)
    VaccinationUpdate.objects.create(
        facility=on_time, day=today, doses_given=1, updated_on_platform=True, platform_updated_at=datetime.now(HCM)
    )
    staff = UserFactory.with_role(Role.FACILITY_STAFF, facility=late)
    UserFactory.with_role(Role.FACILITY_STAFF, facility=on_time)
    officer = UserFactory.with_role(Role.HEALTH_OFFICER)
    assert vaccination_reminders_send() == 2
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == sorted([staff.email, officer.email])  # Tả Van has no account: the officers' list has it
    summary = next(m for m in mail.outbox if m.to == [officer.email])
    assert "Trạm Y tế xã Quang Kim" in summary.body and "Trạm Y tế xã Tả Van" in summary.body
    assert "2 cơ sở chưa cập nhật" in summary.subject
    reminder = next(m for m in mail.outbox if m.to == [staff.email])
    assert "Trạm Y tế xã Quang Kim" in reminder.subject and log_url(late) in reminder.body
    assert Notification.objects.get(user=staff).url == log_url(late)
    assert Notification.objects.filter(user=officer).count() == 1
    # A second run (a retry, or the job run by hand) reminds nobody again.
    assert vaccination_reminders_send() == 0
    assert len(mail.outbox) == 2
    assert VaccinationReminder.objects.filter(day=today).count() == 2
    runs = JobRun.objects.filter(job="vaccination_reminders").order_by("pk")
    assert [r.status for r in runs] == ["succeeded", "succeeded"]
    assert runs[0].result.startswith("2 cơ sở chưa cập nhật")


def test_a_failed_email_is_retried_next_run(units, bat_xat, monkeypatch):
    facility = FacilityFactory(district=bat_xat)
    UserFactory.with_role(Role.FACILITY_STAFF, facility=facility)

    def fail(*args, **kwargs):
        raise OSError("SMTP down")

    monkeypatch.setattr("platforms.services.health.email_send", fail)
    with pytest.raises(OSError):
        vaccination_reminders_send()
    assert VaccinationReminder.objects.get().sent_at is None  # not claimed as sent
    assert JobRun.objects.get(job="vaccination_reminders").status == "failed"
    monkeypatch.undo()
    assert vaccination_reminders_send() == 1


def test_reminder_task_runs_the_same_code(units, bat_xat):
    FacilityFactory(district=bat_xat)
    vaccination_reminders_send_task.delay(day=local_today().isoformat())
    assert VaccinationReminder.objects.count() == 1


# --- API --------------------------------------------------------------------------------------


def test_api_logs_and_lists_within_scope(
    client_for, facility_staff, district_officer, other_district_officer, outsider, facility, bat_xat
):
    path = reverse("api:vaccination-update-list")
    body = {"facility": facility.pk, "day": local_today().isoformat(), "doses_given": 40, "updated_on_platform": True}
    response = client_for(facility_staff).post(path, body, content_type="application/json")
    assert response.status_code == 201, response.content
    response = client_for(facility_staff).post(path, body | {"doses_given": 41}, content_type="application/json")
    assert response.status_code == 201 and VaccinationUpdate.objects.get().doses_given == 41  # corrected
    other = FacilityFactory(district=bat_xat)
    response = client_for(facility_staff).post(path, body | {"facility": other.pk}, content_type="application/json")
    assert response.status_code == 400 and "facility" in response.json()["extra"]["fields"]
    response = client_for(district_officer).post(path, body, content_type="application/json")
    assert response.status_code == 400  # district officers read, they do not log
    assert client_for(district_officer).get(path).json()["count"] == 1
    assert client_for(other_district_officer).get(path).json()["count"] == 0
    assert client_for(outsider).get(path).json()["count"] == 0
    assert client_for(facility_staff).get(path, {"date": "2021-01-01"}).json()["count"] == 0
