"""Vietnamese text in legacy encodings, for the importer: see :mod:`geo.text_encodings`.

The functions live in the base module :mod:`geo.text_encodings`, so the boundary loader
(:mod:`geo.geography`, below this room) detects the encoding of a shapefile the same way the
importer detects that of a spreadsheet.
"""

from __future__ import annotations

from geo.text_encodings import (
    LEGACY_ENCODINGS,
    TCVN3_TO_UNICODE,
    VNI_TO_UNICODE,
    Legacy,
    decode_bytes,
    encode_cp1258,
    font_hint,
    implausibility,
    repair_text,
    repair_texts,
    tcvn3_to_unicode,
    unicode_to_tcvn3,
    unicode_to_vni,
    vni_to_unicode,
)

__all__ = [
    "LEGACY_ENCODINGS",
    "TCVN3_TO_UNICODE",
    "VNI_TO_UNICODE",
    "Legacy",
    "decode_bytes",
    "encode_cp1258",
    "font_hint",
    "implausibility",
    "repair_text",
    "repair_texts",
    "tcvn3_to_unicode",
    "unicode_to_tcvn3",
    "unicode_to_vni",
    "vni_to_unicode",
]
