"""Analysis: pure computations on indicator tables and commune layers.

Metrics and aggregates, period comparison, lagging rules, a commune's profile, table joins.
"""

from geo._exports import lazy_exports

#: The modules of this room: each one's ``__all__`` is exported here, imported on first use.
MODULES = [
    "commune_profile",
    "compare",
    "conversion",
    "kpi_cards",
    "lagging",
    "metrics",
    "table_join",
]
__getattr__, __dir__ = lazy_exports(__name__, MODULES)
