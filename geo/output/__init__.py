"""Output: what leaves the atlas as a file or a table for people.

Print maps (PNG/PDF), the brief, data exports (GeoJSON/GPKG/XLSX), display tables, reports.
"""

from geo._exports import lazy_exports

#: Public name -> module of this room that defines it (imported on first use).
_EXPORTS = {
    "brief_pdf": "brief",
    "lagging_communes": "brief",
    "commune_table": "display",
    "district_table": "display",
    "format_value": "display",
    "history_frame": "display",
    "lagging_table": "display",
    "legend_notes": "display",
    "markdown_text": "display",
    "named_model_lines": "display",
    "profile_caption": "display",
    "profile_figures": "display",
    "slug": "display",
    "DATA_FORMATS": "export",
    "LAYER_COLUMNS": "export",
    "MIME_TYPES": "export",
    "Note": "export",
    "PROVINCE_FILES": "export",
    "check_period_layer": "export",
    "classes_text": "export",
    "districts_xlsx": "export",
    "export_layer": "export",
    "export_notes": "export",
    "file_name": "export",
    "format_date": "export",
    "joined_layer": "export",
    "layer_frame": "export",
    "layer_geojson": "export",
    "layer_gpkg": "export",
    "layer_xlsx": "export",
    "note_lines": "export",
    "period_layers": "export",
    "batches_frame": "import_report",
    "error_text": "import_report",
    "problem_text": "import_report",
    "rejected_frame": "import_report",
    "report_lines": "import_report",
    "report_payload": "import_report",
    "skipped_frame": "import_report",
    "warnings_frame": "import_report",
    "ImageFormat": "printing",
    "MapSheet": "printing",
    "Orientation": "printing",
    "PAPERS_MM": "printing",
    "PaperName": "printing",
    "PrintedMap": "printing",
    "map_figure": "printing",
    "map_pdf": "printing",
    "map_png": "printing",
    "paper_size_mm": "printing",
    "render_map": "printing",
    "FORMULA_STARTS": "table_export",
    "csv_bytes": "table_export",
    "neutralise": "table_export",
    "xlsx_bytes": "table_export",
}

__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
