"""A hand-built scenario whose F1 set is known (SPEC §8).

Day D is three days ago (well inside the retention). Times are local (Asia/Ho_Chi_Minh). The F0 is
Nguyễn Văn An, ID 001090000001, phone 0912000001 (and 0912000031 on one record). With a buffer of
15 minutes and a default stay of 60 minutes:

  Venue A (Bát Xát), F0 10:00-11:00 (checked out)   -> widened 09:45-11:15
    Lò Thị Mai        10:30-12:00                  contact, 30 min
    Giàng A Páo       09:00-10:00 (ends as F0 begins) contact, 0 min (the buffers overlap)
    Vàng Thị Dung     11:10, no check-out          contact, 0 min (inside the buffer only)
    Sùng A Lử         11:15-11:45                  NOT (begins exactly where the buffer ends)
    Hoàng Văn Nam     09:20, no check-out (->10:20) contact, 20 min (default stay)
    Trần Văn Bình     10:40-10:50 (phone ...17, ID 007)  }
  Venue B (Sa Pa), F0 20:00, no check-out (->21:00)      } one person by ID: 10 + 30 = 40 min
    Trần Văn Bình     20:30, no check-out (phone ...27, ID 007)
    Nguyễn Thị Cúc    20:10, no check-out, the F0's phone (a family phone): her own person, 50 min
  Venue A, F0 23:30, no check-out: cut at midnight (-> 00:00), widened to 00:15
    Đỗ Văn Tú         23:50, no check-out (cut at 00:00)  contact, 10 min
    Phạm Thị Lan      00:20 on D+1                 NOT (without the midnight cut the F0 would be there till 00:30)
    Lý Thị Hoa        at venue A 10:00-11:00 on D-1 NOT (another day)
  Checkpoint (Bảo Yên), F0 arrives 07:00 by car 24A-123.45
    Nguyễn Thị Hà     same plate, 07:30            contact (same vehicle: ranked first), bound for Sa Pa
    Lê Văn Sơn        same plate, 07:31            NOT (beyond 30 minutes)
    Hà Văn Khánh      other plate, 07:05           NOT
    Mã Văn Lộc        same plate, other checkpoint NOT
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import pytest

from rollout.timeutils import local_datetime, local_today
from tests.factories import ArrivalFactory, CheckInFactory, CheckpointFactory, VenueFactory, district

F0_ID = "001090000001"
F0_PHONE = "0912000001"

# full name -> (source, exposure minutes), in the expected rank order
EXPECTED = [
    ("Nguyễn Thị Hà", "checkpoint", 0),
    ("Nguyễn Thị Cúc", "venue", 50),
    ("Trần Văn Bình", "venue", 40),
    ("Lò Thị Mai", "venue", 30),
    ("Hoàng Văn Nam", "venue", 20),
    ("Đỗ Văn Tú", "venue", 10),
    ("Giàng A Páo", "venue", 0),
    ("Vàng Thị Dung", "venue", 0),
]


@pytest.fixture(autouse=True)
def _tracing_settings(settings):
    settings.TRACING_BUFFER_MINUTES = 15
    settings.TRACING_SAME_VEHICLE_MINUTES = 30
    settings.CHECKIN_DEFAULT_STAY_MINUTES = 60
    settings.PERSONAL_DATA_RETENTION_DAYS = 21
    settings.TRACING_DEFAULT_DAYS = 14


@dataclass
class Scenario:
    day: date
    venue_a: object
    venue_b: object
    checkpoint: object

    def at(self, hhmm: str, days: int = 0) -> datetime:
        h, m = map(int, hhmm.split(":"))
        return local_datetime(self.day + timedelta(days=days), time(h, m))


@pytest.fixture
def scenario(units) -> Scenario:
    s = Scenario(
        day=local_today() - timedelta(days=3),
        venue_a=VenueFactory(name="Nhà hàng Suối Hoa", district=district("bat_xat")),
        venue_b=VenueFactory(name="Khách sạn Mây Trắng", district=district("sa_pa")),
        checkpoint=CheckpointFactory(name="Chốt Bảo Hà"),
    )
    a, b, at = s.venue_a, s.venue_b, s.at

    def visit(venue, name, phone, came, left=None, id_number="", days=0):
        CheckInFactory(
            venue=venue,
            full_name=name,
            phone=phone,
            id_number=id_number,
            checked_in_at=at(came, days),
            checked_out_at=at(left, days) if left else None,
        )

    # The F0
    visit(a, "Nguyễn Văn An", F0_PHONE, "10:00", "11:00", id_number=F0_ID)
    visit(b, "Nguyễn Văn An", F0_PHONE, "20:00", id_number=F0_ID)
    visit(a, "Nguyễn Văn An", "0912000031", "23:30", id_number=F0_ID)
    ArrivalFactory(
        checkpoint=s.checkpoint, full_name="Nguyễn Văn An", phone=F0_PHONE, id_number=F0_ID,
        arrived_at=at("07:00"), vehicle="car", plate="24A-123.45", destination_district=district("bat_xat"),
    )  # fmt: skip
    # Venue A, morning
    visit(a, "Lò Thị Mai", "0912000011", "10:30", "12:00")
    visit(a, "Giàng A Páo", "0912000012", "09:00", "10:00")
    visit(a, "Vàng Thị Dung", "0912000013", "11:10")
    visit(a, "Sùng A Lử", "0912000014", "11:15", "11:45")
    visit(a, "Hoàng Văn Nam", "0912000015", "09:20")
    visit(a, "Trần Văn Bình", "0912000017", "10:40", "10:50", id_number="001090000007")
    # Venue B, evening
    visit(b, "Trần Văn Bình", "0912000027", "20:30", id_number="001090000007")
    visit(b, "Nguyễn Thị Cúc", F0_PHONE, "20:10")
    # Venue A, around midnight; and the day before
    visit(a, "Đỗ Văn Tú", "0912000019", "23:50")
    visit(a, "Phạm Thị Lan", "0912000018", "00:20", days=1)
    visit(a, "Lý Thị Hoa", "0912000016", "10:00", "11:00", days=-1)
    # Giàng A Páo arrived two days earlier, bound for Sa Pa: the district he belongs to
    ArrivalFactory(
        checkpoint=CheckpointFactory(), full_name="Giàng A Páo", phone="0912000012", id_number="",
        arrived_at=at("08:00", -2), plate="", destination_district=district("sa_pa"),
    )  # fmt: skip
    # The checkpoint
    for name, phone, when, plate, checkpoint in [
        ("Nguyễn Thị Hà", "0912000021", "07:30", "24A-123.45", s.checkpoint),
        ("Lê Văn Sơn", "0912000022", "07:31", "24A-123.45", s.checkpoint),
        ("Hà Văn Khánh", "0912000023", "07:05", "24A-999.99", s.checkpoint),
        ("Mã Văn Lộc", "0912000024", "07:05", "24A-123.45", CheckpointFactory()),
    ]:
        ArrivalFactory(
            checkpoint=checkpoint, full_name=name, phone=phone, id_number="", arrived_at=at(when),
            vehicle="car", plate=plate, destination_district=district("sa_pa"),
        )  # fmt: skip
    return s
