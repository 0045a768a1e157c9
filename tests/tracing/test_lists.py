"""Tracing lists delivered to each candidate's district (SPEC §8, like the daily lists of §5).

On the scenario of conftest.py the candidates belong to two districts:
  Bát Xát: Trần Văn Bình, Lò Thị Mai, Hoàng Văn Nam, Đỗ Văn Tú, Vàng Thị Dung (venue A, no arrival)
  Sa Pa:   Nguyễn Thị Hà (same car, bound for Sa Pa), Nguyễn Thị Cúc (venue B), Giàng A Páo (arrival to Sa Pa)
"""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path
from unittest import mock

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from rollout import outbox
from rollout.models import AuditEvent, FocalOfficer, FollowUp, Notification, Role
from rollout.services.audit import Action
from rollout.services.retention import personal_data_purge
from tests.factories import UserFactory, district
from tests.outbox import waiting
from tests.tracing.conftest import F0_ID
from tracing.models import Candidate, CandidateStatus, TracingList, TracingSearch
from tracing.services.lists import send_district_lists, tracing_list_notify
from tracing.services.search import tracing_search

pytestmark = pytest.mark.django_db

HEADER_ROW = 11  # title, 8 facts (with the district), warning, blank
BAT_XAT = ["Trần Văn Bình", "Lò Thị Mai", "Hoàng Văn Nam", "Đỗ Văn Tú", "Vàng Thị Dung"]
SA_PA = ["Nguyễn Thị Hà", "Nguyễn Thị Cúc", "Giàng A Páo"]
BROKER_DOWN = mock.patch("celery.app.task.Task.apply_async", side_effect=ConnectionRefusedError(111, "refused"))
NOTIFY = "tracing.tasks.tracing_list_notify_task"


@pytest.fixture(autouse=True)
def files_root(settings, tmp_path) -> Path:
    settings.PRIVATE_FILES_ROOT = tmp_path / "files"
    settings.SITE_URL = "https://covid.laocai.gov.vn"
    return settings.PRIVATE_FILES_ROOT


@pytest.fixture
def focal_officers(units):
    return {
        short: FocalOfficer.objects.create(
            full_name=f"Đầu mối {short}", phone="0912345678", email=f"{short}@demo.gov.vn", district=district(short)
        )
        for short in ("bat_xat", "sa_pa")
    }


@pytest.fixture
def searched(health_officer, scenario):
    return tracing_search(by=health_officer, id_number=F0_ID, reason="Ca F0 mới")


@pytest.fixture
def sent(searched, health_officer):
    send_district_lists(searched, by=health_officer)
    return {t.district.short_codename: t for t in TracingList.objects.select_related("district")}


def names_in(tracing_list: TracingList, root: Path) -> list[str]:
    ws = load_workbook(root / tracing_list.file).active
    return [r[1] for r in ws.iter_rows(min_row=HEADER_ROW + 1, values_only=True) if r[0] is not None]


def status_of(search: TracingSearch, name: str) -> str:
    return search.candidates.get(full_name=name).status


# --- Building and sending --------------------------------------------------------------------------


def test_one_list_per_district_with_its_candidates_in_rank_order(searched, health_officer, files_root):
    result = send_district_lists(searched, by=health_officer)
    lists = {t.district.short_codename: t for t in result.written}
    assert set(lists) == {"bat_xat", "sa_pa"}
    assert names_in(lists["bat_xat"], files_root) == BAT_XAT
    assert names_in(lists["sa_pa"], files_root) == SA_PA
    assert (lists["bat_xat"].rows, lists["sa_pa"].rows, lists["sa_pa"].revision) == (5, 3, 1)
    ws = load_workbook(files_root / lists["sa_pa"].file).active
    assert ws["B3"].value == district("sa_pa").name
    assert {r[10] for r in ws.iter_rows(min_row=HEADER_ROW + 1, values_only=True)} == {"Đã chuyển cho huyện"}
    assert (
        len(lists["sa_pa"].checksum) == 64 and lists["sa_pa"].size == (files_root / lists["sa_pa"].file).stat().st_size
    )
    # Only the candidates not yet followed up were handed over.
    assert result.handed == 8
    assert set(searched.candidates.values_list("status", flat=True)) == {CandidateStatus.HANDED_TO_DISTRICT}


def test_ruled_out_candidates_are_left_out_and_followed_ones_keep_their_status(searched, health_officer, files_root):
    Candidate.objects.filter(search=searched, full_name="Lò Thị Mai").update(status=CandidateStatus.NOT_CONTACT)
    Candidate.objects.filter(search=searched, full_name="Nguyễn Thị Hà").update(status=CandidateStatus.CONTACTED)
    result = send_district_lists(searched, by=health_officer)
    lists = {t.district.short_codename: t for t in result.written}
    assert "Lò Thị Mai" not in names_in(lists["bat_xat"], files_root)
    assert names_in(lists["sa_pa"], files_root) == SA_PA
    assert status_of(searched, "Lò Thị Mai") == CandidateStatus.NOT_CONTACT
    assert status_of(searched, "Nguyễn Thị Hà") == CandidateStatus.CONTACTED
    assert result.handed == 6


def test_candidates_without_a_district_are_on_no_list_and_the_officer_is_told(
    client_for, searched, health_officer, files_root
):
    Candidate.objects.filter(search=searched, full_name="Giàng A Páo").update(district=None)
    response = client_for(health_officer).post(reverse("tracing:send_lists", args=[searched.pk]), follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert "1 người chưa xác định được huyện" in page
    assert "Đã gửi 2 danh sách truy vết" in page and "(7 người)" in page
    sa_pa = TracingList.objects.get(district=district("sa_pa"))
    assert "Giàng A Páo" not in names_in(sa_pa, files_root)
    assert status_of(searched, "Giàng A Páo") == CandidateStatus.NEW


def test_sending_again_writes_a_new_revision_only_where_the_list_changed(
    sent, searched, health_officer, files_root, django_capture_on_commit_callbacks
):
    first_bat_xat, first_sa_pa = sent["bat_xat"], sent["sa_pa"]
    again = send_district_lists(searched, by=health_officer)
    assert (again.written, again.unchanged) == ([], 2)
    # A second ring brings a new person bound for Sa Pa; the district gets a new revision, Bát Xát does not.
    Candidate.objects.create(
        search=searched, rank=99, full_name="Sùng Thị Mỷ", phone="0912000099", district=district("sa_pa"),
        source="venue", place="Khách sạn Mây Trắng", first_contact_at=timezone.now(), exposure_minutes=5,
    )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        result = send_district_lists(searched, by=health_officer)
    assert [t.district.short_codename for t in result.written] == ["sa_pa"] and result.unchanged == 1
    sa_pa = TracingList.objects.get(pk=first_sa_pa.pk)
    assert sa_pa.revision == 2 and sa_pa.rows == 4 and names_in(sa_pa, files_root)[-1] == "Sùng Thị Mỷ"
    assert not (files_root / first_sa_pa.file).exists()  # the old revision's file is gone
    assert TracingList.objects.get(pk=first_bat_xat.pk).revision == 1
    assert (files_root / first_bat_xat.file).exists()


def test_a_district_whose_candidates_were_all_ruled_out_gets_an_empty_revision(sent, searched, health_officer):
    Candidate.objects.filter(search=searched, full_name__in=SA_PA).update(status=CandidateStatus.NOT_CONTACT)
    result = send_district_lists(searched, by=health_officer)
    [sa_pa] = result.written
    assert (sa_pa.district.short_codename, sa_pa.revision, sa_pa.rows) == ("sa_pa", 2, 0)


def test_sending_is_audited_with_ids_and_counts_only(client_for, searched, health_officer):
    client_for(health_officer).post(reverse("tracing:send_lists", args=[searched.pk]))
    event = AuditEvent.objects.get(action=Action.TRACING_LISTS_SEND)
    assert (event.actor, event.object_type, event.object_id) == (
        health_officer,
        "tracing.tracingsearch",
        str(searched.pk),
    )
    assert event.detail["rows"] == 8 and event.detail["handed"] == 8 and event.detail["without_district"] == 0
    assert sorted(event.detail["districts"]) == sorted([district("bat_xat").pk, district("sa_pa").pk])
    text = str(event.detail)
    assert not any(name in text for name in BAT_XAT + SA_PA) and "0912" not in text


def test_a_failure_half_way_leaves_no_file_no_list_and_no_status_changed(searched, health_officer, files_root):
    from tracing.services import lists

    calls = []
    real = lists.candidates_workbook

    def second_fails(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise OSError("disk full")
        return real(*args, **kwargs)

    with mock.patch.object(lists, "candidates_workbook", second_fails), pytest.raises(OSError):
        send_district_lists(searched, by=health_officer)
    assert not TracingList.objects.exists()
    assert not [p for p in files_root.rglob("*") if p.is_file()]
    assert set(searched.candidates.values_list("status", flat=True)) == {CandidateStatus.NEW}


# --- Who may send --------------------------------------------------------------------------------


def test_send_redirects_back_and_is_for_the_searcher_and_province_admins(client_for, searched, province_admin):
    response = client_for(province_admin).post(reverse("tracing:send_lists", args=[searched.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("tracing:search-detail", kwargs={"pk": searched.pk})
    assert TracingList.objects.count() == 2


def test_another_health_officer_cannot_send_someone_elses_search(client_for, searched):
    other = client_for(UserFactory.with_role(Role.HEALTH_OFFICER))
    assert other.post(reverse("tracing:send_lists", args=[searched.pk])).status_code == 404
    assert not TracingList.objects.exists()


@pytest.mark.parametrize(
    "persona",
    ["district_officer", "checkpoint_staff", "agency_admin", "facility_staff", "province_viewer", "outsider"],
)
def test_other_roles_cannot_send(request, client_for, searched, persona):
    client = client_for(request.getfixturevalue(persona))
    assert client.post(reverse("tracing:send_lists", args=[searched.pk])).status_code == 403
    assert not TracingList.objects.exists()


def test_send_is_post_only(client_for, searched, health_officer):
    assert client_for(health_officer).get(reverse("tracing:send_lists", args=[searched.pk])).status_code == 405


# --- Telling the district ------------------------------------------------------------------------


def test_each_focal_officer_gets_a_link_not_the_data_and_district_officers_are_told(
    client_for, searched, health_officer, focal_officers, district_officer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(health_officer).post(reverse("tracing:send_lists", args=[searched.pk]))
    assert response.status_code == 302
    assert sorted(m.to[0] for m in mail.outbox) == ["bat_xat@demo.gov.vn", "sa_pa@demo.gov.vn"]
    message = next(m for m in mail.outbox if m.to == ["bat_xat@demo.gov.vn"])
    assert "Huyện Bát Xát" in message.subject
    assert "https://covid.laocai.gov.vn/tracing/lists/" in message.body
    assert "5 người" in message.body
    assert not message.attachments
    html = message.alternatives[0][0]
    everything = message.subject + message.body + html
    assert not any(name in everything for name in BAT_XAT + SA_PA + ["Nguyễn Văn An"]) and F0_ID not in everything
    bat_xat = TracingList.objects.get(district=district("bat_xat"))
    assert bat_xat.emailed_to == "bat_xat@demo.gov.vn" and bat_xat.emailed_at is not None
    notes = Notification.objects.filter(user=district_officer)
    assert [n.url for n in notes] == ["https://covid.laocai.gov.vn/tracing/lists/"] and "5 người" in notes[0].message
    # Once per revision: a duplicate task sends nothing more.
    assert tracing_list_notify(tracing_list_id=bat_xat.pk) is False
    assert len(mail.outbox) == 2


@pytest.mark.django_db(transaction=True)  # commits happen as in production: the dispatch runs in the request
def test_with_the_broker_down_sending_succeeds_and_the_mail_goes_out_later(
    client_for, searched, health_officer, focal_officers
):
    client = client_for(health_officer)
    with BROKER_DOWN:
        response = client.post(reverse("tracing:send_lists", args=[searched.pk]), follow=True)
    assert response.status_code == 200  # never an error page
    assert "khi dịch vụ hoạt động trở lại" in response.content.decode()
    assert TracingList.objects.count() == 2 and not mail.outbox
    assert [r.task for r in waiting()] == [NOTIFY, NOTIFY]
    outbox.broker.reset()  # back
    assert outbox.sweep()["sent"] == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["bat_xat@demo.gov.vn", "sa_pa@demo.gov.vn"]
    assert FollowUp.objects.filter(task=NOTIFY, state=FollowUp.State.DONE).count() == 2


# --- The district's page and downloads -------------------------------------------------------------


def test_a_district_officer_sees_only_its_own_lists(client_for, sent, district_officer):
    page = client_for(district_officer).get(reverse("tracing:lists"))
    assert page.status_code == 200
    urls = [reverse("tracing:list_download", args=[t.pk]) for t in (sent["bat_xat"], sent["sa_pa"])]
    body = page.content.decode()
    assert urls[0] in body and urls[1] not in body
    assert "Huyện Sa Pa" not in body


@pytest.mark.parametrize("persona", ["health_officer", "province_admin"])
def test_health_officers_and_province_admins_see_every_district(request, client_for, sent, persona):
    body = client_for(request.getfixturevalue(persona)).get(reverse("tracing:lists")).content.decode()
    for t in sent.values():
        assert reverse("tracing:list_download", args=[t.pk]) in body
    other_ho = client_for(UserFactory.with_role(Role.HEALTH_OFFICER)).get(reverse("tracing:lists"))
    assert reverse("tracing:list_download", args=[sent["sa_pa"].pk]) in other_ho.content.decode()
    one = client_for(request.getfixturevalue(persona)).get(
        reverse("tracing:lists"), {"district": sent["sa_pa"].district_id}
    )
    body = one.content.decode()
    assert reverse("tracing:list_download", args=[sent["sa_pa"].pk]) in body
    assert reverse("tracing:list_download", args=[sent["bat_xat"].pk]) not in body


@pytest.mark.parametrize(
    ("persona", "bat_xat_status", "sa_pa_status"),
    [
        ("district_officer", 200, 404),
        ("other_district_officer", 404, 200),
        ("health_officer", 200, 200),
        ("province_admin", 200, 200),
        ("province_viewer", 403, 403),
        ("checkpoint_staff", 403, 403),
        ("agency_admin", 403, 403),
        ("facility_staff", 403, 403),
        ("outsider", 403, 403),
    ],
)
def test_downloads_are_scoped(request, client_for, sent, files_root, persona, bat_xat_status, sa_pa_status):
    client = client_for(request.getfixturevalue(persona))
    for short, expected in (("bat_xat", bat_xat_status), ("sa_pa", sa_pa_status)):
        response = client.get(reverse("tracing:list_download", args=[sent[short].pk]))
        assert response.status_code == expected, (persona, short)
        if expected == 200:
            body = b"".join(response.streaming_content)
            assert load_workbook(io.BytesIO(body)).active["B3"].value == district(short).name
            assert f"danh-sach-truy-vet-{sent[short].search_id}" in response["Content-Disposition"]


@pytest.mark.parametrize(
    "persona", ["checkpoint_staff", "agency_admin", "facility_staff", "province_viewer", "outsider"]
)
def test_other_roles_get_403_on_the_page_and_see_no_menu_entry(request, client_for, persona):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(reverse("tracing:lists")).status_code == 403
    assert reverse("tracing:lists") not in client.get(reverse("dashboard")).content.decode()


def test_the_menu_shows_the_page_to_district_officers(client_for, district_officer):
    body = client_for(district_officer).get(reverse("dashboard")).content.decode()
    assert reverse("tracing:lists") in body and "Danh sách truy vết" in body


def test_anonymous_visitors_are_sent_to_sign_in(client_for, sent):
    response = client_for(None).get(reverse("tracing:list_download", args=[sent["bat_xat"].pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_every_download_is_audit_logged(client_for, sent, district_officer, health_officer):
    for user in (district_officer, health_officer):
        b"".join(client_for(user).get(reverse("tracing:list_download", args=[sent["bat_xat"].pk])).streaming_content)
    events = AuditEvent.objects.filter(action=Action.DOWNLOAD, object_type="tracing.tracinglist")
    assert events.count() == 2
    assert {e.actor_id for e in events} == {district_officer.pk, health_officer.pk}
    assert {e.object_id for e in events} == {str(sent["bat_xat"].pk)}
    assert not AuditEvent.objects.filter(action=Action.DOWNLOAD, object_id=str(sent["sa_pa"].pk)).exists()


# --- Retention ---------------------------------------------------------------------------------------


def test_lists_go_with_their_search_files_and_rows(sent, searched, health_officer, files_root):
    kept_search = tracing_search(by=health_officer, id_number=F0_ID, reason="Mới")
    send_district_lists(kept_search, by=health_officer)
    kept = list(TracingList.objects.filter(search=kept_search))
    TracingSearch.objects.filter(pk=searched.pk).update(created_at=timezone.now() - timedelta(days=40))
    result = personal_data_purge()
    assert result.deleted["tracing lists"] == 2 and result.deleted["tracing searches"] == 1
    assert sorted(f for f, _rows in result.files if f.startswith("tracing-lists/")) == sorted(
        t.file for t in sent.values()
    )
    for old in sent.values():
        assert not (files_root / old.file).exists()
    assert list(TracingList.objects.order_by("pk")) == kept
    assert all((files_root / t.file).exists() for t in kept)
