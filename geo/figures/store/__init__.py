"""The figure store: every import is an immutable batch; the current figures derive from them.

:class:`Store` is the facade; schema, batches, current figures, demo seeding and connections
are its collaborators in this package (see :mod:`geo.figures.store.facade` for the model).
"""

from geo.figures.store.facade import (
    DB_URL_ENV,
    DEFAULT_DB_PATH,
    ORIGIN_DEMO,
    ORIGIN_IMPORT,
    STATUS_ACTIVE,
    STATUS_ROLLED_BACK,
    Batch,
    ReportLike,
    Store,
    database_url,
    open_store,
    rejected_row_count,
)

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
