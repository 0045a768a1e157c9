"""Bulk import of arrivals: template, per-cell errors in a preview, confirm, never stored twice."""

from __future__ import annotations

import io
from datetime import date, datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from checkpoints.models import Arrival
from checkpoints.services.imports import arrivals_import_commit, arrivals_import_read, import_columns
from tests.checkpoints.conftest import local_dt
from tests.factories import ArrivalFactory, district

pytestmark = pytest.mark.django_db
HEADERS = [c.header for c in import_columns()]


def _row(**values) -> dict:
    base = {
        "Thời điểm đến": datetime(2021, 11, 2, 8, 15), "Họ và tên": "Nguyễn Văn An", "Số CMND/CCCD": "010203004567",
        "Số điện thoại": "0912345678", "Tỉnh/thành phố đi": "Hà Nội", "Quận/huyện đi": "Ba Đình",
        "Huyện đến": "Bát Xát", "Xã đến": "", "Phương tiện": "Ô tô", "Nhiệt độ (°C)": "36,5",
        "Xét nghiệm tại chốt": "Test nhanh kháng nguyên", "Kết quả xét nghiệm": "Âm tính",
    }  # fmt: skip
    return base | values


def workbook(rows: list[dict], headers: list[str] = HEADERS, name: str = "nguoi-den.xlsx") -> io.BytesIO:
    wb = Workbook()
    ws = wb.active
    ws.append(headers)
    for row in rows:
        ws.append([row.get(h) for h in headers])
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    buffer.name = name
    return buffer


def test_template_has_vietnamese_headers_an_example_and_instructions(client_for, checkpoint_staff):
    response = client_for(checkpoint_staff).get(reverse("checkpoints:arrival-import-template"))
    wb = load_workbook(io.BytesIO(response.content))
    ws = wb.worksheets[0]
    # Required columns carry the "*" the instructions speak of.
    assert [c.value for c in ws[1]][:5] == [
        "Thời điểm đến *",
        "Họ và tên *",
        "Năm sinh",
        "Số CMND/CCCD",
        "Số điện thoại",
    ]
    guide = [row[0].value for row in wb["Hướng dẫn"].iter_rows()]
    assert "Các cột có dấu * là bắt buộc." in guide and "Họ và tên *" in guide
    assert ws["B2"].value == "Nguyễn Văn An"
    assert "Hướng dẫn" in wb.sheetnames and "Huyện đến" in wb.sheetnames
    assert ws.data_validations.dataValidation  # drop-downs for vehicle and tests
    # ID and phone columns are text, so Excel keeps the leading zero of what is typed in them.
    assert ws.column_dimensions["D"].number_format == ws.column_dimensions["E"].number_format == "@"
    assert ws["D2"].value == "010203004567" and ws["D2"].number_format == "@"
    assert ws.column_dimensions["B"].number_format == "General"
    # The template as downloaded, example row included, is itself a valid import.
    buffer = io.BytesIO(response.content)
    buffer.name = "mau.xlsx"
    preview = arrivals_import_read(buffer, checkpoint=checkpoint_staff.assignments[0].checkpoint)
    assert [r.status for r in preview.rows] == ["new"], [r.errors for r in preview.rows]


def test_preview_names_each_bad_cell_and_stores_nothing(checkpoint):
    upload = workbook([
        _row(),
        _row(**{"Số điện thoại": "12345", "Số CMND/CCCD": ""}),
        _row(**{"Huyện đến": "Quận Hoàn Kiếm"}),
        _row(**{"Huyện đến": "Sa Pa", "Xã đến": "Xã A Mú Sung"}),  # A Mú Sung is in Bát Xát
        _row(**{"Thời điểm đến": "hôm qua", "Họ và tên": ""}),
        _row(**{"Quận/huyện đi": "Bát Xát"}),  # not in Hà Nội
    ])  # fmt: skip
    preview = arrivals_import_read(upload, checkpoint=checkpoint)
    problems = {r.number: sorted(e.cell for e in r.errors) for r in preview.rows if r.errors}
    assert problems == {3: ["E3"], 4: ["I4"], 5: ["J5"], 6: ["A6", "B6"], 7: ["G7"]}
    assert preview.rows[0].status == "new" and len(preview.invalid) == 5
    assert not Arrival.objects.exists()


def test_every_error_of_a_row_comes_in_one_preview_and_temperatures_are_bounded(checkpoint):
    # One row wrong in five ways at once: an unreadable time, no name, a bad phone, a fever of 45 °C and a
    # destination district outside the province. All five are named together, not one round at a time.
    bad = _row(**{"Thời điểm đến": "hôm qua", "Họ và tên": "", "Số điện thoại": "12345", "Số CMND/CCCD": "",
                  "Nhiệt độ (°C)": "45", "Huyện đến": "Quận Hoàn Kiếm"})  # fmt: skip
    cold = _row(**{"Nhiệt độ (°C)": "33,9"})
    edge = _row(**{"Nhiệt độ (°C)": "43", "Họ và tên": "Lò Văn Sáng", "Số CMND/CCCD": "010203009999"})
    preview = arrivals_import_read(workbook([bad, cold, edge]), checkpoint=checkpoint)
    errors = {e.cell: e.message for e in preview.rows[0].errors}
    assert sorted(errors) == ["A2", "B2", "E2", "I2", "P2"], errors
    assert "34" in errors["P2"] and "43" in errors["P2"]
    assert [e.cell for e in preview.rows[1].errors] == ["P3"]
    assert preview.rows[2].status == "new" and str(preview.rows[2].values["temperature"]) == "43.0"
    assert not Arrival.objects.exists()


def test_confirm_stores_valid_rows_once_and_reimporting_stores_nothing(checkpoint, checkpoint_staff):
    rows = [_row(), _row(**{"Họ và tên": "Lò Thị Mai", "Số CMND/CCCD": "012345678", "Số điện thoại": ""}),
            _row(**{"Số điện thoại": "bad", "Số CMND/CCCD": ""})]  # fmt: skip
    result, _ = arrivals_import_commit(by=checkpoint_staff, checkpoint=checkpoint, upload=workbook(rows))
    assert (result.created, result.invalid, result.already, result.repeated) == (2, 1, 0, 0)
    assert result.last_day == date(2021, 11, 2)
    arrival = Arrival.objects.get(full_name="Nguyễn Văn An")
    assert arrival.arrived_at == local_dt("2021-11-02 08:15") and str(arrival.temperature) == "36.5"
    assert (arrival.origin_province_id, arrival.origin_district_id) == (1, 1)
    assert arrival.vehicle == "car" and arrival.test_at_checkpoint == "rapid" and arrival.import_key
    again, preview = arrivals_import_commit(by=checkpoint_staff, checkpoint=checkpoint, upload=workbook(rows))
    assert again.created == 0 and again.already == 2 and Arrival.objects.count() == 2
    assert preview.count("already") == 2 and again.last_day is None


def test_rows_a_racing_confirmation_stored_first_are_counted_as_already_imported(
    checkpoint, checkpoint_staff, monkeypatch
):
    rows = [_row(), _row(**{"Họ và tên": "Lò Thị Mai", "Số CMND/CCCD": "012345678"})]
    arrivals_import_commit(by=checkpoint_staff, checkpoint=checkpoint, upload=workbook(rows))
    # The other confirmation stored the rows after this one read the file: its check saw them as new.
    monkeypatch.setattr("checkpoints.services.imports._mark_stored", lambda rows, checkpoint: None)
    result, preview = arrivals_import_commit(by=checkpoint_staff, checkpoint=checkpoint, upload=workbook(rows))
    assert len(preview.new) == 2 and (result.created, result.already) == (0, 2) and Arrival.objects.count() == 2


def test_the_same_row_twice_in_one_file_is_stored_once(checkpoint, checkpoint_staff):
    result, preview = arrivals_import_commit(by=checkpoint_staff, checkpoint=checkpoint, upload=workbook([_row()] * 2))
    assert result.created == 1 and [r.status for r in preview.rows] == ["new", "repeat"]
    assert (result.already, result.repeated) == (0, 1)


def test_csv_and_columns_in_any_order_and_units_by_code(checkpoint):
    headers = ["Huyện đến", "Họ và tên", "Số điện thoại", "Thời điểm đến"]
    csv = "\n".join([",".join(headers), f"{district('sa_pa').pk},Vàng A Chứ,0386123456,02/11/2021 23:59"]).encode()
    upload = io.BytesIO(csv)
    upload.name = "nguoi-den.csv"
    preview = arrivals_import_read(upload, checkpoint=checkpoint)
    assert preview.rows[0].status == "new", preview.rows[0].errors
    assert preview.rows[0].values["destination_district_id"] == district("sa_pa").pk


def test_missing_required_column_is_reported_by_name(checkpoint):
    from rollout.errors import ApplicationError

    with pytest.raises(ApplicationError, match="Huyện đến"):
        arrivals_import_read(
            workbook([_row()], headers=[h for h in HEADERS if h != "Huyện đến"]), checkpoint=checkpoint
        )


def test_a_likely_duplicate_of_a_stored_arrival_is_flagged_not_refused(checkpoint, checkpoint_staff):
    earlier = ArrivalFactory(checkpoint=checkpoint, id_number="010203004567", arrived_at=local_dt("2021-11-02 08:00"))
    result, _ = arrivals_import_commit(by=checkpoint_staff, checkpoint=checkpoint, upload=workbook([_row()]))
    assert result.flagged == 1
    assert Arrival.objects.exclude(pk=earlier.pk).get().possible_duplicate_of == earlier


def test_staff_cannot_import_for_another_checkpoint(checkpoint_staff, other_checkpoint):
    with pytest.raises(PermissionDenied):
        arrivals_import_commit(by=checkpoint_staff, checkpoint=other_checkpoint, upload=workbook([_row()]))


def test_page_flow_preview_then_confirm(client_for, checkpoint_staff, checkpoint):
    client = client_for(checkpoint_staff)
    upload = workbook([_row(), _row(**{"Số điện thoại": "0000", "Số CMND/CCCD": ""})])
    preview = client.post(
        reverse("checkpoints:arrival-import"), {"checkpoint": checkpoint.pk, "file": upload}, follow=True
    )
    html = preview.content.decode()
    assert preview.status_code == 200 and "E3" in html and not Arrival.objects.exists()
    confirm = reverse("import-job-confirm", args=[preview.context["job"].pk])
    done = client.post(confirm, follow=True)
    assert Arrival.objects.count() == 1
    # The list opens on the day of the imported arrival, with the counts in Vietnamese.
    assert done.redirect_chain[-1][0].endswith(f"?checkpoint={checkpoint.pk}&date=2021-11-02")
    assert done.context["day"] == date(2021, 11, 2) and "Nguyễn Văn An" in done.content.decode()
    assert "Đã lưu 1 người đến; 0 dòng đã nhập trước đó" in done.content.decode()
    # Confirming twice (a double click) stores nothing more.
    client.post(confirm)
    assert Arrival.objects.count() == 1
    # The same file again: nothing new, and the page says why.
    again = client.post(
        reverse("checkpoints:arrival-import"), {"checkpoint": checkpoint.pk, "file": workbook([_row()])}, follow=True
    )
    assert again.context["result"]["counts"]["already"] == 1
    assert "Mọi dòng của tệp này đã được nhập trước đó" in again.content.decode()


def test_page_refuses_another_checkpoint_and_non_recorders(client_for, checkpoint_staff, other_checkpoint,
                                                           district_officer):  # fmt: skip
    response = client_for(checkpoint_staff).post(
        reverse("checkpoints:arrival-import"), {"checkpoint": other_checkpoint.pk, "file": workbook([_row()])}
    )
    assert response.status_code == 400
    assert "checkpoint" in response.context["form"].errors and not Arrival.objects.exists()
    assert client_for(district_officer).get(reverse("checkpoints:arrival-import")).status_code == 403


def test_not_a_spreadsheet_is_refused_with_a_message(client_for, checkpoint_staff, checkpoint):
    junk = io.BytesIO(b"\x00\x01 not a workbook")
    junk.name = "x.pdf"
    response = client_for(checkpoint_staff).post(
        reverse("checkpoints:arrival-import"), {"checkpoint": checkpoint.pk, "file": junk}
    )
    assert response.status_code == 400 and response.context["form"].errors["file"]
