"""How the weekly-report pages read: figures with thousands separators, one district called one district,
and a reminder switch that says its state and its action in the same words."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.reports.conftest import LAST_WEEK, local

pytestmark = pytest.mark.django_db


def test_report_figures_are_written_with_thousands_separators(clock, send, client_for, district_officer, bat_xat):
    send(district_officer, bat_xat, LAST_WEEK, at=local(LAST_WEEK, "11:00"), pc_covid_installs=21345)
    kw = {"code": bat_xat.pk, "week": LAST_WEEK}
    client = client_for(district_officer)
    for url in (
        reverse("reports:report-detail", kwargs=kw),
        reverse("reports:report-version", kwargs=kw | {"number": 1}),
    ):
        page = client.get(url).content.decode()
        assert '<td class="num">21.345</td>' in page, url
        assert ">21345<" not in page, url


def test_one_districts_overview_does_not_speak_of_the_districts(clock, client_for, district_officer, province_admin):
    own = client_for(district_officer).get(reverse("dashboard")).content.decode()
    assert "Báo cáo tuần này đã gửi" in own and "các huyện đã gửi" not in own
    province = client_for(province_admin).get(reverse("dashboard")).content.decode()
    assert "Báo cáo tuần này các huyện đã gửi" in province


def test_the_reminder_switch_says_its_state_and_action_in_the_same_words(clock, client_for, province_admin, bat_xat):
    client = client_for(province_admin)
    page = client.get(reverse("reports:reminder-settings")).content.decode()
    assert '<span class="tag ok">Đang bật nhắc</span>' in page and ">Tắt nhắc</button>" in page
    client.post(reverse("reports:reminder-settings"), {"district": bat_xat.pk, "enabled": "0"})
    page = client.get(reverse("reports:reminder-settings")).content.decode()
    assert '<span class="tag">Đang tắt nhắc</span>' in page and ">Bật nhắc</button>" in page
