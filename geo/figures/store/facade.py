"""The figure store: every import is an immutable batch; the current figures derive from them.

One code path for two databases, chosen by a SQLAlchemy URL:

* **SQLite** (default): ``data/atlas.sqlite`` in the repository (not committed), WAL journal and a
  busy timeout so readers never wait for the writer and writers queue up.
* **PostgreSQL**: ``postgresql+psycopg://user:password@host/db`` (psycopg 3).

``ATLAS_DB_URL`` overrides the default (:func:`~geo.figures.store.engine.database_url`).

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
(see below), so "highest id" is also "committed last". The query is in
:mod:`geo.figures.store.current`.

**All or nothing.** An import is one transaction: the batch and all its rows commit together, or
nothing does (an exception, a killed process or a lost connection leaves the database as it was).

**Concurrency.** Writers take a store-wide lock at the start of their transaction — SQLite
``BEGIN IMMEDIATE`` (waits up to the busy timeout), PostgreSQL ``pg_advisory_xact_lock`` — so two
imports at once run one after the other, and the re-import check sees the other's batch
(:mod:`geo.figures.store.engine`).

**Seeding.** :meth:`Store.ensure_seeded` loads the demo tables once, into a fresh database: one
batch per family and period (4 × 6 = 24 batches), user ``system``, origin ``demo``
(:mod:`geo.figures.store.seed`).

Package
-------
:class:`Store` is a facade over small collaborators, one module each: :mod:`~.engine` (URL,
engine, transactions, locks), :mod:`~.schema` (tables, added columns, revision),
:mod:`~.frames` (typed frames ↔ rows), :mod:`~.batches`, :mod:`~.current` and :mod:`~.seed`.
The facade checks who may write, opens the transaction, and hands the connection on.

Examples
--------
>>> store = Store("sqlite://")          # in memory
>>> len(store.ensure_seeded())
32
>>> int(store.current_tables()["models"].query("period == 2019")["models_economy"].sum())
1392
"""

from __future__ import annotations

import os
from collections.abc import Callable

import pandas as pd
from sqlalchemy.engine import URL, Engine

from geo.errors import StoreError
from geo.figures.auth import require_planner
from geo.figures.indicators import FAMILIES, FAMILY_NAMES
from geo.figures.store import batches as ledger
from geo.figures.store.batches import Batch, ReportLike
from geo.figures.store.current import current_frame, current_sources
from geo.figures.store.engine import Database
from geo.figures.store.schema import ORIGIN_IMPORT, create_schema, meta_value
from geo.figures.store.seed import demo_reports, seed_demo
from geo.figures.store.sign_in import StoredFailureLog

__all__ = ["Store", "open_store"]


class Store:
    """Batches of indicator figures in SQLite or PostgreSQL.

    Parameters
    ----------
    url : str, optional
        SQLAlchemy URL; see :func:`~geo.figures.store.engine.database_url` for the default.
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
        self._database = Database(url)
        # Plain attributes, as before the split: the same objects the database uses.
        self.url: URL = self._database.url
        self.engine: Engine = self._database.engine
        self.chunk_size = chunk_size
        self.progress = progress
        if create:
            with self._database.write() as connection:
                create_schema(connection)

    # -- connections --

    @property
    def dialect(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return self._database.dialect

    @property
    def display_url(self) -> str:
        """The URL without its password (for messages and logs)."""
        return self._database.display_url

    def dispose(self) -> None:
        """Close the pooled connections."""
        self._database.dispose()

    def failure_log(self) -> StoredFailureLog:
        """The sign-in throttle's failures in this database, shared by every server process."""
        return StoredFailureLog(self._database)

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
        ledger.check_report(report)
        with self._database.write() as connection:
            return ledger.import_batch(
                connection,
                report,
                planner,
                force=force,
                origin=origin,
                chunk_size=self.chunk_size,
                progress=self.progress,
            )

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
        with self._database.write() as connection:
            return ledger.roll_back(connection, batch_id, planner, where=self.display_url)

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
        with self._database.write() as connection:
            ledger.delete_batch(connection, batch_id, where=self.display_url)

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
        reports = demo_reports(directory)
        with self._database.write() as connection:
            # seed_demo checks again under the lock: another process may have seeded meanwhile.
            return seed_demo(
                connection, reports, chunk_size=self.chunk_size, progress=self.progress
            )

    # -- reading --

    def _meta(self, key: str) -> str | None:
        with self._database.read() as connection:
            return meta_value(connection, key)

    def revision(self) -> int:
        """A number that changes with every import, rollback and delete (a cache key)."""
        return int(self._meta("revision") or 0)

    def batches(
        self, family: str | None = None, period: int | None = None, *, status: str | None = None
    ) -> list[Batch]:
        """Batches, newest first, optionally of one family, period and status."""
        with self._database.read() as connection:
            return ledger.select_batches(connection, family, period, status=status)

    def batch(self, batch_id: int) -> Batch:
        """One batch (``StoreError`` when there is none)."""
        with self._database.read() as connection:
            found = ledger.find_batch(connection, batch_id)
        if found is None:
            raise StoreError(self.display_url, f"no batch {batch_id}")
        return found

    def batch_rows(self, batch_id: int) -> pd.DataFrame:
        """The rows a batch brought, with ``source_row`` (whatever its status)."""
        batch = self.batch(batch_id)
        with self._database.read() as connection:
            return ledger.batch_rows(connection, batch)

    def current_table(self, family: str) -> pd.DataFrame:
        """The current figures of one family, all periods (see the rule in the module docs)."""
        with self._database.read() as connection:
            return current_frame(connection, FAMILIES[family])

    def current_tables(self) -> dict[str, pd.DataFrame]:
        """The current figures of every family, all periods, from one consistent snapshot.

        Same shape as :func:`geo.figures.indicators.load_demo`: one frame per family name, the
        family's
        columns in schema order with schema dtypes, rows by period, commune, then file order.
        """
        with self._database.read() as connection:
            return {name: current_frame(connection, FAMILIES[name]) for name in FAMILY_NAMES}

    def current_sources(self) -> pd.DataFrame:
        """Which batch each current (family, period, commune) comes from.

        Columns ``family, period, commune_code, batch_id, origin, user``: lets the app say
        whether a map still shows demo data.
        """
        with self._database.read() as connection:
            return current_sources(connection)


def open_store(url: str | None = None, *, seed: bool = True) -> Store:
    """The app's store at :func:`~.engine.database_url`: tables made, demo data seeded on first use.

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
