"""PC-Covid guidance at checkpoints (directive 4.ii): recorded with the arrival, on the daily list and the
checkpoint's page."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from checkpoints.models import Arrival, PcCovid
from checkpoints.services.daily_lists import daily_list_build
from tests.checkpoints.conftest import HEADER_ROW, read_list
from tests.factories import ArrivalFactory, CheckpointFactory, district

pytestmark = pytest.mark.django_db


def test_the_arrival_form_records_the_answer(client_for, checkpoint, checkpoint_staff):
    page = client_for(checkpoint_staff).get(reverse("checkpoints:arrival-record"))
    assert "Được hướng dẫn cài tại chốt" in page.content.decode()
    response = client_for(checkpoint_staff).post(
        reverse("checkpoints:arrival-record"),
        {
            "checkpoint": checkpoint.pk, "arrived_at": "", "arrived_at_shown": "", "full_name": "Lò Văn Sử",
            "phone": "0987654321", "destination_district": district("bat_xat").pk, "latest_test": "none",
            "test_at_checkpoint": "none", "pc_covid": "no_smartphone",
        } | {"arrived_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")},
    )  # fmt: skip
    assert response.status_code == 302
    assert Arrival.objects.get().pc_covid == PcCovid.NO_SMARTPHONE


def test_an_unknown_answer_is_refused_by_its_field(client_for, checkpoint, checkpoint_staff):
    response = client_for(checkpoint_staff).post(
        reverse("checkpoints:arrival-record"),
        {
            "checkpoint": checkpoint.pk, "arrived_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "full_name": "Lò Văn Sử", "phone": "0987654321", "destination_district": district("bat_xat").pk,
            "latest_test": "none", "test_at_checkpoint": "none", "pc_covid": "maybe",
        },
    )  # fmt: skip
    assert response.status_code == 200 and "pc_covid" in response.context["form"].errors
    assert not Arrival.objects.exists()


def test_the_daily_list_has_a_pc_covid_column_in_words(arrival, files_root):
    arrival(at="2021-11-02 08:00", full_name="Đã có", pc_covid=PcCovid.HAD)
    arrival(at="2021-11-02 09:00", full_name="Cài tại chốt", pc_covid=PcCovid.INSTALLED)
    arrival(at="2021-11-02 10:00", full_name="Chưa hỏi")
    daily_list = daily_list_build(district=district("bat_xat"), day=date(2021, 11, 2))
    ws, rows = read_list(daily_list, files_root)
    column = [c.value for c in ws[HEADER_ROW]].index("PC-Covid")
    assert [(r[2], r[column]) for r in rows] == [
        ("Đã có", "Đã có PC-Covid"), ("Cài tại chốt", "Được hướng dẫn cài tại chốt"), ("Chưa hỏi", None),
    ]  # fmt: skip


def test_the_checkpoints_page_counts_the_answers_of_today_and_the_week(client_for, checkpoint, checkpoint_staff):
    now = timezone.now()
    for answer, when in [
        (PcCovid.HAD, now), (PcCovid.INSTALLED, now), (PcCovid.INSTALLED, now - timedelta(days=3)),
        (PcCovid.NO_SMARTPHONE, now - timedelta(days=5)), ("", now), (PcCovid.HAD, now - timedelta(days=8)),
    ]:  # fmt: skip
        ArrivalFactory(checkpoint=checkpoint, arrived_at=when, pc_covid=answer)
    ArrivalFactory(checkpoint=CheckpointFactory(), arrived_at=now, pc_covid=PcCovid.HAD)  # another checkpoint
    page = client_for(checkpoint_staff).get(reverse("checkpoints:checkpoint-detail", args=[checkpoint.pk]))
    today, week = page.context["pc_covid"]
    assert (today.had, today.installed, today.no_smartphone, today.not_asked, today.total) == (1, 1, 0, 1, 3)
    assert (week.had, week.installed, week.no_smartphone, week.not_asked, week.total) == (1, 2, 1, 1, 5)
    assert "Được hướng dẫn cài tại chốt" in page.content.decode()


def test_the_api_takes_and_gives_the_answer(client_for, checkpoint, checkpoint_staff):
    client = client_for(checkpoint_staff)
    body = {"full_name": "Lò Văn Sử", "phone": "0987654321", "destination_district": district("bat_xat").pk,
            "pc_covid": "installed"}  # fmt: skip
    response = client.post("/api/v1/arrivals/", body, content_type="application/json")
    assert response.status_code == 201 and response.json()["pc_covid"] == "installed"
    bad = client.post("/api/v1/arrivals/", body | {"pc_covid": "maybe"}, content_type="application/json")
    assert bad.status_code == 400 and "pc_covid" in bad.json()["extra"]["fields"]
