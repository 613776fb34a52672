"""Vietnamese text in legacy encodings, for the importer: see :mod:`geo.text_encodings`.

The functions live in the base module :mod:`geo.text_encodings`, so that the boundary loader
(:mod:`geo.geography`, below this room) detects the encoding of a shapefile the same way the
importer detects that of a spreadsheet. Every public name of it is re-exported here.
"""

from __future__ import annotations

from geo.text_encodings import *  # noqa: F403 (the whole public API, by design)
from geo.text_encodings import __all__  # noqa: F401
