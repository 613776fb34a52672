"""Seeding: the demo tables become the first batches of a database that was never seeded.

One batch per family and period, user ``system``, origin ``demo``; ``source_row`` points into
the demo CSV. A ``seeded`` key in ``atlas_meta`` records that it happened, so a database whose
demo batches were deleted is not seeded again.

Examples
--------
>>> reports = demo_reports(None)
>>> len(reports), reports[0].family, reports[0].file_name
(32, 'models', 'models.csv')
"""

from __future__ import annotations

import hashlib
import io
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from geo.errors import Problem
from geo.figures.auth import SYSTEM
from geo.figures.indicators import DEMO_DIR, FAMILY_NAMES, PERIOD, read_family
from geo.figures.store.batches import Batch, RowProgress, batches_by_id, insert_batch
from geo.figures.store.schema import (
    BATCHES,
    META,
    ORIGIN_DEMO,
    SOURCE_ROW,
    bump_revision,
    meta_value,
)
from geo.schema import VINTAGE

__all__ = ["DemoRows", "demo_reports", "seed_demo"]


@dataclass(frozen=True)
class DemoRows:
    """A report-like bundle of one family and period of the demo tables."""

    family: str
    period: int
    vintage: str
    file_name: str
    sha256: str
    accepted: pd.DataFrame
    rejected: pd.DataFrame = field(default_factory=pd.DataFrame)
    skipped: pd.DataFrame = field(default_factory=pd.DataFrame)
    warnings: list[Problem] = field(default_factory=list)


#: Parsed demo tables by (family, SHA-256 of the file): parsing costs about a second.
_DEMO_CACHE: dict[tuple[str, str], pd.DataFrame] = {}


def demo_reports(directory: str | os.PathLike[str] | None) -> list[DemoRows]:
    """One report per family and period of the demo tables in ``directory`` (default
    :data:`geo.figures.indicators.DEMO_DIR`)."""
    folder = Path(directory) if directory is not None else DEMO_DIR
    reports = []
    for family in FAMILY_NAMES:
        path = folder / f"{family}.csv"
        data = path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        if (family, digest) not in _DEMO_CACHE:
            _DEMO_CACHE[(family, digest)] = read_family(io.BytesIO(data), family, source=path.name)
        table = _DEMO_CACHE[(family, digest)].copy()
        # Spreadsheet row numbers of the file, so source_row points into the demo CSV.
        table[SOURCE_ROW] = range(2, len(table) + 2)
        for period, rows in table.groupby(PERIOD, sort=True):
            vintages = rows[VINTAGE].dropna().unique()
            reports.append(
                DemoRows(
                    family=family,
                    period=int(period),
                    vintage=str(vintages[0]) if len(vintages) else "",
                    file_name=path.name,
                    sha256=digest,
                    accepted=rows.reset_index(drop=True),
                )
            )
    return reports


def seed_demo(
    connection: Connection,
    reports: list[DemoRows],
    *,
    chunk_size: int,
    progress: RowProgress | None,
) -> list[Batch]:
    """Store ``reports`` as demo batches unless the database was seeded or has batches.

    Call it inside a write transaction: the check happens under the write lock, so two
    processes that start at once seed once.
    """
    seeded = meta_value(connection, "seeded")
    has_batches = connection.scalar(sa.select(sa.func.count()).select_from(BATCHES))
    if seeded is not None or has_batches:
        return []
    ids = [
        insert_batch(
            connection, r, SYSTEM, origin=ORIGIN_DEMO, chunk_size=chunk_size, progress=progress
        )
        for r in reports
    ]
    connection.execute(META.insert().values(key="seeded", value=datetime.now(UTC).isoformat()))
    bump_revision(connection)
    return batches_by_id(connection, ids)
