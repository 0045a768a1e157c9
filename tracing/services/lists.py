"""Tracing lists: a search's F1 candidates delivered to the district each belongs to (SPEC §8, like §5).

``send_district_lists`` writes one file per district of the candidates who are not ruled out ("not a
contact"), marks those not yet followed up as handed to the district, audits (ids and counts only) and
records, with the change, the e-mail to each district's focal officer (a link to the page: the mail
itself carries no personal data). Candidates without a district go to no list; the caller says how many.

Sending again writes a new revision only for a district whose list changed (a second ring brought new
people, a candidate was ruled out); a district whose candidates were all ruled out gets an empty
revision, so it knows. Each revision is a file of its own, written to a temporary name and renamed; the
row points at it only once the transaction commits, and the previous file is removed after that. If
anything fails, the new files are removed and nothing changed.
"""

from __future__ import annotations

import hashlib
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from rollout import outbox
from rollout.models import District, FocalOfficer, Role, User
from rollout.permissions import can
from rollout.services.audit import Action, audit_record
from rollout.services.mail import email_send
from rollout.services.notifications import notifications_send
from rollout.timeutils import day_bounds
from rollout.workbooks import atomic_path
from tracing.models import Candidate, CandidateStatus, TracingList, TracingSearch
from tracing.services.workbook import candidates_workbook

logger = logging.getLogger(__name__)


@dataclass
class SendResult:
    written: list[TracingList] = field(default_factory=list)  # new revisions
    unchanged: int = 0  # districts whose list was already up to date
    without_district: int = 0  # candidates on no list
    handed: int = 0  # candidates marked handed to the district

    @property
    def rows(self) -> int:
        return sum(t.rows for t in self.written)


def tracing_list_path(search: TracingSearch, district: District, revision: int) -> str:
    """Where a revision of a district's list lives, relative to PRIVATE_FILES_ROOT."""
    return f"tracing-lists/{search.pk}/{district.pk}-{district.codename.replace('_', '-')}-r{revision}.xlsx"


def tracing_list_filename(tracing_list: TracingList) -> str:
    codename = tracing_list.district.codename.replace("_", "-")
    return f"danh-sach-truy-vet-{tracing_list.search_id}-{codename}-lan-{tracing_list.revision}.xlsx"


def _write(relative: str, content: bytes) -> tuple[int, str]:
    final = Path(settings.PRIVATE_FILES_ROOT) / relative
    with atomic_path(final) as tmp:
        tmp.write_bytes(content)
    return len(content), hashlib.sha256(content).hexdigest()


def _remove(root: Path, relatives: list[str]) -> None:
    for relative in relatives:
        (root / relative).unlink(missing_ok=True)


def send_district_lists(search: TracingSearch, *, by: User, request=None) -> SendResult:
    """Write and deliver the search's tracing lists, one per district (the caller checked the search is
    the user's to read). Idempotent: sending twice with nothing changed writes nothing."""
    if not can(by, "tracing.search"):
        raise PermissionDenied
    result = SendResult()
    written_files: list[Path] = []
    root = Path(settings.PRIVATE_FILES_ROOT)
    try:
        with transaction.atomic():
            # One sender of a search at a time: the second waits and finds the lists up to date.
            TracingSearch.objects.select_for_update().filter(pk=search.pk).first()
            candidates = list(
                search.candidates.exclude(status=CandidateStatus.NOT_CONTACT)
                .select_related("district")
                .order_by("rank")
            )
            result.without_district = sum(1 for c in candidates if c.district_id is None)
            by_district: dict[int, list[Candidate]] = defaultdict(list)
            for c in candidates:
                if c.district_id is not None:
                    by_district[c.district_id].append(c)
            to_hand = [c.pk for people in by_district.values() for c in people if c.status == CandidateStatus.NEW]
            # The files say what the district will find: handed to it.
            for people in by_district.values():
                for c in people:
                    if c.status == CandidateStatus.NEW:
                        c.status = CandidateStatus.HANDED_TO_DISTRICT
            existing = {t.district_id: t for t in TracingList.objects.select_for_update().filter(search=search)}
            districts = {d.pk: d for d in District.objects.filter(pk__in=set(by_district) | set(existing))}
            old_files = []
            now = timezone.now()
            for district_id in sorted(districts, key=lambda pk: districts[pk].name):
                people = by_district.get(district_id, [])
                ids = [c.pk for c in people]
                tracing_list = existing.get(district_id)
                if tracing_list is not None and tracing_list.candidate_ids == ids:
                    result.unchanged += 1
                    continue
                if tracing_list is None:
                    tracing_list = TracingList(search=search, district=districts[district_id], revision=0)
                else:
                    old_files.append(tracing_list.file)
                tracing_list.revision += 1
                relative = tracing_list_path(search, districts[district_id], tracing_list.revision)
                content, rows = candidates_workbook(search, people, district=districts[district_id], generated_at=now)
                written_files.append(root / relative)
                tracing_list.size, tracing_list.checksum = _write(relative, content)
                tracing_list.rows, tracing_list.candidate_ids = rows, ids
                tracing_list.file, tracing_list.generated_at = relative, now
                tracing_list.save()
                result.written.append(tracing_list)
                outbox.enqueue("tracing.tasks.tracing_list_notify_task", tracing_list_id=tracing_list.pk)
            result.handed = Candidate.objects.filter(pk__in=to_hand, status=CandidateStatus.NEW).update(
                status=CandidateStatus.HANDED_TO_DISTRICT
            )
            # Ids and counts only: the audit log never holds the people's data.
            audit_record(
                Action.TRACING_LISTS_SEND,
                request=request,
                actor=by,
                obj=search,
                detail={
                    "lists": [t.pk for t in result.written],
                    "districts": [t.district_id for t in result.written],
                    "rows": result.rows,
                    "unchanged": result.unchanged,
                    "without_district": result.without_district,
                    "handed": result.handed,
                },
            )
            transaction.on_commit(lambda: _remove(root, old_files))
    except BaseException:
        for path in written_files:
            path.unlink(missing_ok=True)
        raise
    logger.info("tracing lists search=%s written=%s unchanged=%s", search.pk, len(result.written), result.unchanged)
    return result


def tracing_list_notify(*, tracing_list_id: int) -> bool:
    """E-mail the district's focal officer a link to its tracing lists (once per revision), and tell the
    district's officers in the app. Runs in a worker, outside any transaction."""
    tracing_list = TracingList.objects.select_related("district").filter(pk=tracing_list_id).first()
    if tracing_list is None:
        return False
    officer = FocalOfficer.of_district(tracing_list.district)
    revision, previous = tracing_list.revision, tracing_list.emailed_revision
    # Claim first: a duplicate task finds nothing to do.
    claimed = TracingList.objects.filter(pk=tracing_list.pk, emailed_revision__lt=revision).update(
        emailed_revision=revision
    )
    if not claimed:
        return False
    page = settings.SITE_URL + reverse("tracing:lists")
    link = settings.SITE_URL + reverse("tracing:list_download", kwargs={"pk": tracing_list.pk})
    if officer is not None:
        try:
            with translation.override("vi"):
                email_send(
                    "tracing_list_ready",
                    to=[officer.email],
                    context={"tracing_list": tracing_list, "officer": officer, "page": page, "link": link},
                )
        except Exception:
            # Give the claim back so the retry sends it.
            TracingList.objects.filter(pk=tracing_list.pk, emailed_revision=revision).update(emailed_revision=previous)
            raise
        TracingList.objects.filter(pk=tracing_list.pk).update(emailed_at=timezone.now(), emailed_to=officer.email)
    with translation.override("vi"):
        message = _("A tracing list for %(district)s is ready (%(rows)s people to follow up).") % {
            "district": tracing_list.district.name,
            "rows": tracing_list.rows,
        }
    officers = User.objects.filter(
        is_active=True, role_assignments__role=Role.DISTRICT_OFFICER, role_assignments__district=tracing_list.district
    ).distinct()
    notifications_send(officers, message=message, url=page)
    return officer is not None


def tracing_lists_purge(before: date, dry_run: bool = False) -> tuple[int, list[tuple[str, int]]]:
    """Delete the lists (files and rows) of searches made before the local day ``before``: they go with
    their search (SPEC §9). Returns how many, and each file with its row count."""
    cutoff, _end = day_bounds(before)
    old = list(TracingList.objects.filter(search__created_at__lt=cutoff).order_by("pk"))
    files = [(t.file, t.rows) for t in old]
    if dry_run:
        return len(old), files
    for tracing_list in old:
        (Path(settings.PRIVATE_FILES_ROOT) / tracing_list.file).unlink(missing_ok=True)
    TracingList.objects.filter(pk__in=[t.pk for t in old]).delete()
    return len(old), files
