"""Geography: admin units and their boundaries, one vintage at a time.

Reads any vector source (VN-2000 included), validates it, builds the schematic fallback, fetches
pinned public layers and matches names to GSO codes.
"""

from geo._exports import lazy_exports

#: The modules of this room: each one's ``__all__`` is exported here, imported on first use.
MODULES = [
    "admin_units",
    "boundaries",
    "crosswalk",
    "crs",
    "download",
    "fetch",
    "geographies",
    "matching",
    "rda",
    "schematic",
    "sources",
    "tree_fetch",
    "units_2025",
    "validation",
]
__getattr__, __dir__ = lazy_exports(__name__, MODULES)
