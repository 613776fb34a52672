"""Output: what leaves the atlas as a file or a table for people.

Print maps (PNG/PDF), the brief, data exports (GeoJSON/GPKG/XLSX), display tables, reports.
"""

from geo._exports import lazy_exports

#: The modules of this room: each one's ``__all__`` is exported here, imported on first use.
MODULES = [
    "brief",
    "display",
    "export",
    "import_report",
    "printing",
    "table_export",
]
__getattr__, __dir__ = lazy_exports(__name__, MODULES)
