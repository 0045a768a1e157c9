"""The tracing pages: who sees them, the search form, the result with its pictures, marking and the F2 form."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from rollout.models import AuditEvent, Role
from rollout.services.audit import Action
from rollout.timeutils import local_today
from tests.factories import UserFactory
from tests.tracing.conftest import EXPECTED, F0_ID
from tests.tracing.ring2_scenario import HA, MAI, add_ring2
from tracing.models import Candidate, TracingSearch
from tracing.pictures import MAX_F1_PER_PLACE, chain_layout, chain_svg, short_name
from tracing.services.search import tracing_search

pytestmark = pytest.mark.django_db
OTHER_ROLES = ["district_officer", "checkpoint_staff", "agency_admin", "facility_staff", "province_viewer", "outsider"]


@pytest.fixture
def searched(scenario, health_officer):
    return tracing_search(by=health_officer, id_number=F0_ID, reason="Ca dương tính")


def page_urls(search) -> list[str]:
    return [
        reverse("tracing:search-new"),
        reverse("tracing:search-list"),
        reverse("tracing:search-detail", args=[search.pk]),
        reverse("tracing:search-chain", args=[search.pk]),
        reverse("tracing:search-chain-print", args=[search.pk]),
    ]


def search_form(**extra) -> dict:
    today = local_today()
    return {
        "start": f"{today - timedelta(days=13)}", "end": f"{today}", "reason_kind": "confirmed_case",
        "reason": "Ca dương tính ngày 28", "id_number": "", "phone": "", "full_name": "",
    } | extra  # fmt: skip


@pytest.mark.parametrize("persona", OTHER_ROLES)
def test_other_roles_get_403_on_every_page_and_form_and_no_menu_item(persona, request, client_for, searched):
    client = client_for(request.getfixturevalue(persona))
    for url in page_urls(searched):
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("tracing:search-new"), search_form(id_number=F0_ID)).status_code == 403
    mark = reverse("tracing:candidate-mark", args=[searched.pk, 1])
    assert client.post(mark, {"status": "contacted"}).status_code == 403
    assert client.post(reverse("tracing:ring2-ask", args=[searched.pk]), {"ranks": [1]}).status_code == 403
    assert TracingSearch.objects.count() == 1 and not searched.candidates.filter(status="contacted").exists()
    dashboard = client.get(reverse("dashboard"))
    assert f'href="{reverse("tracing:search-new")}"' not in dashboard.content.decode()


def test_anonymous_is_sent_to_sign_in(client, searched):
    response = client.get(reverse("tracing:search-detail", args=[searched.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("persona", ["health_officer", "province_admin"])
def test_health_officer_and_province_admin_have_the_menu_item(persona, request, client_for, units):
    content = client_for(request.getfixturevalue(persona)).get(reverse("dashboard")).content.decode()
    assert f'href="{reverse("tracing:search-new")}"' in content
    assert "Truy vết tiếp xúc" in content


def test_another_health_officer_gets_404_on_someone_elses_search(client_for, searched):
    client = client_for(UserFactory.with_role(Role.HEALTH_OFFICER))
    for url in page_urls(searched)[2:]:
        assert client.get(url).status_code == 404
    mark = reverse("tracing:candidate-mark", args=[searched.pk, 1])
    assert client.post(mark, {"status": "contacted"}).status_code == 404


def test_search_form_defaults_to_the_last_14_days_and_searches(client_for, health_officer, scenario):
    client = client_for(health_officer)
    form = client.get(reverse("tracing:search-new")).context["form"]
    today = local_today()
    assert (form["start"].value(), form["end"].value()) == (today - timedelta(days=13), today)
    response = client.post(reverse("tracing:search-new"), search_form(id_number=F0_ID))
    search = TracingSearch.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("tracing:search-detail", args=[search.pk])
    assert search.reason == "Ca dương tính ngày 28" and search.candidate_count == len(EXPECTED)


def test_search_without_a_reason_or_beyond_the_retention_shows_the_field_and_saves_nothing(
    client_for, health_officer, scenario
):
    client = client_for(health_officer)
    response = client.post(reverse("tracing:search-new"), search_form(id_number=F0_ID, reason=""))
    assert response.status_code == 200 and response.context["form"].errors["reason"]
    too_old = f"{local_today() - timedelta(days=40)}"
    response = client.post(reverse("tracing:search-new"), search_form(id_number=F0_ID, start=too_old))
    assert "21 ngày" in " ".join(response.context["form"].errors["start"])
    nobody = client.post(reverse("tracing:search-new"), search_form())
    assert "Nhập số điện thoại, số CMND/CCCD hoặc họ tên." in nobody.content.decode()
    assert not TracingSearch.objects.exists()


def test_a_name_alone_lists_the_people_to_choose_and_choosing_searches_by_id(client_for, health_officer, scenario):
    client = client_for(health_officer)
    response = client.post(reverse("tracing:search-new"), search_form(full_name="nguyen van an"))
    assert response.status_code == 200
    people = response.context["people"]
    assert [p["id_number"] for p in people] == [F0_ID]
    content = response.content.decode()
    assert f'name="id_number" value="{F0_ID}"' in content and 'value="Ca dương tính ngày 28"' in content
    chosen = client.post(reverse("tracing:search-new"), search_form(id_number=F0_ID))
    assert chosen.status_code == 302 and TracingSearch.objects.get().id_number == F0_ID


def test_result_page_shows_timeline_picture_and_candidates_unmasked(client_for, health_officer, searched):
    response = client_for(health_officer).get(reverse("tracing:search-detail", args=[searched.pk]))
    content = response.content.decode()
    assert content.count('class="timeline-picture"') == 1
    assert content.count('<g class="checkin') == 3 and content.count('<g class="arrival"') == 1
    assert "24A-123.45" in content and "Nhà hàng Suối Hoa" in content
    names = [row["c"].full_name for row in response.context["ring1_rows"]]
    assert names == [name for name, _s, _m in EXPECTED]
    assert "0912000017" in content and "001090000007" in content  # phones and IDs unmasked for these roles
    assert 'form="ring2-form"' in content and "<script>" not in content and " onclick" not in content


def test_marking_through_the_page_saves_and_comes_back_with_a_message(client_for, health_officer, searched):
    client = client_for(health_officer)
    url = reverse("tracing:candidate-mark", args=[searched.pk, 2])
    response = client.post(url, {"status": "contacted", "note": "Đã gọi lúc 9h"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("tracing:search-detail", args=[searched.pk]) + "#candidate-2"
    assert "Nguyễn Thị Cúc: Đã liên hệ" in response.content.decode()
    candidate = searched.candidates.get(rank=2)
    assert (candidate.status, candidate.note) == ("contacted", "Đã gọi lúc 9h")
    bad = client.post(url, {"status": "cured"}, follow=True)
    assert "không được lưu" in bad.content.decode()
    assert searched.candidates.get(rank=2).status == "contacted"
    assert AuditEvent.objects.filter(action=Action.TRACING_FOLLOWUP).count() == 1


def test_asking_for_f2_through_the_page_lists_them_with_their_f1(client_for, health_officer, scenario):
    add_ring2(scenario)
    search = tracing_search(by=health_officer, id_number=F0_ID, reason="Ca dương tính")
    client = client_for(health_officer)
    response = client.post(reverse("tracing:ring2-ask", args=[search.pk]), {"ranks": [str(MAI), str(HA)]}, follow=True)
    content = response.content.decode()
    assert "4 người có thể là F2" in content
    assert [row["c"].full_name for row in response.context["ring2_rows"]][:2] == ["Lê Văn Sơn", "Chu Văn Dũng"]
    assert content.count("F2 ✓") == 2  # those two F1s cannot be asked again
    empty = client.post(reverse("tracing:ring2-ask", args=[search.pk]), {}, follow=True)
    assert "Hãy đánh dấu ít nhất một F1" in empty.content.decode()


def test_chain_picture_and_print_view(client_for, health_officer, scenario):
    add_ring2(scenario)
    search = tracing_search(by=health_officer, id_number=F0_ID, reason="Ca dương tính")
    client = client_for(health_officer)
    client.post(reverse("tracing:ring2-ask", args=[search.pk]), {"ranks": [str(MAI)]})
    Candidate.objects.filter(search=search, rank=1).update(status="contacted")
    content = client.get(reverse("tracing:search-chain", args=[search.pk])).content.decode()
    assert 'class="chain-picture"' in content
    assert content.count('class="node place venue"') == 2 and content.count('class="node place checkpoint"') == 1
    assert content.count('class="node person') == len(EXPECTED) + 2
    assert 'class="node person st-contacted"' in content and "1. Nguyễn T. Hà" in content
    printed = client.get(reverse("tracing:search-chain-print", args=[search.pk])).content.decode()
    assert 'class="chain-picture"' in printed and "data-print" in printed and 'class="sidebar"' not in printed


def test_a_crowded_place_is_capped_with_more_boxes(searched):
    many = []
    template = searched.candidates.get(rank=2)  # met the F0 at venue B
    for i in range(30):
        template.pk, template.rank, template.full_name = None, 100 + i, f"Người thử {i}"
        many.append(Candidate(**{f.attname: getattr(template, f.attname) for f in Candidate._meta.concrete_fields}))
    Candidate.objects.bulk_create(many)
    chain = chain_layout("F0", list(searched.candidates.all()))
    svg = chain_svg(chain)
    assert svg.count('class="node person') <= 3 * MAX_F1_PER_PLACE
    assert "+" in svg and chain.hidden >= 30 - MAX_F1_PER_PLACE


def test_names_are_shortened_and_escaped_in_the_picture(searched):
    assert short_name("Nguyễn Thị Minh Khai") == "Nguyễn T. M. Khai" and short_name("Lò Mai") == "Lò Mai"
    candidate = searched.candidates.get(rank=3)
    candidate.full_name = "<b>Tên</b> & Co"
    svg = chain_svg(chain_layout("F0 <x>", [candidate]))
    assert "<b>" not in svg and "&lt;b&gt;" in svg and "F0 &lt;x&gt;" in svg
