"""The audit log in words: the province admins' page (filters, pages, XLSX export) and each user's own
history."""

from __future__ import annotations

import io
from datetime import date, datetime, time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from rollout.models import AuditEvent, Role
from rollout.selectors.audit import AuditFilters, audit_events, audit_lines
from rollout.services import audit_export
from rollout.services.audit import Action, audit_record
from rollout.timeutils import local_datetime
from tests.factories import UserFactory, VenueFactory

pytestmark = pytest.mark.django_db
LIST, EXPORT, MINE = "rollout:audit-list", "rollout:audit-export", "rollout:audit-mine"
HOSTILE = '=HYPERLINK("http://evil.example","x")'


def at(day: str, clock: str = "10:00") -> datetime:
    return local_datetime(date.fromisoformat(day), time.fromisoformat(clock))


def event(action: str, actor=None, *, when: datetime | None = None, obj=None, **detail) -> AuditEvent:
    """An audit event as the product writes it, dated ``when`` (the field is stamped on insert)."""
    recorded = audit_record(action, actor=actor, obj=obj, detail=detail)
    if when is not None:
        AuditEvent.objects.filter(pk=recorded.pk).update(at=when)
        recorded.refresh_from_db()
    return recorded


@pytest.fixture
def mai(units):
    return UserFactory(username="mai.lo", full_name="Lò Thị Mai")


@pytest.fixture
def history(mai, district_officer, bat_xat):
    """Mai viewed a visitor log, downloaded a list and signed in; a district officer signed in."""
    venue = VenueFactory(district=bat_xat, name="Chợ Bát Xát")
    return {
        "viewed": event(Action.VIEW_PERSONAL_DATA, mai, when=at("2021-11-01"), obj=venue, view="visitor_log", rows=3),
        "mai_login": event(Action.LOGIN, mai, when=at("2021-11-02")),
        "exported": event(Action.EXPORT, mai, when=at("2021-11-03"), obj=venue, export="visitor_log", rows=7),
        "officer_login": event(Action.LOGIN, district_officer, when=at("2021-11-04")),
    }


def _shown(response) -> list[int]:
    assert response.status_code == 200
    return [line.event.pk for line in response.context["lines"]]


def _ids(history: dict, *names: str) -> list[int]:
    return [history[n].pk for n in names]


# --- Who may read it -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "persona",
    ["province_viewer", "health_officer", "district_officer", "checkpoint_staff", "agency_admin", "facility_staff",
     "outsider"],
)  # fmt: skip
def test_every_role_but_province_admin_is_refused_the_page_and_the_export(request, client_for, persona):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(reverse(LIST)).status_code == 403
    assert client.get(reverse(EXPORT)).status_code == 403
    assert not AuditEvent.objects.filter(action=Action.EXPORT).exists()


def test_anonymous_visitors_are_sent_to_sign_in(client_for):
    for name in (LIST, EXPORT, MINE):
        response = client_for(None).get(reverse(name))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_menu_links_the_page_for_province_admins_only_and_everyones_own_history(
    client_for, province_admin, district_officer
):
    admin_page = client_for(province_admin).get(reverse("dashboard")).content.decode()
    officer_page = client_for(district_officer).get(reverse("dashboard")).content.decode()
    assert f'href="{reverse(LIST)}"' in admin_page and f'href="{reverse(LIST)}"' not in officer_page
    assert f'href="{reverse(MINE)}"' in admin_page and f'href="{reverse(MINE)}"' in officer_page


# --- The page and its filters ----------------------------------------------------------------------


def test_newest_first_each_said_in_vietnamese_words(client_for, province_admin, history, mai):
    response = client_for(province_admin).get(reverse(LIST), {"first": "2021-11-01", "last": "2021-11-04"})
    assert _shown(response) == _ids(history, "officer_login", "exported", "mai_login", "viewed")
    page = response.content.decode()
    assert "Lò Thị Mai đã xem nhật ký ra vào của Chợ Bát Xát" in page
    assert "Lò Thị Mai đã xuất nhật ký ra vào của Chợ Bát Xát" in page
    assert "Lò Thị Mai đã đăng nhập" in page
    assert "7 dòng" in page


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"person": "mai.lo"}, ["exported", "mai_login", "viewed"]),
        ({"person": "mai."}, ["exported", "mai_login", "viewed"]),  # the beginning of a username
        ({"person": "Thị Mai"}, ["exported", "mai_login", "viewed"]),  # part of the full name
        ({"action": Action.LOGIN, "last": "2021-11-30", "first": "2021-11-01"}, ["officer_login", "mai_login"]),
        ({"object_type": "rollout.venue"}, ["exported", "viewed"]),
        ({"first": "2021-11-02", "last": "2021-11-03"}, ["exported", "mai_login"]),
        ({"first": "2021-11-03"}, ["exported"]),  # one end given: that day only
        ({"person": "mai.lo", "action": Action.LOGIN}, ["mai_login"]),
    ],
)
def test_filters(client_for, province_admin, history, params, expected):
    shown = _shown(client_for(province_admin).get(reverse(LIST), params))
    assert shown == _ids(history, *expected)


def test_object_filter_narrows_to_one_object(client_for, province_admin, history, bat_xat):
    other = VenueFactory(district=bat_xat)
    extra = event(Action.VIEW_PERSONAL_DATA, obj=other, view="visitor_log")
    client = client_for(province_admin)
    venue_id = history["viewed"].object_id
    assert _shown(client.get(reverse(LIST), {"object_type": "rollout.venue", "object_id": venue_id})) == _ids(
        history, "exported", "viewed"
    )
    assert _shown(client.get(reverse(LIST), {"object_type": "rollout.venue", "object_id": other.pk})) == [extra.pk]


def test_object_types_on_offer_are_those_in_the_log(client_for, province_admin, history):
    form = client_for(province_admin).get(reverse(LIST)).context["form"]
    assert [value for value, _label in form.fields["object_type"].choices] == ["", "rollout.venue"]


def test_every_action_is_on_offer_in_vietnamese(client_for, province_admin):
    form = client_for(province_admin).get(reverse(LIST)).context["form"]
    labels = dict(form.fields["action"].choices)
    assert labels[Action.VIEW_PERSONAL_DATA] == "Xem dữ liệu cá nhân"
    assert labels[Action.DOWNLOAD] == "Tải về"
    assert {value for name, value in vars(Action).items() if name.isupper()} <= set(labels)


def test_a_reversed_day_range_is_refused_on_its_field(client_for, province_admin, history):
    response = client_for(province_admin).get(reverse(LIST), {"first": "2021-11-03", "last": "2021-11-01"})
    assert response.context["lines"] is None
    assert "Ngày cuối đang trước ngày đầu." in response.content.decode()
    assert "last" in response.context["form"].errors


def test_pages_of_fifty_without_counting(client_for, province_admin, mai):
    for minute in range(55):
        event(Action.LOGIN, mai, when=at("2021-11-02", f"08:{minute:02d}"))
    client = client_for(province_admin)
    first = client.get(reverse(LIST), {"action": Action.LOGIN, "person": "mai.lo"})
    second = client.get(reverse(LIST), {"action": Action.LOGIN, "person": "mai.lo", "page": 2})
    assert len(_shown(first)) == 50 and first.context["page"].has_next
    assert len(_shown(second)) == 5 and not second.context["page"].has_next
    assert set(_shown(first)).isdisjoint(_shown(second))
    assert "page=2" in first.content.decode() and "Trang 2" in second.content.decode()


def test_an_unknown_action_is_shown_by_its_name(client_for, province_admin, mai):
    event("something_new", mai)
    page = client_for(province_admin).get(reverse(LIST), {"action": ""}).content.decode()
    assert "Lò Thị Mai: something_new" in page


def test_objects_are_named_in_one_query_per_kind_never_one_per_row(province_admin, bat_xat):
    def queries_for_a_page() -> int:
        events = list(audit_events(AuditFilters())[:50])
        with CaptureQueriesContext(connection) as captured:
            audit_lines(events)
        return len(captured)

    for _ in range(3):
        event(Action.VIEW_PERSONAL_DATA, province_admin, obj=VenueFactory(district=bat_xat), view="visitor_log")
        event(Action.ACCOUNT_CHANGE, province_admin, obj=UserFactory(), role_added=Role.DISTRICT_OFFICER)
    few = queries_for_a_page()
    for _ in range(20):
        event(Action.VIEW_PERSONAL_DATA, province_admin, obj=VenueFactory(district=bat_xat), view="visitor_log")
        event(Action.ACCOUNT_CHANGE, province_admin, obj=UserFactory(), role_added=Role.DISTRICT_OFFICER)
    assert queries_for_a_page() == few == 2  # venues, users


def test_a_deleted_object_is_named_by_its_kind_and_number(province_admin, bat_xat):
    venue = VenueFactory(district=bat_xat)
    recorded = event(Action.VIEW_PERSONAL_DATA, province_admin, obj=venue, view="visitor_log")
    pk = venue.pk
    venue.delete()
    [line] = audit_lines([recorded])
    assert f"#{pk} (đã xoá)" in line.sentence


# --- The export ------------------------------------------------------------------------------------


def _workbook_rows(response) -> list[tuple]:
    assert response.status_code == 200, response
    ws = load_workbook(io.BytesIO(response.content)).active
    rows = list(ws.iter_rows(values_only=True))
    return rows[audit_export.HEADER_ROW :]  # after the header row


def test_export_has_the_filtered_rows_in_words_and_is_itself_audited(client_for, province_admin, history):
    params = {"person": "mai.lo", "first": "2021-11-01", "last": "2021-11-03"}
    response = client_for(province_admin).get(reverse(EXPORT), params)
    assert response["Content-Disposition"].startswith('attachment; filename="nhat-ky-thao-tac')
    rows = _workbook_rows(response)
    assert [r[3] for r in rows] == ["Xuất dữ liệu", "Đăng nhập", "Xem dữ liệu cá nhân"]
    assert rows[0][4] == "Lò Thị Mai đã xuất nhật ký ra vào của Chợ Bát Xát (7 dòng)"
    assert isinstance(rows[0][0], datetime) and rows[0][0] == datetime(2021, 11, 3, 10, 0)
    assert rows[0][1] == "mai.lo"
    export = AuditEvent.objects.get(action=Action.EXPORT, actor=province_admin)
    assert export.detail == {
        "export": "audit_log", "rows": 3, "person": "mai.lo", "first": "2021-11-01", "last": "2021-11-03",
    }  # fmt: skip


def test_hostile_usernames_and_details_stay_text_in_the_workbook(client_for, province_admin, units):
    hostile = UserFactory(username="=cmd|'/c calc'!A1", full_name=HOSTILE)
    event(Action.LOGIN_FAILED, username=HOSTILE + "\x07")
    event(Action.VIEW_PERSONAL_DATA, hostile, view=HOSTILE, rows=1)
    response = client_for(province_admin).get(reverse(EXPORT))
    ws = load_workbook(io.BytesIO(response.content)).active
    cells = [c for row in ws.iter_rows(min_row=audit_export.HEADER_ROW + 1) for c in row if c.value]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    values = [c.value for c in cells]
    assert "=cmd|'/c calc'!A1" in values and HOSTILE in values
    assert any(f"“{HOSTILE}”" in str(v) for v in values)  # the typed username, control character gone
    assert not any("\x07" in str(v) for v in values)


def test_hostile_text_is_escaped_on_the_page(client_for, province_admin, units):
    event(Action.LOGIN_FAILED, username="<script>alert(1)</script>")
    page = client_for(province_admin).get(reverse(LIST)).content.decode()
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page


def test_too_large_an_export_is_refused_with_a_message_and_not_audited(
    client_for, province_admin, history, monkeypatch
):
    monkeypatch.setattr(audit_export, "MAX_EXPORT_ROWS", 2)
    response = client_for(province_admin).get(reverse(EXPORT), {"person": "mai.lo"}, follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse(LIST))
    assert "hãy thu hẹp bộ lọc" in response.content.decode()
    assert not AuditEvent.objects.filter(action=Action.EXPORT, actor=province_admin).exists()


def test_export_with_bad_filters_says_which(client_for, province_admin):
    response = client_for(province_admin).get(reverse(EXPORT), {"first": "2021-11-03", "last": "bad"}, follow=True)
    assert "Kiểm tra bộ lọc" in response.content.decode() and "Đến" in response.content.decode()


# --- Own history -----------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["district_officer", "checkpoint_staff", "province_viewer", "outsider"])
def test_everyone_reads_their_own_history_only(request, client_for, persona, history):
    user = request.getfixturevalue(persona)
    mine = event(Action.DOWNLOAD, user, when=at("2021-11-05"))
    shown = _shown(client_for(user).get(reverse(MINE), {"first": "2021-11-01", "last": "2021-11-05"}))
    expected = [mine.pk] + ([history["officer_login"].pk] if persona == "district_officer" else [])
    assert shown == expected


def test_own_history_uses_the_same_words_and_filters_by_day(client_for, mai, history):
    client = client_for(mai)
    response = client.get(reverse(MINE), {"first": "2021-11-01", "last": "2021-11-01"})
    assert _shown(response) == [history["viewed"].pk]
    assert "Lò Thị Mai đã xem nhật ký ra vào của Chợ Bát Xát" in response.content.decode()
