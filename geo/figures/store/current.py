"""The current figures: per family, period and commune, the rows of the latest active batch.

The *latest active batch* is the highest batch id, of status ``active``, among the batches of
that family and period that contain the commune; rolled-back batches are skipped, so rolling
one back brings back whatever the batches before it said.

Examples
--------
>>> from geo.figures.indicators import FAMILIES
>>> from geo.figures.store.engine import Database
>>> from geo.figures.store.schema import create_schema
>>> database = Database("sqlite://")
>>> with database.write() as connection:
...     create_schema(connection)
>>> with database.read() as connection:
...     len(current_frame(connection, FAMILIES["ntm"])), list(current_sources(connection))
(0, ['family', 'period', 'commune_code', 'batch_id', 'origin', 'user'])
"""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from geo.figures.indicators import FAMILY_NAMES, Family
from geo.figures.store.frames import read_frame
from geo.figures.store.schema import BATCHES, ROWS, STATUS_ACTIVE
from geo.schema import COMMUNE_CODE

__all__ = ["current_frame", "current_sources", "winners"]


def winners(family: str) -> sa.Subquery:
    """Per period and commune, the id of the latest active batch that has the commune."""
    rows = ROWS[family]
    return (
        sa.select(
            rows.c.period, rows.c.commune_code, sa.func.max(rows.c.batch_id).label("batch_id")
        )
        .join(BATCHES, BATCHES.c.id == rows.c.batch_id)
        .where(BATCHES.c.status == STATUS_ACTIVE)
        .group_by(rows.c.period, rows.c.commune_code)
        .subquery("winners")
    )


def current_frame(connection: Connection, spec: Family) -> pd.DataFrame:
    """The current figures of one family, all periods, by period, commune, then file order."""
    rows = ROWS[spec.name]
    best = winners(spec.name)
    query = (
        sa.select(rows)
        .join(
            best,
            sa.and_(
                rows.c.batch_id == best.c.batch_id,
                rows.c.period == best.c.period,
                rows.c.commune_code == best.c.commune_code,
            ),
        )
        .order_by(rows.c.period, rows.c.commune_code, rows.c.source_row, rows.c.id)
    )
    return read_frame(connection, query, spec)


def current_sources(connection: Connection) -> pd.DataFrame:
    """Which batch each current (family, period, commune) comes from.

    Columns ``family, period, commune_code, batch_id, origin, user``.
    """
    frames = []
    for name in FAMILY_NAMES:
        best = winners(name)
        query = sa.select(
            sa.literal(name).label("family"),
            best.c.period,
            best.c.commune_code,
            best.c.batch_id,
            BATCHES.c.origin,
            BATCHES.c.user_name.label("user"),
        ).join(BATCHES, BATCHES.c.id == best.c.batch_id)
        frames.append(pd.DataFrame(connection.execute(query).mappings().all()))
    columns = ["family", "period", COMMUNE_CODE, "batch_id", "origin", "user"]
    frames = [frame for frame in frames if len(frame)]
    if not frames:
        return pd.DataFrame(columns=columns)
    return pd.concat(frames, ignore_index=True)[columns]
