"""The geography a map shows: commune polygons, district outlines, their kind and vintage.

Two kinds exist. The embedded default is *schematic* (built offline from the official centres and
extents in ``vietnamadminunits``); a *file* geography comes from a boundary layer the user loads.
Every map says which one it shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import geopandas as gpd

from geo.admin_units import HOA_BINH
from geo.boundaries import area_km2, load_boundaries
from geo.schema import AREA_KM2
from geo.schematic import districts_from_communes, schematic_communes

BoundaryKind = Literal["schematic", "file"]


@dataclass(frozen=True)
class Geography:
    """Communes and districts of one boundary vintage.

    Attributes
    ----------
    communes : geopandas.GeoDataFrame
        Normalised commune layer (EPSG:4326) with ``area_km2``.
    districts : geopandas.GeoDataFrame
        District outlines: the union of their communes.
    kind : {"schematic", "file"}
        Schematic (offline default) or loaded from a file.
    vintage : str
        Boundary vintage, e.g. ``"2020-2025"``.
    source : str
        Where the geometry comes from (shown on the map).
    """

    communes: gpd.GeoDataFrame
    districts: gpd.GeoDataFrame
    kind: BoundaryKind
    vintage: str
    source: str


def default_geography(
    province_codes: str | tuple[str, ...] = HOA_BINH, *, cache_dir: Path | None = None
) -> Geography:
    """The embedded offline geography: schematic communes of vintage 2020 – June 2025.

    Examples
    --------
    >>> geography = default_geography()
    >>> len(geography.communes), len(geography.districts), geography.kind
    (151, 10, 'schematic')
    """
    communes = schematic_communes(province_codes, cache_dir=cache_dir)
    communes = communes.assign(**{AREA_KM2: area_km2(communes)})
    return Geography(
        communes=communes,
        districts=districts_from_communes(communes),
        kind="schematic",
        vintage=str(communes["vintage"].iloc[0]),
        source=communes.attrs.get(
            "boundary_source", "vietnamadminunits (MIT): official centres and extents"
        ),
    )


def file_geography(path: str | Path, *, vintage: str | None = None) -> Geography:
    """A geography from a boundary file the user supplies (see ``load_boundaries``)."""
    layer = load_boundaries(path, vintage=vintage)
    communes = layer.communes
    return Geography(
        communes=communes,
        districts=districts_from_communes(communes),
        kind="file",
        vintage=str(layer.vintage),
        source=Path(path).name,
    )
