"""Where the figure store lives: its URL, the SQLAlchemy engine, read and write transactions.

Writers take a store-wide lock at the start of their transaction — SQLite ``BEGIN IMMEDIATE``
(waits up to :data:`SQLITE_BUSY_TIMEOUT_S`), PostgreSQL ``pg_advisory_xact_lock`` — so writers
run one after the other. Readers get one consistent snapshot per transaction.

Examples
--------
>>> database = Database("sqlite://")
>>> database.dialect, database.display_url
('sqlite', 'sqlite://')
>>> with database.read() as connection:
...     connection.exec_driver_sql("SELECT 1").scalar()
1
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import URL, Connection, Engine
from sqlalchemy.pool import StaticPool

from geo.errors import StoreError

__all__ = ["DB_URL_ENV", "DEFAULT_DB_PATH", "SQLITE_BUSY_TIMEOUT_S", "Database", "database_url"]

DB_URL_ENV = "ATLAS_DB_URL"
DEFAULT_DB_PATH = Path(__file__).resolve().parents[3] / "data" / "atlas.sqlite"

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


def _engine(url: URL) -> Engine:
    """A pooled engine; SQLite gets WAL, a busy timeout and writers that lock up front."""
    if url.get_backend_name() != "sqlite":
        return sa.create_engine(url, pool_pre_ping=True)
    database = url.database or ""
    memory = database in ("", ":memory:")
    if not memory:
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(
        url,
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


class Database:
    """One SQLite or PostgreSQL database and its transactions.

    Parameters
    ----------
    url : str, optional
        SQLAlchemy URL; see :func:`database_url` for the default.
    """

    def __init__(self, url: str | None = None) -> None:
        self.url = sa.make_url(database_url(url))
        self.engine = _engine(self.url)

    @property
    def dialect(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return self.engine.dialect.name

    @property
    def display_url(self) -> str:
        """The URL without its password (for messages and logs)."""
        return self.url.render_as_string(hide_password=True)

    @contextmanager
    def write(self, *, store_lock: bool = True) -> Iterator[Connection]:
        """A write transaction; commits on success.

        ``store_lock`` takes the store-wide lock that serialises imports. Small writes that are
        safe on their own (a sign-in failure: one upsert) pass ``False`` so they never wait
        behind an import on PostgreSQL (SQLite has one writer at a time anyway).
        """
        try:
            with self.engine.connect() as connection:
                connection.execution_options(**{_WRITER: True})
                with connection.begin():
                    if store_lock and self.dialect == "postgresql":
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
    def read(self) -> Iterator[Connection]:
        """A read transaction: one consistent snapshot for several queries."""
        with self.engine.connect() as connection:
            if self.dialect == "postgresql":
                connection.execution_options(isolation_level="REPEATABLE READ")
            with connection.begin():
                yield connection

    def dispose(self) -> None:
        """Close the pooled connections."""
        self.engine.dispose()
