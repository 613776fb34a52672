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
  - basis ``"resolution areas 2025"`` where ``data/splits_2025_hoabinh.toml`` (written from
    Resolution 1676/NQ-UBTVQH15 of 16 June 2025) holds a stated area for every part of the
    commune: the share is in proportion to those areas. Article 1 of the resolution names the
    parts (clauses 99/146, 116/118, 119/122) but states no area, so no Hòa Bình split has
    this basis yet; the file keeps the clauses, and the hamlets where a text names them;
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
* ``2019 → 2020-2025``: Hòa Bình only, from ``data/crosswalk_2019_2020_hoabinh.toml``, written
  for the atlas from Resolution 830/NQ-UBTVQH14 of 17 Dec 2019 (effective 1 Jan 2020): 210 units
  of 2019 (GSO codes of 1 Dec 2019) into 151. A unit that went whole has basis ``"whole"``; a
  split one whose parts' areas the resolution states is apportioned by them (basis
  ``"resolution areas"``); a split one whose areas were not found goes whole to one successor
  (basis ``"split, areas not found"``, the file's note says where the rest went). Another
  province is refused: no conversion table is known for it.
* ``2019 → 2025``: the two tables composed through 2020–2025 (shares multiply).

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

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

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
    "BASIS_RESOLUTION",
    "BASIS_RESOLUTION_2025",
    "BASIS_SCHEMATIC",
    "BASIS_SPLIT_UNKNOWN",
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

#: A split 2019 unit apportioned by the areas Resolution 830/NQ-UBTVQH14 states for its parts.
BASIS_RESOLUTION = "resolution areas"
#: A split 2019 unit whose parts' areas were not found: whole to one successor.
BASIS_SPLIT_UNKNOWN = "split, areas not found"
#: A split 2020–2025 commune apportioned by the areas a 2025 text states for its parts.
BASIS_RESOLUTION_2025 = "resolution areas 2025"

#: The 2019 → 2020–2025 table of Hòa Bình (GSO province code 17).
TABLE_2019_HOABINH = Path(__file__).parent / "data" / "crosswalk_2019_2020_hoabinh.toml"
#: Provinces with a 2019 → 2020–2025 table.
PROVINCES_2019: tuple[str, ...] = ("17",)
#: What Resolution 1676/NQ-UBTVQH15 states of Hòa Bình's 2020–2025 communes split in 2025.
TABLE_SPLITS_2025 = Path(__file__).parent / "data" / "splits_2025_hoabinh.toml"

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
        :data:`BASIS_POLYGONS`, :data:`BASIS_RESOLUTION_2025`, :data:`BASIS_REGISTRY`; from
        2019 also :data:`BASIS_RESOLUTION` and :data:`BASIS_SPLIT_UNKNOWN`; for an estimate
        the part basis),
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
        vintages with no table (2019 outside Hòa Bình, or back to 2019).

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
    provinces = province_codes_of(province_codes)
    missing_2019 = sorted(set(provinces) - set(PROVINCES_2019))
    refusal = (
        "crosswalk.same_vintage"
        if step == 0
        # Back to the 2019 units: no estimate either (the 2020 table has no areas of its wholes).
        else "crosswalk.no_source_2019"
        if to_vintage == VINTAGE_2019 or (from_vintage == VINTAGE_2019 and missing_2019)
        else "crosswalk.back_refused"
        if step < 0 and not estimate
        else None
    )
    if refusal is not None:
        message = t(
            refusal,
            lang,
            from_vintage=from_vintage,
            to_vintage=to_vintage,
            province=", ".join(missing_2019 or provinces),
        )
        raise CrosswalkError(source="crosswalk", message=message)
    source = "vietnamadminunits converter_2025" + (" + polygons" if polygons is not None else "")
    if from_vintage == VINTAGE_2019:
        return _from_2019(to_vintage, polygons, source)
    forward = _forward_2025(province_codes, polygons)
    if step > 0:
        return Crosswalk(VINTAGE_2020_2025, VINTAGE_2025, forward, source)
    return Crosswalk(VINTAGE_2025, VINTAGE_2020_2025, _backward(forward), f"estimate from {source}")


def _from_2019(
    to_vintage: str,
    polygons: tuple[gpd.GeoDataFrame, gpd.GeoDataFrame] | None,
    source_2025: str,
) -> Crosswalk:
    """2019 → 2020–2025 (Hòa Bình's table), or → 2025 composed through 2020–2025."""
    first = table_2019_hoabinh()
    source = f"Nghị quyết {_resolution()} (data/{TABLE_2019_HOABINH.name})"
    if to_vintage == VINTAGE_2020_2025:
        return Crosswalk(VINTAGE_2019, VINTAGE_2020_2025, first, source)
    second = _forward_2025("17", polygons)
    pairs = first.merge(second, left_on="to_code", right_on="from_code", suffixes=("", "_2025"))
    share = pairs["share"] * pairs["share_2025"]
    # A 2019 unit's part of a 2025 unit is known where the resolution gave its area, or where
    # it went whole and alone into a 2020–2025 unit (the same territory: that unit's part).
    # Units merged in 2020 stay unknown: the resolution's areas of them were not read.
    alone = pairs["to_code"].map(first.groupby("to_code")["from_code"].size()).eq(1)
    # A unit that took an unrecorded part of a split ("split, areas not found") is not alone.
    took_rest = {str(p["rest_to_code"]) for p in _load_2019()["pair"] if "rest_to_code" in p}
    same_territory = alone & (pairs["share"] >= 1.0) & ~pairs["to_code"].isin(took_rest)
    part = (pairs["part_km2"] * pairs["share_2025"]).where(~same_territory, pairs["part_km2_2025"])
    part_basis = pairs["part_basis"].where(~same_territory, pairs["part_basis_2025"])
    split_basis = pairs["share_basis"].where(pairs["share"] < 1.0, pairs["share_basis_2025"])
    table = pd.DataFrame(
        {
            "from_code": pairs["from_code"],
            "from_name": pairs["from_name"],
            "to_code": pairs["to_code_2025"],
            "to_name": pairs["to_name_2025"],
            "share": share,
            "share_basis": split_basis.where(share < 1.0, BASIS_WHOLE),
            "part_km2": part,
            "part_basis": part_basis,
            "estimate": False,
        }
    )
    # Two 2020–2025 units of one 2019 unit may meet again in one 2025 unit: one row per pair.
    table = table.groupby(["from_code", "to_code"], as_index=False, sort=True).agg(
        from_name=("from_name", "first"),
        to_name=("to_name", "first"),
        share=("share", "sum"),
        share_basis=("share_basis", "first"),
        part_km2=("part_km2", lambda values: values.sum(min_count=len(values))),
        part_basis=("part_basis", "first"),
        estimate=("estimate", "first"),
    )
    table.loc[table["share"] >= 1.0 - 1e-12, "share_basis"] = BASIS_WHOLE
    table["split"] = table.groupby("from_code")["to_code"].transform("size") > 1
    table = table.loc[:, list(CROSSWALK_COLUMNS)].reset_index(drop=True)
    return Crosswalk(VINTAGE_2019, VINTAGE_2025, table, f"{source} + {source_2025}")


def _resolution() -> str:
    return str(_load_2019()["source"]["resolution"])


def _load_2019() -> dict[str, object]:
    return _load_toml(TABLE_2019_HOABINH)


@lru_cache(maxsize=4)
def _load_toml(path: Path) -> dict[str, object]:
    with path.open("rb") as handle:
        return tomllib.load(handle)


def table_2019_hoabinh() -> pd.DataFrame:
    """The 2019 → 2020–2025 pairs of Hòa Bình (columns :data:`CROSSWALK_COLUMNS`).

    Examples
    --------
    >>> table = table_2019_hoabinh()
    >>> table["from_code"].nunique(), table["to_code"].nunique()
    (210, 151)
    >>> chammat = table[table["from_code"] == "04810"]  # Phường Chăm Mát, split in two
    >>> chammat["to_name"].tolist(), chammat["share"].round(3).tolist()
    (['Phường Dân Chủ', 'Phường Thống Nhất'], [0.406, 0.594])
    """
    pairs = pd.DataFrame(_load_2019()["pair"])
    area = pd.to_numeric(pairs.get("area_km2"), errors="coerce")
    apportioned = pairs["basis"] == BASIS_RESOLUTION
    area_sum = area.groupby(pairs["from_code"]).transform("sum")
    table = pd.DataFrame(
        {
            "from_code": pairs["from_code"].astype(str),
            "from_name": pairs["from_name"].astype(str),
            "to_code": pairs["to_code"].astype(str),
            "to_name": pairs["to_name"].astype(str),
            "share": (area / area_sum).where(apportioned, 1.0),
            "share_basis": pairs["basis"].astype(str),
            "part_km2": area.where(apportioned),
            "part_basis": pairs["basis"].where(apportioned, ""),
            "split": apportioned,
            "estimate": False,
        }
    )
    return table.sort_values(["from_code", "to_code"]).reset_index(drop=True)


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
    _apply_stated_areas(table, TABLE_SPLITS_2025)
    if polygons is not None:
        _measure_on_polygons(table, *polygons)
    return (
        table.sort_values(["from_code", "to_code"])
        .loc[:, list(CROSSWALK_COLUMNS)]
        .reset_index(drop=True)
    )


def _apply_stated_areas(table: pd.DataFrame, path: Path) -> None:
    """Shares and part areas of split communes from the areas a text states for their parts.

    A commune is apportioned this way only when the file gives an area for *every* pair the
    converter has for it (shares must sum to 1); otherwise its registry shares stay.
    """
    parts = pd.DataFrame(_load_toml(path).get("part", []))
    if parts.empty or "area_km2" not in parts:
        return
    stated = parts.loc[parts["area_km2"].notna(), ["from_code", "to_code", "area_km2"]]
    pairs = table[["from_code", "to_code"]].merge(stated, how="left", on=["from_code", "to_code"])
    area = pd.Series(pairs["area_km2"].to_numpy(float), index=table.index)
    complete = area.notna().groupby(table["from_code"]).transform("all") & table["split"]
    rows = table.index[complete]
    table.loc[rows, "share"] = area[rows] / area[rows].groupby(
        table.loc[rows, "from_code"]
    ).transform("sum")
    table.loc[rows, "share_basis"] = BASIS_RESOLUTION_2025
    table.loc[rows, "part_km2"] = area[rows]
    table.loc[rows, "part_basis"] = BASIS_RESOLUTION_2025


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
