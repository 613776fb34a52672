"""The figure store: every import is an immutable batch; the current figures derive from them.

One code path for two databases, chosen by a SQLAlchemy URL:

* **SQLite** (default): ``data/atlas.sqlite`` in the repository (not committed), WAL journal and a
  busy timeout so readers never wait for the writer and writers queue up.
* **PostgreSQL**: ``postgresql+psycopg://user:password@host/db`` (psycopg 3).

``ATLAS_DB_URL`` overrides the default (:func:`database_url`).

Model
-----
``batches``
    One row per import: family, period, vintage, file name, SHA-256 of the file, UTC time, who
    (user name and how they signed in), counts of accepted / rejected / skipped rows, warnings,
    origin (``demo`` for the seeded demo data, ``import`` otherwise) and status (``active`` or
    ``rolled_back``, with who and when). A batch is never edited otherwise.
``rows_<family>``
    The accepted rows of each batch, one typed column per column of the family schema
    (:data:`geo.figures.indicators.FAMILIES`), plus ``batch_id`` and ``source_row``.

**The rule for current figures.** For each family, period and commune, the figures are the rows of
the *latest active batch* (highest batch id) of that family and period that contains the commune.
So an import replaces the figures of the communes it contains — all of their rows, e.g. every
named model of the commune — and leaves the other communes as they were. Rolling a batch back
(status change, rows kept) brings back whatever the previous batches said. Imports are serialised
(see below), so "highest id" is also "committed last".

**All or nothing.** An import is one transaction: the batch and all its rows commit together, or
nothing does (an exception, a killed process or a lost connection leaves the database as it was).

**Concurrency.** Writers take a store-wide lock at the start of their transaction — SQLite
``BEGIN IMMEDIATE`` (waits up to the busy timeout), PostgreSQL ``pg_advisory_xact_lock`` — so two
imports at once run one after the other, and the re-import check sees the other's batch.

**Seeding.** :meth:`Store.ensure_seeded` loads the demo tables once, into a fresh database: one
batch per family and period (4 × 6 = 24 batches), user ``system``, origin ``demo``.

Examples
--------
>>> store = Store("sqlite://")          # in memory
>>> len(store.ensure_seeded())
24
>>> int(store.current_tables()["models"].query("period == 2019")["models_economy"].sum())
1392
"""

from __future__ import annotations

import hashlib
import io
import json
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import StaticPool

from geo.errors import DuplicateImportError, Problem, StoreError
from geo.figures.auth import SYSTEM, Planner, require_planner
from geo.figures.indicators import DEMO_DIR, FAMILIES, FAMILY_NAMES, PERIOD, Family, read_family
from geo.schema import COMMUNE_CODE, VINTAGE

__all__ = [
    "DB_URL_ENV",
    "DEFAULT_DB_PATH",
    "ORIGIN_DEMO",
    "ORIGIN_IMPORT",
    "STATUS_ACTIVE",
    "STATUS_ROLLED_BACK",
    "Batch",
    "ReportLike",
    "Store",
    "database_url",
    "open_store",
    "rejected_row_count",
]

DB_URL_ENV = "ATLAS_DB_URL"
DEFAULT_DB_PATH = Path(__file__).resolve().parents[3] / "data" / "atlas.sqlite"

STATUS_ACTIVE = "active"
STATUS_ROLLED_BACK = "rolled_back"
ORIGIN_DEMO = "demo"
ORIGIN_IMPORT = "import"
SOURCE_ROW = "source_row"
SCHEMA_VERSION = "1"

#: Seconds a SQLite writer waits for another writer before giving up.
SQLITE_BUSY_TIMEOUT_S = 30.0
#: Key of the PostgreSQL advisory lock that serialises writers (any constant bigint).
_PG_LOCK_KEY = 0x41544C4153  # "ATLAS"
#: Execution option that marks a connection as a writer (SQLite: BEGIN IMMEDIATE).
_WRITER = "atlas_writer"


def database_url(url: str | None = None) -> str:
    """The database URL: ``url``, else ``$ATLAS_DB_URL``, else SQLite at :data:`DEFAULT_DB_PATH`.

    ``postgresql://`` and ``postgres://`` mean psycopg 3 (``postgresql+psycopg://``).
    """
    chosen = url or os.environ.get(DB_URL_ENV) or f"sqlite:///{DEFAULT_DB_PATH}"
    for prefix in ("postgres://", "postgresql://"):
        if chosen.startswith(prefix):
            return "postgresql+psycopg://" + chosen.removeprefix(prefix)
    return chosen


# --- what is stored ----------------------------------------------------------------------------


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


# --- tables ------------------------------------------------------------------------------------

_metadata = sa.MetaData()

_meta = sa.Table(
    "atlas_meta",
    _metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)

_batches = sa.Table(
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
        sa.Index(f"ix_rows_{spec.name}_batch", "batch_id"),
        sa.Index(f"ix_rows_{spec.name}_winner", PERIOD, COMMUNE_CODE, "batch_id"),
    )


_rows: Mapping[str, sa.Table] = {name: _rows_table(FAMILIES[name]) for name in FAMILY_NAMES}


# --- typed frames ------------------------------------------------------------------------------


def _coerce(frame: pd.DataFrame, spec: Family) -> pd.DataFrame:
    """The family columns of ``frame`` with the dtypes :func:`geo.figures.indicators.read_family`
    gives."""
    out: dict[str, Any] = {}
    for column in spec.columns:
        values = pd.Series(frame[column.name].to_numpy(dtype=object), dtype=object)
        values = values.where(values.notna(), None)
        dtype = column.dtype
        if isinstance(dtype, pd.CategoricalDtype):
            out[column.name] = pd.Categorical(
                values, categories=dtype.categories, ordered=dtype.ordered
            )
        elif dtype == "bool":
            out[column.name] = values.fillna(False).astype(bool)
        elif dtype == "float64":
            out[column.name] = pd.to_numeric(values, errors="raise").astype("float64")
        elif dtype in ("int64", "Int64"):
            out[column.name] = pd.array([None if v is None else int(v) for v in values], dtype)
        else:
            out[column.name] = values.astype(dtype)
    return pd.DataFrame(out, index=range(len(frame)))


def _python(value: object) -> object:
    """A database-friendly scalar: ``None`` for missing, Python numbers, plain strings."""
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value


def _records(accepted: pd.DataFrame, spec: Family, batch_id: int) -> list[dict[str, Any]]:
    typed = _coerce(accepted, spec)
    if SOURCE_ROW in accepted.columns:
        typed[SOURCE_ROW] = pd.array(accepted[SOURCE_ROW].to_numpy(), dtype="Int64")
    else:
        typed[SOURCE_ROW] = pd.array(range(2, len(typed) + 2), dtype="Int64")
    names = [SOURCE_ROW, *spec.column_names]
    columns = {name: typed[name].astype(object).tolist() for name in names}
    return [
        {"batch_id": batch_id, **{name: _python(columns[name][i]) for name in names}}
        for i in range(len(typed))
    ]


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


# --- demo seed ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _DemoRows:
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


def _demo_reports(directory: str | os.PathLike[str] | None) -> list[_DemoRows]:
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
                _DemoRows(
                    family=family,
                    period=int(period),
                    vintage=str(vintages[0]) if len(vintages) else "",
                    file_name=path.name,
                    sha256=digest,
                    accepted=rows.reset_index(drop=True),
                )
            )
    return reports


# --- the store ---------------------------------------------------------------------------------


class Store:
    """Batches of indicator figures in SQLite or PostgreSQL.

    Parameters
    ----------
    url : str, optional
        SQLAlchemy URL; see :func:`database_url` for the default.
    chunk_size : int
        Rows per INSERT round trip of an import.
    progress : callable, optional
        ``progress(rows_written, rows_total)`` after each chunk of an import, inside its
        transaction (a progress bar; tests use it to fail or die half-way).
    create : bool
        Create the tables when missing (and add columns the family schema gained since).
    """

    def __init__(
        self,
        url: str | None = None,
        *,
        chunk_size: int = 500,
        progress: Callable[[int, int], None] | None = None,
        create: bool = True,
    ) -> None:
        self.url = sa.make_url(database_url(url))
        self.chunk_size = chunk_size
        self.progress = progress
        self.engine = self._engine()
        if create:
            self._create()

    # -- connections --

    @property
    def dialect(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return self.engine.dialect.name

    @property
    def display_url(self) -> str:
        """The URL without its password (for messages and logs)."""
        return self.url.render_as_string(hide_password=True)

    def _engine(self) -> Engine:
        if self.url.get_backend_name() != "sqlite":
            return sa.create_engine(self.url, pool_pre_ping=True)
        database = self.url.database or ""
        memory = database in ("", ":memory:")
        if not memory:
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(
            self.url,
            connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_S},
            # One shared connection for an in-memory database, else each connection is empty.
            **({"poolclass": StaticPool} if memory else {}),
        )

        @sa.event.listens_for(engine, "connect")
        def _connect(dbapi_connection: Any, _record: Any) -> None:
            # pysqlite's implicit transactions are off: SQLAlchemy's "begin" below decides.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute(f"PRAGMA busy_timeout = {int(SQLITE_BUSY_TIMEOUT_S * 1000)}")
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA foreign_keys = ON")
            cursor.close()

        @sa.event.listens_for(engine, "begin")
        def _begin(connection: Connection) -> None:
            # Writers take the write lock up front: a deferred transaction that reads and then
            # writes can fail with SQLITE_BUSY instead of waiting its turn.
            writer = connection.get_execution_options().get(_WRITER)
            connection.exec_driver_sql("BEGIN IMMEDIATE" if writer else "BEGIN")

        return engine

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        """A transaction holding the store-wide write lock; commits on success."""
        try:
            with self.engine.connect() as connection:
                connection.execution_options(**{_WRITER: True})
                with connection.begin():
                    if self.dialect == "postgresql":
                        connection.execute(
                            sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY}
                        )
                    yield connection
        except sa.exc.OperationalError as exc:
            if "locked" in str(exc).lower() or "busy" in str(exc).lower():
                raise StoreError(
                    self.display_url, "the database is busy with another import; try again"
                ) from exc
            raise

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        """A read transaction: one consistent snapshot for several queries."""
        with self.engine.connect() as connection:
            if self.dialect == "postgresql":
                connection.execution_options(isolation_level="REPEATABLE READ")
            with connection.begin():
                yield connection

    def dispose(self) -> None:
        """Close the pooled connections."""
        self.engine.dispose()

    def _create(self) -> None:
        with self._write() as connection:
            _metadata.create_all(connection)
            self._add_missing_columns(connection)
            for key, value in (("schema_version", SCHEMA_VERSION), ("revision", "0")):
                if connection.scalar(sa.select(_meta.c.value).where(_meta.c.key == key)) is None:
                    connection.execute(_meta.insert().values(key=key, value=value))

    @staticmethod
    def _add_missing_columns(connection: Connection) -> None:
        """Columns a family gained after the table was made (nullable, so old rows stay)."""
        inspector = sa.inspect(connection)
        quote = connection.dialect.identifier_preparer.quote
        for table in _rows.values():
            present = {column["name"] for column in inspector.get_columns(table.name)}
            for column in table.columns:
                if column.name not in present:
                    kind = column.type.compile(dialect=connection.dialect)
                    connection.exec_driver_sql(
                        f"ALTER TABLE {quote(table.name)} ADD COLUMN {quote(column.name)} {kind}"
                    )

    @staticmethod
    def _bump_revision(connection: Connection) -> None:
        connection.execute(
            _meta.update()
            .where(_meta.c.key == "revision")
            .values(value=sa.cast(sa.cast(_meta.c.value, sa.Integer) + 1, sa.Text))
        )

    # -- writing --

    def import_report(
        self, report: ReportLike, *, user: object, force: bool = False, origin: str = ORIGIN_IMPORT
    ) -> Batch:
        """Store the accepted rows of an import report as a new active batch.

        Parameters
        ----------
        report : ImportReport
            From :func:`geo.figures.importing.import_file` (anything with its fields will do).
        user : Planner
            Who imports; anything else (a viewer) is refused.
        force : bool
            Import even when the same file is already an active batch of this family and period.
        origin : str
            ``"import"``; ``"demo"`` only for demo data.

        Returns
        -------
        Batch
            The new batch.

        Raises
        ------
        AccessDeniedError
            ``user`` is not a :class:`geo.figures.auth.Planner`.
        DuplicateImportError
            Same SHA-256, family and period as an active batch, and not ``force``.
        StoreError
            Nothing to import, or rows of another period than the report's.
        """
        planner = require_planner(user, action="import")
        self._check(report)
        with self._write() as connection:
            if not force:
                duplicate = connection.execute(
                    sa.select(_batches).where(
                        _batches.c.sha256 == report.sha256,
                        _batches.c.family == report.family,
                        _batches.c.period == int(report.period),
                        _batches.c.status == STATUS_ACTIVE,
                    )
                ).first()
                if duplicate is not None:
                    raise DuplicateImportError(
                        report.file_name,
                        f"this file is already imported as batch {duplicate.id} "
                        f"({duplicate.family} {duplicate.period}, by {duplicate.user_name})",
                    )
            batch_id = self._insert(connection, report, planner, origin=origin)
            self._bump_revision(connection)
            row = connection.execute(sa.select(_batches).where(_batches.c.id == batch_id)).one()
        return _batch(row)

    @staticmethod
    def _check(report: ReportLike) -> None:
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

    def _insert(
        self, connection: Connection, report: ReportLike, planner: Planner, *, origin: str
    ) -> int:
        spec = FAMILIES[report.family]
        result = connection.execute(
            _batches.insert().values(
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
        records = _records(report.accepted, spec, batch_id)
        table = _rows[report.family]
        for start in range(0, len(records), self.chunk_size):
            connection.execute(table.insert(), records[start : start + self.chunk_size])
            if self.progress is not None:
                self.progress(min(start + self.chunk_size, len(records)), len(records))
        return batch_id

    def rollback(self, batch_id: int, *, user: object) -> Batch:
        """Take an active batch out of the current figures (its rows are kept).

        Raises
        ------
        AccessDeniedError
            ``user`` is not a planner.
        StoreError
            No such batch, or it is already rolled back.
        """
        planner = require_planner(user, action="rollback")
        with self._write() as connection:
            self._locked_batch(connection, batch_id, STATUS_ACTIVE)
            connection.execute(
                _batches.update()
                .where(_batches.c.id == batch_id)
                .values(
                    status=STATUS_ROLLED_BACK,
                    rolled_back_by=planner.name,
                    rolled_back_at=datetime.now(UTC),
                )
            )
            self._bump_revision(connection)
            row = connection.execute(sa.select(_batches).where(_batches.c.id == batch_id)).one()
        return _batch(row)

    def delete_batch(self, batch_id: int, *, user: object) -> None:
        """Delete a rolled-back batch and its rows for good (planners only).

        Raises
        ------
        AccessDeniedError
            ``user`` is not a planner.
        StoreError
            No such batch, or it is still active (roll it back first).
        """
        require_planner(user, action="delete")
        with self._write() as connection:
            row = self._locked_batch(connection, batch_id, STATUS_ROLLED_BACK)
            connection.execute(
                _rows[row.family].delete().where(_rows[row.family].c.batch_id == batch_id)
            )
            connection.execute(_batches.delete().where(_batches.c.id == batch_id))
            self._bump_revision(connection)

    def _locked_batch(self, connection: Connection, batch_id: int, status: str) -> sa.Row[Any]:
        row = connection.execute(sa.select(_batches).where(_batches.c.id == int(batch_id))).first()
        if row is None:
            raise StoreError(self.display_url, f"no batch {batch_id}")
        if row.status != status:
            wanted = "active" if status == STATUS_ACTIVE else "rolled back (roll it back first)"
            raise StoreError(
                self.display_url,
                f"batch {batch_id} is {row.status.replace('_', ' ')}; it must be {wanted}",
            )
        return row

    def ensure_seeded(self, directory: str | os.PathLike[str] | None = None) -> list[Batch]:
        """Load the demo tables as the first batches, once, into a database never seeded.

        One batch per family and period, user ``system``, origin ``demo``. A database that was
        seeded before (even if its batches were deleted since) or that already has batches is
        left alone.

        Returns
        -------
        list of Batch
            The batches made now (empty when there was nothing to do).
        """
        if self._meta("seeded") is not None:
            return []
        reports = _demo_reports(directory)
        with self._write() as connection:
            # Checked again under the lock: another process may have seeded meanwhile.
            seeded = connection.scalar(sa.select(_meta.c.value).where(_meta.c.key == "seeded"))
            has_batches = connection.scalar(sa.select(sa.func.count()).select_from(_batches))
            if seeded is not None or has_batches:
                return []
            ids = [self._insert(connection, r, SYSTEM, origin=ORIGIN_DEMO) for r in reports]
            connection.execute(
                _meta.insert().values(key="seeded", value=datetime.now(UTC).isoformat())
            )
            self._bump_revision(connection)
            rows = connection.execute(
                sa.select(_batches).where(_batches.c.id.in_(ids)).order_by(_batches.c.id)
            ).all()
        return [_batch(row) for row in rows]

    # -- reading --

    def _meta(self, key: str) -> str | None:
        with self._read() as connection:
            return connection.scalar(sa.select(_meta.c.value).where(_meta.c.key == key))

    def revision(self) -> int:
        """A number that changes with every import, rollback and delete (a cache key)."""
        return int(self._meta("revision") or 0)

    def batches(
        self, family: str | None = None, period: int | None = None, *, status: str | None = None
    ) -> list[Batch]:
        """Batches, newest first, optionally of one family, period and status."""
        query = sa.select(_batches).order_by(_batches.c.id.desc())
        if family is not None:
            query = query.where(_batches.c.family == family)
        if period is not None:
            query = query.where(_batches.c.period == int(period))
        if status is not None:
            query = query.where(_batches.c.status == status)
        with self._read() as connection:
            return [_batch(row) for row in connection.execute(query)]

    def batch(self, batch_id: int) -> Batch:
        """One batch (``StoreError`` when there is none)."""
        with self._read() as connection:
            row = connection.execute(sa.select(_batches).where(_batches.c.id == int(batch_id)))
            found = row.first()
        if found is None:
            raise StoreError(self.display_url, f"no batch {batch_id}")
        return _batch(found)

    def batch_rows(self, batch_id: int) -> pd.DataFrame:
        """The rows a batch brought, with ``source_row`` (whatever its status)."""
        batch = self.batch(batch_id)
        table = _rows[batch.family]
        query = sa.select(table).where(table.c.batch_id == batch.id).order_by(table.c.id)
        with self._read() as connection:
            return self._frame(connection, query, FAMILIES[batch.family], extra=(SOURCE_ROW,))

    def current_table(self, family: str) -> pd.DataFrame:
        """The current figures of one family, all periods (see the rule in the module docs)."""
        with self._read() as connection:
            return self._current(connection, FAMILIES[family])

    def current_tables(self) -> dict[str, pd.DataFrame]:
        """The current figures of every family, all periods, from one consistent snapshot.

        Same shape as :func:`geo.figures.indicators.load_demo`: one frame per family name, the
        family's
        columns in schema order with schema dtypes, rows by period, commune, then file order.
        """
        with self._read() as connection:
            return {name: self._current(connection, FAMILIES[name]) for name in FAMILY_NAMES}

    def current_sources(self) -> pd.DataFrame:
        """Which batch each current (family, period, commune) comes from.

        Columns ``family, period, commune_code, batch_id, origin, user``: lets the app say
        whether a map still shows demo data.
        """
        frames = []
        with self._read() as connection:
            for name in FAMILY_NAMES:
                winners = self._winners(name)
                query = sa.select(
                    sa.literal(name).label("family"),
                    winners.c.period,
                    winners.c.commune_code,
                    winners.c.batch_id,
                    _batches.c.origin,
                    _batches.c.user_name.label("user"),
                ).join(_batches, _batches.c.id == winners.c.batch_id)
                frames.append(pd.DataFrame(connection.execute(query).mappings().all()))
        columns = ["family", "period", COMMUNE_CODE, "batch_id", "origin", "user"]
        frames = [frame for frame in frames if len(frame)]
        if not frames:
            return pd.DataFrame(columns=columns)
        return pd.concat(frames, ignore_index=True)[columns]

    @staticmethod
    def _winners(family: str) -> sa.Subquery:
        """Per period and commune, the id of the latest active batch that has the commune."""
        rows = _rows[family]
        return (
            sa.select(
                rows.c.period, rows.c.commune_code, sa.func.max(rows.c.batch_id).label("batch_id")
            )
            .join(_batches, _batches.c.id == rows.c.batch_id)
            .where(_batches.c.status == STATUS_ACTIVE)
            .group_by(rows.c.period, rows.c.commune_code)
            .subquery("winners")
        )

    def _current(self, connection: Connection, spec: Family) -> pd.DataFrame:
        rows = _rows[spec.name]
        winners = self._winners(spec.name)
        query = (
            sa.select(rows)
            .join(
                winners,
                sa.and_(
                    rows.c.batch_id == winners.c.batch_id,
                    rows.c.period == winners.c.period,
                    rows.c.commune_code == winners.c.commune_code,
                ),
            )
            .order_by(rows.c.period, rows.c.commune_code, rows.c.source_row, rows.c.id)
        )
        return self._frame(connection, query, spec)

    @staticmethod
    def _frame(
        connection: Connection, query: sa.Select[Any], spec: Family, *, extra: Sequence[str] = ()
    ) -> pd.DataFrame:
        result = connection.execute(query).mappings().all()
        raw = pd.DataFrame(
            {name: [row[name] for row in result] for name in (*spec.column_names, *extra)}
        )
        table = _coerce(raw, spec)
        for name in extra:
            table[name] = pd.array(raw[name].tolist(), dtype="Int64")
        return table


def open_store(url: str | None = None, *, seed: bool = True) -> Store:
    """The app's store: :func:`database_url`, tables created, demo data seeded on first use.

    Parameters
    ----------
    url : str, optional
        Overrides ``$ATLAS_DB_URL`` and the default SQLite file.
    seed : bool
        Seed the demo batches into a database never seeded (:meth:`Store.ensure_seeded`).
    """
    store = Store(url)
    if seed:
        store.ensure_seeded()
    return store
