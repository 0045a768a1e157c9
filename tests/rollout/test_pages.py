"""Every role gets its own Vietnamese home; the layout shows the navigation that role needs."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

PERSONAS = [
    ("province_admin", "Quản trị cấp tỉnh"),
    ("province_viewer", "Tổng quan toàn tỉnh"),
    ("health_officer", "Y tế"),
    ("district_officer", "Huyện Bát Xát"),
    ("checkpoint_staff", "Chốt kiểm soát"),
    ("agency_admin", "Cơ quan thử nghiệm"),
    ("facility_staff", "Trạm Y tế"),
]


@pytest.mark.parametrize(("persona", "text"), PERSONAS)
def test_each_role_sees_its_own_home_in_vietnamese(request, client_for, persona, text):
    user = request.getfixturevalue(persona)
    response = client_for(user).get(reverse("dashboard"))
    assert response.status_code == 200
    page = response.content.decode()
    assert text in page
    assert "Tổng quan" in page
    assert "Đăng xuất" in page


def test_root_redirects_to_dashboard(client_for, district_officer):
    response = client_for(district_officer).get("/")
    assert response.status_code == 302 and response["Location"] == reverse("dashboard")


def test_only_province_admin_sees_accounts_in_navigation(client_for, province_admin, district_officer):
    assert reverse("accounts:user-list") in client_for(province_admin).get(reverse("dashboard")).content.decode()
    assert reverse("accounts:user-list") not in client_for(district_officer).get(reverse("dashboard")).content.decode()


def test_login_page_is_vietnamese(client_for, units):
    page = client_for(None).get(reverse("accounts:login")).content.decode()
    assert "Đăng nhập" in page and "Tên đăng nhập" in page and 'lang="vi"' in page


def test_english_is_available(client_for, units):
    client = client_for(None)
    client.post(reverse("set_language"), {"language": "en", "next": "/accounts/login/"})
    page = client.get(reverse("accounts:login")).content.decode()
    assert "Sign in" in page and 'lang="en"' in page


def test_dates_are_shown_day_first(client_for, province_admin, outsider):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    outsider.last_login = datetime(2021, 11, 2, 9, 30, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    outsider.save()
    page = client_for(province_admin).get(reverse("accounts:user-detail", args=[outsider.pk])).content.decode()
    assert "02/11/2021 09:30" in page


def test_admin_site_is_for_province_admins_only(client_for, province_admin, district_officer):
    assert client_for(province_admin).get("/admin/rollout/venue/").status_code == 200
    assert client_for(district_officer).get("/admin/rollout/venue/").status_code == 302  # to the admin login
