"""Import a planner's spreadsheet of figures by commune: read it, find its header, classify rows,
match communes, parse and check values, and report every row accepted, rejected or skipped.
"""

from geo.figures.importing.importer import (
    HEADER_ALIASES,
    IMPORT_PROVENANCE,
    META_SHEET,
    Finding,
    ImportReport,
    UnreadableFileError,
    convert_codes_2025,
    import_file,
    recognise_header,
    rejected_workbook,
)

__all__ = [
    "HEADER_ALIASES",
    "IMPORT_PROVENANCE",
    "META_SHEET",
    "Finding",
    "ImportReport",
    "UnreadableFileError",
    "convert_codes_2025",
    "import_file",
    "recognise_header",
    "rejected_workbook",
]
