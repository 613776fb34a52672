"""Batches: one immutable record per import, written, rolled back, deleted and listed.

The functions work on a connection of an open transaction (the :class:`~geo.figures.store.Store`
opens it); the writing ones bump the revision.

Examples
--------
>>> Batch(id=1, family="ntm", period=2024, vintage="2020-2025", file_name="ntm.csv",
...       sha256="0" * 64, created_at=datetime(2024, 1, 1, tzinfo=UTC), user="lan",
...       auth_method="password", accepted=3, rejected=0, skipped=0, status=STATUS_ACTIVE,
...       rolled_back_by=None, rolled_back_at=None, origin="import").active
True
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from geo.errors import DuplicateImportError, Problem, StoreError
from geo.figures.auth import Planner
from geo.figures.indicators import FAMILIES, PERIOD
from geo.figures.store.frames import batch_records, read_frame
from geo.figures.store.schema import (
    BATCHES,
    ROWS,
    SOURCE_ROW,
    STATUS_ACTIVE,
    STATUS_ROLLED_BACK,
    bump_revision,
)

__all__ = [
    "Batch",
    "ReportLike",
    "RowProgress",
    "batch_rows",
    "batches_by_id",
    "check_report",
    "delete_batch",
    "find_batch",
    "import_batch",
    "insert_batch",
    "rejected_row_count",
    "roll_back",
    "select_batches",
]

#: ``progress(rows_written, rows_total)`` after each chunk of an import.
RowProgress = Callable[[int, int], None]


class ReportLike(Protocol):
    """What :meth:`Store.import_report` needs of a :class:`geo.figures.importing.ImportReport`."""

    family: str
    period: int
    vintage: str
    file_name: str
    sha256: str
    accepted: pd.DataFrame
    rejected: pd.DataFrame
    skipped: pd.DataFrame
    warnings: list[Problem]


@dataclass(frozen=True)
class Batch:
    """One import, as recorded.

    Attributes
    ----------
    id : int
        Increases with every import; the highest active one wins (see the module docstring).
    family, period, vintage, file_name, sha256 : str, int, str, str, str
        What was imported (``sha256`` of the file's bytes).
    created_at : datetime
        When (UTC, timezone-aware).
    user, auth_method : str
        Who (:attr:`geo.figures.auth.Planner.name`) and how they were identified.
    accepted, rejected, skipped : int
        Row counts of the import report.
    status : str
        ``"active"`` or ``"rolled_back"``.
    rolled_back_by, rolled_back_at : str or None, datetime or None
        Who rolled it back, when.
    origin : str
        ``"demo"`` (seeded demo data) or ``"import"``.
    warnings : tuple of Problem
        Warnings of the import report.
    """

    id: int
    family: str
    period: int
    vintage: str
    file_name: str
    sha256: str
    created_at: datetime
    user: str
    auth_method: str
    accepted: int
    rejected: int
    skipped: int
    status: str
    rolled_back_by: str | None
    rolled_back_at: datetime | None
    origin: str
    warnings: tuple[Problem, ...] = field(default=())

    @property
    def active(self) -> bool:
        """Whether the batch counts towards the current figures."""
        return self.status == STATUS_ACTIVE

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly dictionary (times as ISO 8601 UTC)."""
        return {
            "id": self.id,
            "family": self.family,
            "period": self.period,
            "vintage": self.vintage,
            "file_name": self.file_name,
            "sha256": self.sha256,
            "created_at": self.created_at.isoformat(),
            "user": self.user,
            "auth_method": self.auth_method,
            "accepted": self.accepted,
            "rejected": self.rejected,
            "skipped": self.skipped,
            "status": self.status,
            "rolled_back_by": self.rolled_back_by,
            "rolled_back_at": self.rolled_back_at.isoformat() if self.rolled_back_at else None,
            "origin": self.origin,
            "warnings": [_problem_dict(p) for p in self.warnings],
        }


def _problem_dict(problem: Problem) -> dict[str, str]:
    return {
        "source": problem.source,
        "where": problem.where,
        "message": problem.message,
        "severity": problem.severity,
    }


def rejected_row_count(report: ReportLike) -> int:
    """Rows rejected (the report lists one line per problem; a row can have several)."""
    rejected = report.rejected
    if rejected is None or len(rejected) == 0:
        return 0
    if SOURCE_ROW in rejected.columns:
        return int(rejected[SOURCE_ROW].nunique())
    return len(rejected)


def _utc(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; everything stored is UTC."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _batch(row: sa.Row[Any]) -> Batch:
    warnings = tuple(Problem(**item) for item in json.loads(row.warnings or "[]"))
    created = _utc(row.created_at)
    assert created is not None
    return Batch(
        id=int(row.id),
        family=row.family,
        period=int(row.period),
        vintage=row.vintage,
        file_name=row.file_name,
        sha256=row.sha256,
        created_at=created,
        user=row.user_name,
        auth_method=row.auth_method,
        accepted=int(row.n_accepted),
        rejected=int(row.n_rejected),
        skipped=int(row.n_skipped),
        status=row.status,
        rolled_back_by=row.rolled_back_by,
        rolled_back_at=_utc(row.rolled_back_at),
        origin=row.origin,
        warnings=warnings,
    )


# --- writing -----------------------------------------------------------------------------------


def check_report(report: ReportLike) -> None:
    """Refuse (``StoreError``) a report of an unknown family, without rows, or of mixed periods."""
    if report.family not in FAMILIES:
        raise StoreError(report.file_name, f"unknown indicator family {report.family!r}")
    spec = FAMILIES[report.family]
    accepted = report.accepted
    if accepted is None or len(accepted) == 0:
        raise StoreError(report.file_name, "no rows could be imported")
    missing = [name for name in spec.column_names if name not in accepted.columns]
    if missing:
        raise StoreError(report.file_name, f"accepted rows lack column(s) {missing}")
    periods = {int(p) for p in accepted[PERIOD].dropna().unique()}
    if periods != {int(report.period)}:
        raise StoreError(
            report.file_name,
            f"rows of period(s) {sorted(periods)} in an import of period {report.period}",
        )


def insert_batch(
    connection: Connection,
    report: ReportLike,
    planner: Planner,
    *,
    origin: str,
    chunk_size: int,
    progress: RowProgress | None,
) -> int:
    """Write the batch record and its rows (``chunk_size`` rows a round trip); its new id."""
    spec = FAMILIES[report.family]
    result = connection.execute(
        BATCHES.insert().values(
            family=report.family,
            period=int(report.period),
            vintage=str(report.vintage),
            file_name=str(report.file_name),
            sha256=str(report.sha256),
            created_at=datetime.now(UTC),
            user_name=planner.name,
            auth_method=planner.method,
            n_accepted=len(report.accepted),
            n_rejected=rejected_row_count(report),
            n_skipped=len(report.skipped),
            warnings=json.dumps(
                [_problem_dict(p) for p in report.warnings or []], ensure_ascii=False
            ),
            origin=origin,
            status=STATUS_ACTIVE,
        )
    )
    batch_id = int(result.inserted_primary_key[0])
    records = batch_records(report.accepted, spec, batch_id)
    table = ROWS[report.family]
    for start in range(0, len(records), chunk_size):
        connection.execute(table.insert(), records[start : start + chunk_size])
        if progress is not None:
            progress(min(start + chunk_size, len(records)), len(records))
    return batch_id


def import_batch(
    connection: Connection,
    report: ReportLike,
    planner: Planner,
    *,
    force: bool,
    origin: str,
    chunk_size: int,
    progress: RowProgress | None,
) -> Batch:
    """Store a checked report as a new active batch (``DuplicateImportError`` for the same
    file, family and period as an active batch, unless ``force``)."""
    if not force:
        duplicate = connection.execute(
            sa.select(BATCHES).where(
                BATCHES.c.sha256 == report.sha256,
                BATCHES.c.family == report.family,
                BATCHES.c.period == int(report.period),
                BATCHES.c.status == STATUS_ACTIVE,
            )
        ).first()
        if duplicate is not None:
            raise DuplicateImportError(
                report.file_name,
                f"this file is already imported as batch {duplicate.id} "
                f"({duplicate.family} {duplicate.period}, by {duplicate.user_name})",
            )
    batch_id = insert_batch(
        connection, report, planner, origin=origin, chunk_size=chunk_size, progress=progress
    )
    bump_revision(connection)
    row = connection.execute(sa.select(BATCHES).where(BATCHES.c.id == batch_id)).one()
    return _batch(row)


def _batch_in_status(
    connection: Connection, batch_id: int, status: str, *, where: str
) -> sa.Row[Any]:
    """The batch row, or a ``StoreError`` (about ``where``) when it is missing or not ``status``."""
    row = connection.execute(sa.select(BATCHES).where(BATCHES.c.id == int(batch_id))).first()
    if row is None:
        raise StoreError(where, f"no batch {batch_id}")
    if row.status != status:
        wanted = "active" if status == STATUS_ACTIVE else "rolled back (roll it back first)"
        raise StoreError(
            where, f"batch {batch_id} is {row.status.replace('_', ' ')}; it must be {wanted}"
        )
    return row


def roll_back(connection: Connection, batch_id: int, planner: Planner, *, where: str) -> Batch:
    """Mark an active batch rolled back by ``planner`` (its rows are kept)."""
    _batch_in_status(connection, batch_id, STATUS_ACTIVE, where=where)
    connection.execute(
        BATCHES.update()
        .where(BATCHES.c.id == batch_id)
        .values(
            status=STATUS_ROLLED_BACK,
            rolled_back_by=planner.name,
            rolled_back_at=datetime.now(UTC),
        )
    )
    bump_revision(connection)
    row = connection.execute(sa.select(BATCHES).where(BATCHES.c.id == batch_id)).one()
    return _batch(row)


def delete_batch(connection: Connection, batch_id: int, *, where: str) -> None:
    """Delete a rolled-back batch and its rows."""
    row = _batch_in_status(connection, batch_id, STATUS_ROLLED_BACK, where=where)
    connection.execute(ROWS[row.family].delete().where(ROWS[row.family].c.batch_id == batch_id))
    connection.execute(BATCHES.delete().where(BATCHES.c.id == batch_id))
    bump_revision(connection)


# --- reading -----------------------------------------------------------------------------------


def select_batches(
    connection: Connection,
    family: str | None = None,
    period: int | None = None,
    *,
    status: str | None = None,
) -> list[Batch]:
    """Batches, newest first, optionally of one family, period and status."""
    query = sa.select(BATCHES).order_by(BATCHES.c.id.desc())
    if family is not None:
        query = query.where(BATCHES.c.family == family)
    if period is not None:
        query = query.where(BATCHES.c.period == int(period))
    if status is not None:
        query = query.where(BATCHES.c.status == status)
    return [_batch(row) for row in connection.execute(query)]


def batches_by_id(connection: Connection, ids: list[int]) -> list[Batch]:
    """The batches of ``ids``, oldest first."""
    query = sa.select(BATCHES).where(BATCHES.c.id.in_(ids)).order_by(BATCHES.c.id)
    return [_batch(row) for row in connection.execute(query)]


def find_batch(connection: Connection, batch_id: int) -> Batch | None:
    """One batch, ``None`` when there is none."""
    row = connection.execute(sa.select(BATCHES).where(BATCHES.c.id == int(batch_id))).first()
    return None if row is None else _batch(row)


def batch_rows(connection: Connection, batch: Batch) -> pd.DataFrame:
    """The rows a batch brought, with ``source_row``, in the order they were written."""
    table = ROWS[batch.family]
    query = sa.select(table).where(table.c.batch_id == batch.id).order_by(table.c.id)
    return read_frame(connection, query, FAMILIES[batch.family], extra=(SOURCE_ROW,))
