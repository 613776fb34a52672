"""The sign-in throttle's failures in the store's database, shared by every server process.

:class:`StoredFailureLog` is the :class:`geo.figures.auth.FailureLog` the app gives its
:class:`~geo.figures.auth.Throttle`: with several Streamlit processes behind a load balancer, a
guesser meets the same lock whichever process answers. Two tables of the store schema
(:data:`~.schema.SIGN_IN_FAILURES`, :data:`~.schema.SIGN_IN_RECENT`); both are pruned as they
are written, so their size stays bounded whatever names are tried.

Examples
--------
>>> from geo.figures.auth import Throttle
>>> from geo.figures.store import Store
>>> now = [1000.0]
>>> throttle = Throttle(log=Store("sqlite://").failure_log(), clock=lambda: now[0],
...                     free_attempts=1, base_delay=2)
>>> throttle.failure("lan"); throttle.failure("Lan"); throttle.retry_after("lan")
2.0
>>> throttle.success("lan"); throttle.retry_after("lan")
0.0
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from geo.figures.store.engine import Database
from geo.figures.store.schema import SIGN_IN_FAILURES, SIGN_IN_RECENT

__all__ = ["MAX_NAME_LENGTH", "StoredFailureLog"]

#: Longer names tried are cut: no account name is longer than 64, so nothing real merges.
MAX_NAME_LENGTH = 128


class StoredFailureLog:
    """Failed sign-ins in the tables ``sign_in_failures`` and ``sign_in_recent``.

    Parameters
    ----------
    database : Database
        The store's database.
    window : float
        Seconds of ``sign_in_recent`` kept (at least the throttle's global window).
    """

    def __init__(self, database: Database, *, window: float = 3600.0) -> None:
        self._database = database
        self._window = window

    def _upsert(self, name: str, now: float, forget_after: float) -> sa.Executable:
        """Insert the name's first failure, or count one more (from 1 after a long quiet)."""
        table = SIGN_IN_FAILURES
        dialect = postgresql if self._database.dialect == "postgresql" else sqlite
        insert = dialect.insert(table).values(name=name, failures=1, last_failure=now)
        # One statement, so two processes failing the same name at once both count.
        return insert.on_conflict_do_update(
            index_elements=[table.c.name],
            set_={
                "failures": sa.case(
                    (table.c.last_failure < now - forget_after, 1),
                    else_=table.c.failures + 1,
                ),
                "last_failure": now,
            },
        )

    def record(self, name: str, now: float, *, forget_after: float, max_names: int) -> None:
        """Count one failure of ``name`` at ``now``; prune what the throttle no longer needs."""
        key = name[:MAX_NAME_LENGTH]
        with self._database.write(store_lock=False) as connection:
            connection.execute(self._upsert(key, now, forget_after))
            connection.execute(SIGN_IN_RECENT.insert().values(failed_at=now))
            connection.execute(
                SIGN_IN_RECENT.delete().where(SIGN_IN_RECENT.c.failed_at <= now - self._window)
            )
            connection.execute(
                SIGN_IN_FAILURES.delete().where(
                    SIGN_IN_FAILURES.c.last_failure < now - forget_after
                )
            )
            _keep_newest(connection, max_names)

    def failures(self, name: str) -> tuple[int, float] | None:
        """Failures of ``name`` and the time of the last one (``None``: no failure)."""
        table = SIGN_IN_FAILURES
        with self._database.read() as connection:
            row = connection.execute(
                sa.select(table.c.failures, table.c.last_failure).where(
                    table.c.name == name[:MAX_NAME_LENGTH]
                )
            ).first()
        return None if row is None else (int(row.failures), float(row.last_failure))

    def recent(self, since: float) -> tuple[int, float]:
        """Failures of any name after ``since``, and the time of the oldest of them."""
        column = SIGN_IN_RECENT.c.failed_at
        with self._database.read() as connection:
            row = connection.execute(
                sa.select(sa.func.count(), sa.func.min(column)).where(column > since)
            ).one()
        return int(row[0]), float(row[1]) if row[1] is not None else since

    def forget(self, name: str) -> None:
        """Forget the failures of ``name`` (a successful sign-in)."""
        table = SIGN_IN_FAILURES
        with self._database.write(store_lock=False) as connection:
            connection.execute(table.delete().where(table.c.name == name[:MAX_NAME_LENGTH]))

    def names(self) -> int:
        """How many names have failures on record."""
        with self._database.read() as connection:
            return int(connection.scalar(sa.select(sa.func.count()).select_from(SIGN_IN_FAILURES)))


def _keep_newest(connection: sa.Connection, max_names: int) -> None:
    """Delete the quietest names beyond ``max_names`` (bounded size whatever names are tried)."""
    table = SIGN_IN_FAILURES
    count = connection.scalar(sa.select(sa.func.count()).select_from(table))
    if count <= max_names:
        return
    quietest = sa.select(table.c.name).order_by(table.c.last_failure).limit(count - max_names)
    connection.execute(table.delete().where(table.c.name.in_(quietest)))
