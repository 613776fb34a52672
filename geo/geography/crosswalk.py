"""Conversion tables between boundary vintages: figures cross vintages only through them.

A figure keyed to a 2020–2025 commune code says nothing about the 2025 commune that happens to
carry the same code: most 2025 communes were formed from several older ones, and some reuse one
predecessor's code. A :class:`Crosswalk` says, for every pair (older unit, newer unit that took
all or part of it), which *share* of the older unit's area went to the newer one, and on what
*basis* that share was measured. :mod:`geo.analysis.conversion` converts figures through it.

Sources, per direction:

* ``2020-2025 → 2025``: the converter of the registry package ``vietnamadminunits``
  (:func:`geo.geography.units_2025.successors_2025`). A predecessor that went whole into one
  2025 commune has ``share`` 1.0 and basis ``"whole"``. A *split* predecessor (Hòa Bình: Vầy
  Nưa, Cao Sơn (Lương Sơn), Đồng Tân; 471 in the country) is apportioned by area share:

  - basis ``"polygons"`` when real polygons of both vintages are given (``polygons=``): the
    share is the area of the intersection with each successor, over the sum of those areas;
  - basis ``"registry areas"`` otherwise: the registry has no area of a 2020–2025 commune nor
    of its parts, so the share is in proportion to the registry's area of each successor
    (``wardAreaKm2``). It is a rough proxy (on Hòa Bình's three splits it is off by 0.10–0.17
    from the polygon shares; ``tests/geography/test_crosswalk_shared.py`` measures it).

  ``part_km2`` is the area of the predecessor's part in the successor, to weigh compositions
  ("78 % of the area"): from the polygons, else (basis ``"schematic areas"``) the successor's
  registry area divided among its predecessors in proportion to their schematic cells' areas
  (:func:`geo.geography.schematic.schematic_communes`, built from the registry's centres and
  extents) times their share.
* ``2025 → 2020-2025`` (going back in time): refused, because a newer unit's figure cannot be
  told apart by predecessor; with ``estimate=True`` it is the area-apportioned estimate (each
  2025 commune's figure divided among its predecessors in proportion to ``part_km2``), and
  every row says ``estimate``.
* ``2019 → 2020-2025``: no conversion table ships offline. ``vietnamadminunits`` holds the
  2020–2025 list only, and the GSO change table behind the 2019 layer in ``../shared`` comes from
  a repository without a licence. The request is refused with that reason.

Examples
--------
>>> walk = crosswalk("2020-2025", "2025", province_codes="17")
>>> len(walk.table), walk.table["from_code"].nunique(), walk.table["to_code"].nunique()
(154, 151, 46)
>>> row = walk.table.query("from_code == '04891' and to_code == '04828'").iloc[0]
>>> round(float(row["share"]), 3), row["share_basis"]
(0.322, 'registry areas')
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import geopandas as gpd
import pandas as pd

from geo.errors import AtlasError
from geo.geography.admin_units import province_codes_of
from geo.geography.crs import equal_area_crs
from geo.geography.units_2025 import VINTAGE_2025, successors_2025
from geo.i18n import Lang, t
from geo.schema import COMMUNE_CODE, VINTAGE_2019, VINTAGE_2020_2025

__all__ = [
    "BASIS_POLYGONS",
    "BASIS_REGISTRY",
    "BASIS_SCHEMATIC",
    "BASIS_WHOLE",
    "CROSSWALK_COLUMNS",
    "VINTAGE_ORDER",
    "Crosswalk",
    "CrosswalkError",
    "crosswalk",
]

#: Boundary vintages, oldest first: figures may go forward through a crosswalk, not back.
VINTAGE_ORDER: tuple[str, ...] = (VINTAGE_2019, VINTAGE_2020_2025, VINTAGE_2025)

#: The predecessor went whole into the successor (share 1.0).
BASIS_WHOLE = "whole"
#: Share measured on real polygons of both vintages.
BASIS_POLYGONS = "polygons"
#: Share in proportion to the registry's areas of the successors.
BASIS_REGISTRY = "registry areas"
#: Part area from the schematic cells' areas (registry centres and extents).
BASIS_SCHEMATIC = "schematic areas"

#: Columns of :attr:`Crosswalk.table`.
CROSSWALK_COLUMNS: tuple[str, ...] = (
    "from_code",
    "from_name",
    "to_code",
    "to_name",
    "share",
    "share_basis",
    "part_km2",
    "part_basis",
    "split",
    "estimate",
)


class CrosswalkError(AtlasError):
    """No conversion table exists for the request (or going back in time was not asked for)."""


@dataclass(frozen=True)
class Crosswalk:
    """A conversion table from the units of one vintage to those of another.

    Attributes
    ----------
    from_vintage, to_vintage : str
        Vintages of the codes in ``from_code`` and ``to_code``.
    table : pandas.DataFrame
        Columns :data:`CROSSWALK_COLUMNS`, one row per (from unit, to unit) pair: ``share`` is
        the part of the *from* unit's figures that goes to the *to* unit (the shares of one
        ``from_code`` sum to 1), ``share_basis`` how it was measured (:data:`BASIS_WHOLE`,
        :data:`BASIS_POLYGONS`, :data:`BASIS_REGISTRY`, or for an estimate the part basis),
        ``part_km2`` the area of the pair's common part and ``part_basis`` its basis, ``split``
        whether the *from* unit has several *to* units, ``estimate`` whether the row is an
        area-apportioned estimate (going back in time).
    source : str
        Where the pairs come from (shown with converted figures).
    """

    from_vintage: str
    to_vintage: str
    table: pd.DataFrame
    source: str

    @property
    def estimate(self) -> bool:
        """Whether the table is an area-apportioned estimate (newer figures on older units)."""
        return bool(self.table["estimate"].any())

    def predecessors(self, to_code: str) -> pd.DataFrame:
        """The rows of one *to* unit: its predecessors and their shares.

        Examples
        --------
        >>> walk = crosswalk("2020-2025", "2025", province_codes="17")
        >>> walk.predecessors("04828")["from_name"].tolist()
        ['Phường Thái Bình', 'Phường Dân Chủ', 'Phường Thống Nhất', 'Xã Vầy Nưa']
        """
        return self.table[self.table["to_code"] == to_code].reset_index(drop=True)


def _rank(vintage: str, lang: Lang) -> int:
    if vintage not in VINTAGE_ORDER:
        known = ", ".join(VINTAGE_ORDER)
        message = t("crosswalk.unknown_vintage", lang, vintage=vintage, known=known)
        raise CrosswalkError(source="crosswalk", message=message)
    return VINTAGE_ORDER.index(vintage)


def crosswalk(
    from_vintage: str,
    to_vintage: str,
    *,
    province_codes: str | Iterable[str] = "17",
    polygons: tuple[gpd.GeoDataFrame, gpd.GeoDataFrame] | None = None,
    estimate: bool = False,
    lang: Lang = "vi",
) -> Crosswalk:
    """The conversion table from ``from_vintage`` units to ``to_vintage`` units.

    Parameters
    ----------
    from_vintage, to_vintage : str
        Vintages of :data:`VINTAGE_ORDER` (the figures' and the map's).
    province_codes : str or iterable of str
        Two-digit GSO codes of the 2020–2025 provinces whose units to cover (default Hòa
        Bình, ``"17"``), or ``"all"``. Every predecessor of a 2025 unit reached is included,
        even from another province, so that each 2025 unit is complete.
    polygons : (GeoDataFrame, GeoDataFrame), optional
        Real polygons of the 2020–2025 and the 2025 units (``commune_code`` and geometry); where
        both sides of a pair are found, shares and part areas are measured on them.
    estimate : bool
        Going back in time (2025 → 2020–2025) is refused unless this asks for the
        area-apportioned estimate; every row then says ``estimate``.
    lang : {"vi", "en"}
        Language of the error message.

    Returns
    -------
    Crosswalk

    Raises
    ------
    CrosswalkError
        An unknown vintage, the same vintage twice, going back without ``estimate``, or a pair of
        vintages with no conversion table offline (2019).

    Examples
    --------
    >>> try:
    ...     crosswalk("2025", "2020-2025", lang="en")
    ... except CrosswalkError as error:
    ...     print(error.message.split(":")[0])
    figures of the 2025 units cannot be shown on the units of 2020-2025
    >>> back = crosswalk("2025", "2020-2025", estimate=True)
    >>> bool(back.table["estimate"].all()), back.table["from_code"].nunique()
    (True, 46)
    """
    step = _rank(to_vintage, lang) - _rank(from_vintage, lang)
    refusal = (
        "crosswalk.same_vintage"
        if step == 0
        else "crosswalk.no_source_2019"
        if VINTAGE_2019 in (from_vintage, to_vintage)
        else "crosswalk.back_refused"
        if step < 0 and not estimate
        else None
    )
    if refusal is not None:
        message = t(refusal, lang, from_vintage=from_vintage, to_vintage=to_vintage)
        raise CrosswalkError(source="crosswalk", message=message)
    forward = _forward_2025(province_codes, polygons)
    source = "vietnamadminunits converter_2025" + (" + polygons" if polygons is not None else "")
    if step > 0:
        return Crosswalk(VINTAGE_2020_2025, VINTAGE_2025, forward, source)
    return Crosswalk(VINTAGE_2025, VINTAGE_2020_2025, _backward(forward), f"estimate from {source}")


def _forward_2025(
    province_codes: str | Iterable[str],
    polygons: tuple[gpd.GeoDataFrame, gpd.GeoDataFrame] | None,
) -> pd.DataFrame:
    """2020–2025 → 2025 pairs with shares and part areas (see the module docstring)."""
    reached = set(successors_2025(province_codes_of(province_codes))["new_code"])
    # Complete every 2025 unit reached: add its predecessors from other provinces.
    everything = successors_2025("all")
    pairs = everything[everything["new_code"].isin(reached)]
    table = pd.DataFrame(
        {
            "from_code": pairs["old_code"].to_numpy(),
            "from_name": pairs["old_name"].to_numpy(),
            "to_code": pairs["new_code"].to_numpy(),
            "to_name": pairs["new_name"].to_numpy(),
            "to_area_km2": pairs["new_area_km2"].to_numpy(float),
            "from_province": pairs["old_province_code"].to_numpy(),
            "split": pairs["split"].to_numpy(bool),
            "estimate": False,
        }
    )
    area_sum = table.groupby("from_code")["to_area_km2"].transform("sum")
    table["share"] = (table["to_area_km2"] / area_sum).where(table["split"], 1.0)
    table["share_basis"] = BASIS_REGISTRY
    table.loc[~table["split"], "share_basis"] = BASIS_WHOLE
    table["part_km2"] = _schematic_parts(table)
    table["part_basis"] = BASIS_SCHEMATIC
    if polygons is not None:
        _measure_on_polygons(table, *polygons)
    return (
        table.sort_values(["from_code", "to_code"])
        .loc[:, list(CROSSWALK_COLUMNS)]
        .reset_index(drop=True)
    )


def _schematic_parts(table: pd.DataFrame) -> pd.Series:
    """Each pair's part of its successor's registry area, weighted by schematic cell areas."""
    from geo.geography.boundaries import area_km2
    from geo.geography.schematic import schematic_communes  # heavy: only when a table is built

    provinces = tuple(sorted(set(table["from_province"])))
    cells = schematic_communes(provinces)
    cell_area = pd.Series(area_km2(cells).to_numpy(float), index=cells[COMMUNE_CODE].to_numpy())
    weight = table["from_code"].map(cell_area).fillna(cell_area.median()) * table["share"]
    return table["to_area_km2"] * weight / weight.groupby(table["to_code"]).transform("sum")


def _measure_on_polygons(table: pd.DataFrame, old: gpd.GeoDataFrame, new: gpd.GeoDataFrame) -> None:
    """Replace shares and part areas by polygon measures where both units have a polygon."""
    crs = equal_area_crs(tuple(new.to_crs(4326).total_bounds))
    old_geom = old.to_crs(crs).set_index(COMMUNE_CODE).geometry
    new_geom = new.to_crs(crs).set_index(COMMUNE_CODE).geometry
    found = table["from_code"].isin(old_geom.index) & table["to_code"].isin(new_geom.index)
    # A predecessor is measured on polygons only if all its pairs are (shares must sum to 1).
    measurable = found.groupby(table["from_code"]).transform("all")
    rows = table.index[measurable]
    parts = pd.Series(
        [
            old_geom[table.at[i, "from_code"]].intersection(new_geom[table.at[i, "to_code"]]).area
            / 1e6
            for i in rows
        ],
        index=rows,
        dtype=float,
    )
    total = parts.groupby(table.loc[rows, "from_code"]).transform("sum")
    usable = parts.index[total > 0]
    table.loc[usable, "part_km2"] = parts[usable]
    table.loc[usable, "part_basis"] = BASIS_POLYGONS
    split = usable[table.loc[usable, "split"].to_numpy()]
    table.loc[split, "share"] = parts[split] / total[split]
    table.loc[split, "share_basis"] = BASIS_POLYGONS


def _backward(forward: pd.DataFrame) -> pd.DataFrame:
    """2025 → 2020–2025: each 2025 unit's figures divided in proportion to its parts' areas."""
    part_sum = forward.groupby("to_code")["part_km2"].transform("sum")
    predecessors = forward.groupby("to_code")["from_code"].transform("size")
    back = pd.DataFrame(
        {
            "from_code": forward["to_code"],
            "from_name": forward["to_name"],
            "to_code": forward["from_code"],
            "to_name": forward["from_name"],
            "share": forward["part_km2"] / part_sum,
            "share_basis": forward["part_basis"],
            "part_km2": forward["part_km2"],
            "part_basis": forward["part_basis"],
            "split": predecessors > 1,
            "estimate": True,
        }
    )
    return back.sort_values(["from_code", "to_code"]).reset_index(drop=True)
