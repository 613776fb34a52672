"""Figures: the indicator tables, where they come from and where they are kept.

The schema and demo/published figures, the spreadsheet import, templates, the store and accounts.
"""

from geo._exports import lazy_exports

#: The modules of this room: each one's ``__all__`` is exported here, imported on first use.
MODULES = [
    "auth",
    "demo",
    "encodings",
    "importing",
    "indicators",
    "published",
    "store",
    "templates",
]
__getattr__, __dir__ = lazy_exports(__name__, MODULES)
