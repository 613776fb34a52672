"""Import a planner's spreadsheet of figures by commune: read it, find its header, sort its rows,
match communes, parse and check values, and report every row as accepted, rejected or skipped.
"""

from geo.figures.importing.checking import IMPORT_PROVENANCE
from geo.figures.importing.findings import Finding, UnreadableFileError
from geo.figures.importing.header import HEADER_ALIASES, recognise_header
from geo.figures.importing.importer import import_file
from geo.figures.importing.reading import META_SHEET
from geo.figures.importing.report import ImportReport, rejected_workbook
from geo.geography.units_2025 import convert_codes_2025

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
