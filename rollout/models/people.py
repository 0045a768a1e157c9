"""Columns the application derives from others on the tables of personal data (check-ins, arrivals,
declarations): a person's accent-free name, and the local day that partitions the largest tables.

The derived columns are written by the application, not computed by the database: the folded name is
the same ``rollout.text.fold`` everywhere (PostgreSQL and SQLite, "đ" included), and PostgreSQL cannot
partition by a generated column. Every way rows are written fills them: ``save()`` for one row, the
queryset's ``bulk_create`` for many, and ``derived_row`` for the raw inserts
(``checkpoints.bulk.insert_rows``, the demo's COPY). Rows written by hand-made SQL that leave the name
out get ``""`` from the database: still found by phone and ID number, not by name. The day has no
default: a raw insert without it fails rather than landing on a wrong day.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from rollout.text import fold
from rollout.timeutils import local_date


class FoldedPersonNameQuerySet(models.QuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        for obj in objs:
            obj.derive()
        return super().bulk_create(objs, *args, **kwargs)


class LocalDayQuerySet(FoldedPersonNameQuerySet):
    """Queries on a table partitioned by local day should say which days they read: PostgreSQL cannot tell
    the day from the moment, and without the days it plans and probes every day's partition."""

    def between(self, start: datetime, end: datetime) -> LocalDayQuerySet:
        """Rows whose moment (the model's ``DAY_OF``) is in [start, end), and the days of those moments."""
        moment = self.model.DAY_OF
        return self.filter(**{f"{moment}__gte": start, f"{moment}__lt": end}).on_days_of(
            start, end - timedelta(microseconds=1)
        )

    def on_days_of(self, first: datetime, last: datetime | None = None) -> LocalDayQuerySet:
        """Only the local days of the moments ``first`` to ``last`` (inclusive; open-ended without ``last``):
        said beside a filter on the moments, so that only those days' partitions are read."""
        days = self.filter(day__gte=local_date(first))
        return days.filter(day__lte=local_date(last)) if last is not None else days


class FoldedPersonName(models.Model):
    """Adds ``name_folded`` (indexed) beside the model's own ``full_name``."""

    name_folded = models.CharField(max_length=200, db_index=True, editable=False, default="", db_default="")

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        self.derive()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            extra = {derived for source, derived in self.derived_fields().items() if source in update_fields}
            kwargs["update_fields"] = {*update_fields, *extra}
        super().save(*args, **kwargs)

    def derived_fields(self) -> dict[str, str]:
        """Field -> the derived field written from it (so ``save(update_fields=…)`` writes both)."""
        return {"full_name": "name_folded"}

    def derive(self) -> None:
        self.name_folded = fold(self.full_name)


class LocalDayPartitioned(models.Model):
    """Adds ``day``: the local day (Asia/Ho_Chi_Minh) of the moment field named by ``DAY_OF``.

    On PostgreSQL the table is partitioned by this column (``rollout.partitions``); elsewhere it is a
    plain column. List it before ``FoldedPersonName`` in the model's bases so both derive.
    """

    DAY_OF: ClassVar[str] = ""

    day = models.DateField(_("day"), editable=False)

    class Meta:
        abstract = True

    def derived_fields(self) -> dict[str, str]:
        return super().derived_fields() | {self.DAY_OF: "day"}

    def derive(self) -> None:
        super().derive()
        moment = getattr(self, self.DAY_OF)
        self.day = local_date(moment) if moment is not None else None


def derived_row(model: type[models.Model], row: dict[str, Any]) -> dict[str, Any]:
    """A row (a dict of attnames) for a raw insert, with the derived columns filled as ``save()`` would."""
    if issubclass(model, FoldedPersonName) and "full_name" in row:
        row = row | {"name_folded": fold(row["full_name"])}
    if issubclass(model, LocalDayPartitioned) and row.get(model.DAY_OF) is not None:
        row = row | {"day": local_date(row[model.DAY_OF])}
    return row
