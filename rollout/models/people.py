"""A person's name with its accent-free copy, for the tables of personal data (check-ins, arrivals,
declarations) that contact tracing searches by name.

The folded copy is written by the application, not computed by the database, so that it is the same
``rollout.text.fold`` everywhere (PostgreSQL and SQLite, "đ" included). Every way rows are written fills
it: ``save()`` for one row, the queryset's ``bulk_create`` for many, and ``folded_row`` for the raw
inserts (``checkpoints.bulk.insert_rows``, the demo's COPY). Rows written by hand-made SQL that leave it
out get ``""`` from the database: still found by phone and ID number, not by name.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from rollout.text import fold


class FoldedPersonNameQuerySet(models.QuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        for obj in objs:
            obj.name_folded = fold(obj.full_name)
        return super().bulk_create(objs, *args, **kwargs)


class FoldedPersonName(models.Model):
    """Adds ``name_folded`` (indexed) beside the model's own ``full_name``."""

    name_folded = models.CharField(max_length=200, db_index=True, editable=False, default="", db_default="")

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        self.name_folded = fold(self.full_name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "full_name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "name_folded"}
        super().save(*args, **kwargs)


def folded_row(model: type[models.Model], row: dict[str, Any]) -> dict[str, Any]:
    """A row (a dict of attnames) for a raw insert, with ``name_folded`` filled when the model has it."""
    if issubclass(model, FoldedPersonName) and "full_name" in row:
        return row | {"name_folded": fold(row["full_name"])}
    return row
