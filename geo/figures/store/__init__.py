"""The figure store: every import an immutable batch in SQLite or PostgreSQL; the current figures.

:class:`Store` is the facade over engine, schema, batches, current figures and demo seeding.
"""

from geo.figures.store.batches import Batch, ReportLike, rejected_row_count
from geo.figures.store.engine import DB_URL_ENV, DEFAULT_DB_PATH, database_url
from geo.figures.store.facade import Store, open_store
from geo.figures.store.schema import ORIGIN_DEMO, ORIGIN_IMPORT, STATUS_ACTIVE, STATUS_ROLLED_BACK

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
