"""Web: what the browser gets for the interactive map.

Layer specs and classification, folium maps, compact topology and text, offline assets.
"""

from geo._exports import lazy_exports

#: The modules of this room: each one's ``__all__`` is exported here, imported on first use.
MODULES = [
    "assets",
    "compact",
    "geometry",
    "layers",
    "maps",
    "natural_breaks",
    "overlays",
    "text",
    "topology",
]
__getattr__, __dir__ = lazy_exports(__name__, MODULES)
