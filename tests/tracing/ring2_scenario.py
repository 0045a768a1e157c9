"""The second ring of the conftest scenario: who the F1s Lò Thị Mai (rank 4) and Nguyễn Thị Hà (rank 1)
met after they met the F0, on day D (buffer 15 min, default stay 60 min):

  Lò Thị Mai: first contact 10:30 at venue A, there till 12:00
    Sùng A Lử         venue A 11:15-11:45           F2, 30 min (not an F1: after the F0's buffer)
    the F0, Vàng Thị Dung, Trần Văn Bình, Hoàng Văn Nam at venue A   NOT (the F0 and F1s)
  Venue C (Sa Pa), Mai 15:00-16:00
    Phan Văn Xuân     15:40-16:30                   F2, 20 min
    Bàn Văn Quý       16:20-17:00                   NOT (after Mai's buffer)
    Trần Văn Bình     15:10-15:20                   NOT (an F1)
  Venue C on D-1, Mai 15:00-16:00 with Triệu Thị Yến   NOT (before Mai met the F0)
  Nguyễn Thị Hà: first contact 07:30 at the checkpoint (same car as the F0)
    Lê Văn Sơn        same plate 07:31              F2 by the same vehicle: ranked first
  Venue D (Lào Cai), Hà 09:00-10:00
    Chu Văn Dũng      09:30-10:30                   F2, 30 min
"""

from __future__ import annotations

from tests.factories import CheckInFactory, VenueFactory, district

MAI, HA = 4, 1  # their F1 ranks (conftest.EXPECTED)
# F2s when both are asked for, in rank order: (name, source, minutes, via name)
EXPECTED_RING2 = [
    ("Lê Văn Sơn", "checkpoint", 0, "Nguyễn Thị Hà"),
    ("Chu Văn Dũng", "venue", 30, "Nguyễn Thị Hà"),
    ("Sùng A Lử", "venue", 30, "Lò Thị Mai"),
    ("Phan Văn Xuân", "venue", 20, "Lò Thị Mai"),
]


def add_ring2(s) -> None:
    venue_c = VenueFactory(name="Quán cà phê Sương Sớm", district=district("sa_pa"))
    venue_d = VenueFactory(name="Chợ Cốc Lếu", district=district("lao_cai"))

    def visit(venue, name, phone, came, left, id_number="", days=0):
        CheckInFactory(
            venue=venue, full_name=name, phone=phone, id_number=id_number,
            checked_in_at=s.at(came, days), checked_out_at=s.at(left, days),
        )  # fmt: skip

    visit(venue_c, "Lò Thị Mai", "0912000011", "15:00", "16:00")
    visit(venue_c, "Phan Văn Xuân", "0912000041", "15:40", "16:30")
    visit(venue_c, "Bàn Văn Quý", "0912000043", "16:20", "17:00")
    visit(venue_c, "Trần Văn Bình", "0912000017", "15:10", "15:20", id_number="001090000007")
    visit(venue_c, "Lò Thị Mai", "0912000011", "15:00", "16:00", days=-1)
    visit(venue_c, "Triệu Thị Yến", "0912000042", "15:00", "16:00", days=-1)
    visit(venue_d, "Nguyễn Thị Hà", "0912000021", "09:00", "10:00")
    visit(venue_d, "Chu Văn Dũng", "0912000044", "09:30", "10:30")
