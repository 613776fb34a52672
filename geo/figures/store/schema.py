"""The tables of the figure store and how an older database is brought up to date.

``atlas_meta``
    Key/value pairs: ``schema_version``, ``revision`` (bumped by every write) and ``seeded``.
``batches``
    One row per import (see :class:`geo.figures.store.batches.Batch`); status ``active`` or
    ``rolled_back``, origin ``demo`` or ``import``.
``rows_<family>``
    The accepted rows of each batch, one typed column per column of the family schema
    (:data:`geo.figures.indicators.FAMILIES`), plus ``batch_id`` and ``source_row``;
    ``rows_ntm`` also has the optional per-criterion columns ``criterion_1`` … (met: true, not
    met: false, not known: null; :data:`OPTIONAL_COLUMNS`), as many as the largest criteria set.
``sign_in_failures`` and ``sign_in_recent``
    The sign-in throttle shared by every server process (:mod:`geo.figures.store.sign_in`):
    failures per name with the time of the last one, and the time of each recent failure.

Examples
--------
>>> sorted(ROWS) == sorted(FAMILY_NAMES)
True
>>> ROWS["models"].c.batch_id.references(BATCHES.c.id)
True
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from geo.figures.criteria import criteria_sets, criterion_column
from geo.figures.indicators import FAMILIES, FAMILY_NAMES, NTM, PERIOD, Family
from geo.schema import COMMUNE_CODE

__all__ = [
    "BATCHES",
    "META",
    "OPTIONAL_COLUMNS",
    "ORIGIN_DEMO",
    "ORIGIN_IMPORT",
    "ROWS",
    "SCHEMA_VERSION",
    "SIGN_IN_FAILURES",
    "SIGN_IN_RECENT",
    "SOURCE_ROW",
    "STATUS_ACTIVE",
    "STATUS_ROLLED_BACK",
    "bump_revision",
    "create_schema",
    "meta_value",
]

STATUS_ACTIVE = "active"
STATUS_ROLLED_BACK = "rolled_back"
ORIGIN_DEMO = "demo"
ORIGIN_IMPORT = "import"
SOURCE_ROW = "source_row"
SCHEMA_VERSION = "1"

_metadata = sa.MetaData()

META = sa.Table(
    "atlas_meta",
    _metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)

BATCHES = sa.Table(
    "batches",
    _metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("family", sa.String(32), nullable=False),
    sa.Column("period", sa.Integer, nullable=False),
    sa.Column("vintage", sa.String(16), nullable=False),
    sa.Column("file_name", sa.Text, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("user_name", sa.Text, nullable=False),
    sa.Column("auth_method", sa.String(16), nullable=False),
    sa.Column("n_accepted", sa.Integer, nullable=False),
    sa.Column("n_rejected", sa.Integer, nullable=False),
    sa.Column("n_skipped", sa.Integer, nullable=False),
    sa.Column("warnings", sa.Text, nullable=False, default="[]"),
    sa.Column("origin", sa.String(16), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("rolled_back_by", sa.Text),
    sa.Column("rolled_back_at", sa.DateTime(timezone=True)),
    sa.CheckConstraint(f"status IN ('{STATUS_ACTIVE}', '{STATUS_ROLLED_BACK}')", name="status"),
    sa.Index("ix_batches_family_period", "family", "period", "status"),
    sa.Index("ix_batches_sha256", "sha256"),
)


#: Failed sign-ins per (normalised) name: how many since the last success, and when the last
#: one was (seconds since the epoch: every process shares the wall clock, not a monotonic one).
SIGN_IN_FAILURES = sa.Table(
    "sign_in_failures",
    _metadata,
    sa.Column("name", sa.String(128), primary_key=True),
    sa.Column("failures", sa.Integer, nullable=False),
    sa.Column("last_failure", sa.Float, nullable=False),
    sa.Index("ix_sign_in_failures_last", "last_failure"),
)

#: One row per recent failed sign-in of any name: the service-wide brake.
SIGN_IN_RECENT = sa.Table(
    "sign_in_recent",
    _metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("failed_at", sa.Float, nullable=False),
    sa.Index("ix_sign_in_recent_failed_at", "failed_at"),
)


def _sql_type(kind: str) -> sa.types.TypeEngine[Any]:
    """SQL type of a schema column kind (see :class:`geo.figures.indicators.Column`)."""
    return {
        "code": sa.String(5),
        "vintage": sa.String(16),
        "text": sa.Text(),
        "year": sa.Integer(),
        "count": sa.BigInteger(),
        "number": sa.Float(),
        "category": sa.String(32),
        "bool": sa.Boolean(),
    }[kind]


#: Columns a family's rows may have beyond its schema: per family, nullable booleans.
OPTIONAL_COLUMNS: Mapping[str, tuple[str, ...]] = {
    NTM: tuple(criterion_column(n) for n in range(1, max(s.count for s in criteria_sets()) + 1))
}


def _rows_table(spec: Family) -> sa.Table:
    return sa.Table(
        f"rows_{spec.name}",
        _metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "batch_id", sa.Integer, sa.ForeignKey("batches.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column(SOURCE_ROW, sa.Integer),
        *(
            sa.Column(column.name, _sql_type(column.kind), nullable=not column.required)
            for column in spec.columns
        ),
        *(sa.Column(name, sa.Boolean()) for name in OPTIONAL_COLUMNS.get(spec.name, ())),
        sa.Index(f"ix_rows_{spec.name}_batch", "batch_id"),
        sa.Index(f"ix_rows_{spec.name}_winner", PERIOD, COMMUNE_CODE, "batch_id"),
    )


#: The rows table of each family, by family name.
ROWS: Mapping[str, sa.Table] = {name: _rows_table(FAMILIES[name]) for name in FAMILY_NAMES}


def create_schema(connection: Connection) -> None:
    """Create the missing tables, add columns the families gained, and the initial meta keys."""
    _metadata.create_all(connection)
    _add_missing_columns(connection)
    for key, value in (("schema_version", SCHEMA_VERSION), ("revision", "0")):
        if meta_value(connection, key) is None:
            connection.execute(META.insert().values(key=key, value=value))


def _add_missing_columns(connection: Connection) -> None:
    """Columns a family gained after the table was made (nullable, so old rows stay)."""
    inspector = sa.inspect(connection)
    quote = connection.dialect.identifier_preparer.quote
    for table in ROWS.values():
        present = {column["name"] for column in inspector.get_columns(table.name)}
        for column in table.columns:
            if column.name not in present:
                kind = column.type.compile(dialect=connection.dialect)
                connection.exec_driver_sql(
                    f"ALTER TABLE {quote(table.name)} ADD COLUMN {quote(column.name)} {kind}"
                )


def meta_value(connection: Connection, key: str) -> str | None:
    """The value of ``key`` in ``atlas_meta`` (``None`` when absent)."""
    return connection.scalar(sa.select(META.c.value).where(META.c.key == key))


def bump_revision(connection: Connection) -> None:
    """Count one more write (the revision is a cache key of the current figures)."""
    connection.execute(
        META.update()
        .where(META.c.key == "revision")
        .values(value=sa.cast(sa.cast(META.c.value, sa.Integer) + 1, sa.Text))
    )
