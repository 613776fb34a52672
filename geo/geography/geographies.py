"""The geography a map shows: commune polygons, district outlines, their kind and vintage.

Four kinds exist. The embedded default is *schematic* (built offline from the official centres
and extents in ``vietnamadminunits``); a *shipped* one is a real layer in the repository, built
by ``scripts/build_boundaries.py`` from a pinned, licensed source (the 2025 communes of Phú Thọ);
a *file* geography comes from a boundary layer the user loads; a *fetched* one from a public
source downloaded with ``python -m geo boundaries fetch`` (:mod:`geo.geography.fetch`), with its
licence and attribution. Every map says which one it shows. :func:`available_geographies` lists
what can be shown, :func:`load_geography` loads a choice.

Each geography has a :class:`Vintage`: the units of 2019 and of 2020 – June 2025 have districts
(province → district → commune); those from 1 July 2025 have none (province → commune). A
2025 layer keeps empty ``district_code``/``district_name`` columns, its ``districts`` are an
empty layer and :attr:`Geography.has_districts` is False; its communes carry instead the former
district their predecessors lay in (``former_district_code``, ``former_district_name``,
``former_districts``; see :func:`geo.geography.units_2025.former_districts_2025`), which the
reader may group by ("khu vực huyện cũ").
"""

from __future__ import annotations

import dataclasses
import json
import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal

import geopandas as gpd
import pandas as pd
import pyarrow.parquet as pq

from geo.collation import vietnamese_key
from geo.errors import BoundaryError
from geo.geography.admin_units import HOA_BINH, ProvinceCodes, all_province_codes, province_codes_of
from geo.geography.boundaries import area_km2, load_boundaries
from geo.geography.schematic import (
    BOUNDARY_SOURCE,
    districts_from_communes,
    schematic_communes,
    schematic_communes_2025,
)
from geo.geography.units_2025 import (
    FORMER_DISTRICT_CODE,
    FORMER_DISTRICT_COLUMNS,
    FORMER_DISTRICT_NAME,
    VINTAGE_2025,
    former_districts_2025,
    province_codes_2025,
    provinces_2025,
    successor_codes_2025,
)
from geo.i18n import Lang, t
from geo.schema import (
    AREA_KM2,
    COMMUNE_CODE,
    DISTRICT_CODE,
    DISTRICT_NAME,
    PROVINCE_CODE,
    PROVINCE_NAME,
    VINTAGE_2019,
    VINTAGE_2020_2025,
)

__all__ = [
    "ALL_2025",
    "DEFAULT_2025_KEY",
    "FORMER_HOA_BINH_2025_KEY",
    "PHU_THO_2025_KEY",
    "SCHEMATIC_ATTRIBUTION",
    "SHIPPED_DIR",
    "SHIPPED_PHU_THO_2025",
    "VINTAGES",
    "WHOLE_COUNTRY_FROM",
    "Geography",
    "GeographyChoice",
    "GroupLevel",
    "Level",
    "Vintage",
    "area_label",
    "attribution_text",
    "available_geographies",
    "boundary_kind_text",
    "default_geography",
    "default_geography_2025",
    "district_choices",
    "district_labels",
    "file_geography",
    "geography_area_label",
    "geography_label",
    "group_level",
    "grouped_communes",
    "level_label",
    "load_geography",
    "provinces_label",
    "schematic_2025_choice",
    "schematic_geography_2025",
    "shipped_choices",
    "shipped_geography",
    "source_text",
    "vintage_of",
    "with_former_districts",
]

BoundaryKind = Literal["schematic", "shipped", "file", "fetched"]
#: A level of the administrative tree, from the top.
Level = Literal["country", "province", "district", "commune"]
#: What a layer's communes are grouped by for the area box, summaries and ranks: districts
#: (2019, 2020–2025), the former district of a 2025 commune (one 2025 province) or the
#: province (several 2025 provinces).
GroupLevel = Literal["district", "former_district", "province"]
#: Attribution of the schematic default (its unit list and centres).
SCHEMATIC_ATTRIBUTION = "Unit list, centres and extents: vietnamadminunits (MIT)"
#: A layer with this many provinces or more is named "the whole country" (63 provinces from
#: 2008 to June 2025; a layer of the 34 provinces of July 2025 is named by its count).
WHOLE_COUNTRY_FROM = 60

#: Where the shipped real layers live (``data/boundaries`` at the repository root).
SHIPPED_DIR = Path(__file__).resolve().parents[2] / "data" / "boundaries"
#: The shipped 2025 communes of Phú Thọ (148, built by ``scripts/build_boundaries.py``).
SHIPPED_PHU_THO_2025 = SHIPPED_DIR / "phutho_communes_2025_vnpdb.parquet"
#: Key of the shipped 2025 layer of all Phú Thọ.
PHU_THO_2025_KEY = "shipped:phutho-2025"
#: Key of its 46 communes of the former Hòa Bình (the intended first view).
FORMER_HOA_BINH_2025_KEY = "shipped:phutho-2025:former-17"
#: The geography the atlas will open on once the app is wired to the 2025 units.
DEFAULT_2025_KEY = FORMER_HOA_BINH_2025_KEY


# --- vintages ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Vintage:
    """A set of administrative units valid over a period, and the levels it has.

    Attributes
    ----------
    key : str
        ``"2019"``, ``"2020-2025"`` or ``"2025"`` (the ``vintage`` column of a layer).
    valid_from, valid_to : datetime.date or None
        First and last day of validity (``None``: open, or not stated by the sources).
    levels : tuple of str
        Administrative levels from the top: ``("province", "district", "commune")`` or, from
        1 July 2025, ``("province", "commune")``.

    Examples
    --------
    >>> VINTAGES["2025"].has_districts, VINTAGES["2025"].levels
    (False, ('province', 'commune'))
    >>> VINTAGES["2020-2025"].label("en")
    'Units of 1 Jan 2020 – 30 Jun 2025 (province, district, commune)'
    """

    key: str
    valid_from: date | None
    valid_to: date | None
    levels: tuple[Level, ...]

    @property
    def has_districts(self) -> bool:
        """Whether the vintage has a district level."""
        return "district" in self.levels

    def label(self, lang: Lang = "vi") -> str:
        """What the vintage is, for a reader: its dates and levels."""
        return t(f"vintage.{self.key}", lang)


#: The vintages the atlas knows, by key.
VINTAGES: dict[str, Vintage] = {
    VINTAGE_2019: Vintage(
        VINTAGE_2019, None, date(2019, 12, 31), ("province", "district", "commune")
    ),
    VINTAGE_2020_2025: Vintage(
        VINTAGE_2020_2025, date(2020, 1, 1), date(2025, 6, 30), ("province", "district", "commune")
    ),
    VINTAGE_2025: Vintage(VINTAGE_2025, date(2025, 7, 1), None, ("province", "commune")),
}


def vintage_of(key: str) -> Vintage | None:
    """The :class:`Vintage` of a layer's ``vintage`` value; ``None`` for another (``"unknown"``,
    ``"2008-2019"``…), whose levels only the layer's own columns tell.

    Examples
    --------
    >>> vintage_of("2025").valid_from, vintage_of("unknown")
    (datetime.date(2025, 7, 1), None)
    """
    return VINTAGES.get(str(key))


def level_label(level: Level, lang: Lang = "vi") -> str:
    """The name of an administrative level (``"district"`` → ``"Huyện"``).

    Examples
    --------
    >>> level_label("commune"), level_label("district", "en")
    ('Xã', 'District')
    """
    return t(f"level.{level}", lang)


@dataclass(frozen=True)
class Geography:
    """Communes and districts of one boundary vintage.

    Attributes
    ----------
    communes : geopandas.GeoDataFrame
        Normalised commune layer (EPSG:4326) with ``area_km2``.
    districts : geopandas.GeoDataFrame
        District outlines: the union of their communes.
    kind : {"schematic", "shipped", "file", "fetched"}
        Schematic (offline default), shipped real layer, loaded from a file, or fetched from a
        public source.
    vintage : str
        Boundary vintage, e.g. ``"2020-2025"`` (see :attr:`vintage_info`).
    source : str
        Where the geometry comes from (shown on the map).
    attribution : str
        Credit and licence the map must show ("" when none is known, e.g. a user's file).
    former_province_codes : tuple of str
        The 2020–2025 provinces whose successors the layer was cut to (the former Hòa Bình of
        a 2025 layer of Phú Thọ); empty for a whole layer. Names the area
        (:func:`geography_area_label`).
    """

    communes: gpd.GeoDataFrame
    districts: gpd.GeoDataFrame
    kind: BoundaryKind
    vintage: str
    source: str
    attribution: str = ""
    former_province_codes: tuple[str, ...] = ()

    @property
    def vintage_info(self) -> Vintage | None:
        """The :class:`Vintage` of :attr:`vintage` (``None`` when it is not one the atlas knows)."""
        return vintage_of(self.vintage)

    @property
    def has_districts(self) -> bool:
        """Whether the layer has districts to choose (never from 1 July 2025).

        A district box, district summary or district outline has nothing to show without.
        """
        return len(self.districts) > 0

    @property
    def area_levels(self) -> tuple[Level, ...]:
        """The levels a reader drills down through, from the top: ``"country"`` first when
        the layer spans several provinces, ``"district"`` only when :attr:`has_districts`.

        Examples
        --------
        >>> default_geography().area_levels
        ('province', 'district', 'commune')
        """
        levels: list[Level] = []
        if PROVINCE_CODE in self.communes and self.communes[PROVINCE_CODE].nunique() > 1:
            levels.append("country")
        levels.append("province")
        if self.has_districts:
            levels.append("district")
        return (*levels, "commune")


def default_geography(
    province_codes: ProvinceCodes = HOA_BINH, *, cache_dir: Path | None = None
) -> Geography:
    """The embedded offline geography: schematic communes of vintage 2020 – June 2025.

    ``province_codes`` are one or more two-digit GSO codes, or ``"all"`` for the whole country
    (see :func:`geo.geography.schematic.schematic_communes`).

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
        source=communes.attrs.get("boundary_source", BOUNDARY_SOURCE),
        attribution=SCHEMATIC_ATTRIBUTION,
    )


def file_geography(path: str | Path, *, vintage: str | None = None) -> Geography:
    """A geography from a boundary file the user supplies (see ``load_boundaries``).

    Features without a commune code are kept under a provisional code (``no-code:<feature
    number>``, :func:`geo.geography.boundaries.provisional_code`): they are drawn, as "no data", and
    listed among the layer's problems; no figure joins to them.
    """
    layer = load_boundaries(path, vintage=vintage)
    communes = (
        with_former_districts(layer.communes) if layer.vintage == VINTAGE_2025 else layer.communes
    )
    return Geography(
        communes=communes,
        districts=districts_from_communes(communes),
        kind="file",
        vintage=str(layer.vintage),
        source=Path(path).name,
    )


# --- choosing a geography ----------------------------------------------------------------------


@dataclass(frozen=True)
class GeographyChoice:
    """One geography the app can offer: a schematic, a shipped or a fetched layer.

    Attributes
    ----------
    key : str
        Stable id, e.g. ``"schematic:17"``, ``"schematic:17+25"``, ``"schematic:all"``,
        ``"schematic2025:25"``, ``"shipped:phutho-2025:former-17"`` or
        ``"fetched:vietnam63_17"`` (a widget key).
    label : str
        Short English label; :func:`geography_label` gives it in Vietnamese or English.
    kind : {"schematic", "shipped", "fetched"}
        How the polygons were made.
    vintage : str
        Boundary vintage, e.g. ``"2020-2025"``, ``"2019"`` or ``"2025"``.
    province_codes : tuple of str
        GSO codes of the provinces covered (2025 codes for a 2025 layer).
    province_name : str
        Name of the (first) province, e.g. ``"Tỉnh Hòa Bình"``.
    attribution : str
        Credit the map must show.
    source : str
        Source name (``"vietnam63 (Marc Choisy)"``, ``"schematic"``).
    licence : str
        Licence in short ("" for a schematic, which is computed here).
    path : pathlib.Path or None
        The fetched or shipped layer's GeoParquet file.
    former_province_codes : tuple of str
        Only the 2025 communes that took in (part of) a commune of these 2020–2025 provinces
        (``("17",)``: the former Hòa Bình); empty for the whole layer.
    """

    key: str
    label: str
    kind: BoundaryKind
    vintage: str
    province_codes: tuple[str, ...]
    province_name: str
    attribution: str
    source: str
    licence: str = ""
    path: Path | None = None
    former_province_codes: tuple[str, ...] = ()


def available_geographies(
    data_dir: str | os.PathLike[str] | None = None,
    *,
    province_codes: ProvinceCodes = HOA_BINH,
) -> list[GeographyChoice]:
    """What can be shown: today's default first, then the 2025 layers, then fetched layers.

    In order: the schematic of 2020–2025 (the app's default, first); the shipped real 2025
    layers of Phú Thọ (its former Hòa Bình, then all of it) when the provinces took part in
    today's Phú Thọ; the 2025 schematic of the 2025 province(s) the provinces joined; every
    fetched layer found in ``data_dir``.

    Parameters
    ----------
    data_dir : str or path-like, optional
        Folder of fetched layers; default :data:`geo.geography.fetch.DEFAULT_DATA_DIR`.
    province_codes : str or iterable of str
        Provinces of the schematic default: one or more two-digit GSO codes of 2020–2025
        (default Hòa Bình), or ``"all"`` for the whole country.

    Examples
    --------
    >>> import tempfile
    >>> [(c.key, c.kind, c.vintage) for c in available_geographies(tempfile.mkdtemp())]
    ... # doctest: +NORMALIZE_WHITESPACE
    [('schematic:17', 'schematic', '2020-2025'),
     ('shipped:phutho-2025:former-17', 'shipped', '2025'),
     ('shipped:phutho-2025', 'shipped', '2025'),
     ('schematic2025:25', 'schematic', '2025')]
    >>> [c.key for c in available_geographies(tempfile.mkdtemp(), province_codes="01")]
    ['schematic:01', 'schematic2025:01']
    """
    from geo.geography.fetch import fetched_layers, provinces  # the fetch machinery only when asked

    codes = province_codes_of(province_codes)
    names = provinces()
    first = names.get(codes[0], codes[0])
    whole = codes == all_province_codes()
    choices = [
        GeographyChoice(
            key="schematic:all" if whole else f"schematic:{'+'.join(codes)}",
            label=f"{provinces_label(codes, 'en')}: schematic, units of {VINTAGE_2020_2025}",
            kind="schematic",
            vintage=VINTAGE_2020_2025,
            province_codes=codes,
            province_name=first,
            attribution=SCHEMATIC_ATTRIBUTION,
            source="schematic",
        )
    ]
    codes_2025 = province_codes_2025(ALL_2025 if whole else codes)
    if "25" in codes_2025 and SHIPPED_PHU_THO_2025.is_file():
        choices += shipped_choices()
    choices.append(schematic_2025_choice(codes_2025))
    for layer in fetched_layers(data_dir):
        choices.append(
            GeographyChoice(
                key=f"fetched:{layer.path.stem}",
                label=f"{layer.province_name}: {layer.source_name}, boundaries of {layer.vintage}",
                kind="fetched",
                vintage=layer.vintage,
                province_codes=(layer.province_code,),
                province_name=layer.province_name,
                attribution=layer.attribution,
                source=layer.source_name,
                licence=layer.licence,
                path=layer.path,
            )
        )
    return choices


#: Stands for the 34 provinces of 2025 where province codes are asked for.
ALL_2025 = "all"


def schematic_2025_choice(province_codes: ProvinceCodes) -> GeographyChoice:
    """The 2025 schematic of one or more 2025 provinces (or ``"all"``), for a province that
    has no real 2025 layer offline.

    Examples
    --------
    >>> choice = schematic_2025_choice("17")
    >>> choice.key, choice.province_codes, choice.label
    ('schematic2025:25', ('25',), 'Tỉnh Phú Thọ: schematic, units of 2025')
    """
    codes = province_codes_2025(province_codes)
    whole = len(codes) == len(provinces_2025())
    return GeographyChoice(
        key="schematic2025:all" if whole else f"schematic2025:{'+'.join(codes)}",
        label=f"{provinces_label(codes, 'en', vintage=VINTAGE_2025)}: schematic, units of 2025",
        kind="schematic",
        vintage=VINTAGE_2025,
        province_codes=codes,
        province_name=provinces_2025()[codes[0]],
        attribution=SCHEMATIC_ATTRIBUTION,
        source="schematic",
    )


def shipped_choices(path: Path = SHIPPED_PHU_THO_2025) -> list[GeographyChoice]:
    """The shipped real 2025 layer of Phú Thọ: its former Hòa Bình (46 communes), then all 148.

    Attribution and licence come from the layer's own metadata (written by
    ``scripts/build_boundaries.py``).

    Raises
    ------
    geo.errors.BoundaryError
        The file is missing or has no metadata of the build script.

    Examples
    --------
    >>> [(c.key, c.licence) for c in shipped_choices()]
    [('shipped:phutho-2025:former-17', 'MIT'), ('shipped:phutho-2025', 'MIT')]
    >>> shipped_choices()[0].attribution.startswith("Ranh giới xã 2025: thanglequoc")
    True
    """
    meta = _shipped_metadata(path)
    province = provinces_2025()[str(meta["province_code"])]
    common = {
        "kind": "shipped",
        "vintage": str(meta["vintage"]),
        "province_codes": (str(meta["province_code"]),),
        "province_name": province,
        "attribution": str(meta["attribution"]),
        "source": str(meta["source_name"]),
        "licence": str(meta["licence"]),
        "path": path,
    }
    return [
        GeographyChoice(
            key=FORMER_HOA_BINH_2025_KEY,
            label=f"Former Tỉnh Hòa Bình, now {province}: real boundaries of 2025",
            former_province_codes=(HOA_BINH,),
            **common,
        ),
        GeographyChoice(
            key=PHU_THO_2025_KEY, label=f"{province}: real boundaries of 2025", **common
        ),
    ]


def _shipped_metadata(path: Path) -> dict:
    """The build script's metadata of a shipped layer (key ``atlas`` of the Parquet schema)."""
    try:
        return json.loads(pq.read_schema(path).metadata[b"atlas"])
    except (OSError, KeyError, TypeError, ValueError) as exc:
        raise BoundaryError(
            path.name,
            f"cannot read the shipped layer's metadata ({exc}); rebuild it with "
            "python scripts/build_boundaries.py",
        ) from exc


def provinces_label(
    province_codes: ProvinceCodes, lang: Lang = "vi", *, vintage: str = VINTAGE_2020_2025
) -> str:
    """How a set of provinces is named: its names (up to three), a count, or the whole country.

    Parameters
    ----------
    province_codes : str or iterable of str
        Two-digit GSO codes, or ``"all"``.
    lang : {"vi", "en"}
        Language of the count and of "whole country".
    vintage : str
        Whose province list the codes are of: 2020–2025 (63 provinces) or ``"2025"`` (34;
        some codes name another province then: ``"15"`` is Yên Bái, then Lào Cai).

    Examples
    --------
    >>> provinces_label("17"), provinces_label(("25", "17"))
    ('Tỉnh Hòa Bình', 'Tỉnh Hòa Bình, Tỉnh Phú Thọ')
    >>> provinces_label(("01", "17", "25", "26"), "en")
    '4 provinces (Thành phố Hà Nội…)'
    >>> provinces_label("all", "vi")
    'Toàn quốc (63 tỉnh, thành phố)'
    >>> provinces_label("15", vintage="2025"), provinces_label("all", "en", vintage="2025")
    ('Tỉnh Lào Cai', 'Whole country (34 provinces)')
    """
    if vintage == VINTAGE_2025:
        codes = province_codes_2025(province_codes)
        if len(codes) == len(provinces_2025()):
            return t("geography.whole_country_of", lang, n=len(codes))
        names = [provinces_2025()[code] for code in codes]
    else:
        from geo.geography.fetch import provinces

        codes = province_codes_of(province_codes)
        if codes == all_province_codes():
            return t("geography.whole_country", lang)
        names = [provinces().get(code, code) for code in codes]
    if len(names) <= 3:
        return ", ".join(names)
    return t("geography.n_provinces", lang, n=len(names), first=names[0])


def district_labels(communes: gpd.GeoDataFrame) -> list[str]:
    """Each commune's district as readers should see it: its name, with the province when the
    layer spans several provinces, where names repeat (there is a Huyện Châu Thành in six).

    A commune without a district (every commune from 1 July 2025, or a file without the
    column) gets ``""``.

    Examples
    --------
    >>> frame = gpd.GeoDataFrame({"district_name": ["Huyện Châu Thành"] * 2,
    ...                           "province_name": ["Tỉnh Bến Tre", "Tỉnh Tiền Giang"]})
    >>> district_labels(frame)
    ['Huyện Châu Thành, Tỉnh Bến Tre', 'Huyện Châu Thành, Tỉnh Tiền Giang']
    >>> district_labels(gpd.GeoDataFrame({"district_name": [None], "province_name": ["Tỉnh X"]}))
    ['']
    """
    if DISTRICT_NAME not in communes:
        return [""] * len(communes)
    names = [_text(name) for name in communes[DISTRICT_NAME]]
    if PROVINCE_NAME not in communes or communes[PROVINCE_NAME].nunique() <= 1:
        return names
    provinces = [_text(name) for name in communes[PROVINCE_NAME]]
    return [
        f"{name}, {province}" if name else ""
        for name, province in zip(names, provinces, strict=True)
    ]


def _text(value: object) -> str:
    """A text cell as text: ``""`` for a missing one (None, NaN, pandas NA)."""
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def district_choices(communes: gpd.GeoDataFrame) -> dict[str, str]:
    """District code → label (:func:`district_labels`), in Vietnamese alphabetical order of
    the labels (:func:`geo.collation.vietnamese_key`: Đà Bắc right after Cao Phong), for lists
    a reader picks from.

    Examples
    --------
    >>> frame = gpd.GeoDataFrame({"district_code": ["159", "150", "148"],
    ...     "district_name": ["Huyện Yên Thủy", "Huyện Đà Bắc", "Huyện Cao Phong"]})
    >>> list(district_choices(frame).values())
    ['Huyện Cao Phong', 'Huyện Đà Bắc', 'Huyện Yên Thủy']
    """
    labels = dict(zip(communes[DISTRICT_CODE].astype(str), district_labels(communes), strict=True))
    return dict(sorted(labels.items(), key=lambda item: vietnamese_key(item[1])))


def area_label(communes: gpd.GeoDataFrame, lang: Lang = "vi") -> str:
    """What a layer covers, from its own province names: one or a few provinces by name, a
    count, or the whole country (at least :data:`WHOLE_COUNTRY_FROM` provinces; boundary
    files of other vintages have other province lists). Districts play no part, so a 2025
    layer is named the same way.

    Examples
    --------
    >>> area_label(gpd.GeoDataFrame({"province_name": ["Tỉnh Hòa Bình"] * 3}))
    'Tỉnh Hòa Bình'
    """
    if PROVINCE_NAME not in communes or not len(communes):
        return ""
    # pd.unique keeps the order of first appearance and is vectorised (every page run asks).
    names = [str(name) for name in pd.unique(communes[PROVINCE_NAME].dropna().astype(str))]
    if len(names) >= WHOLE_COUNTRY_FROM:
        return t("geography.whole_country_of", lang, n=len(names))
    if len(names) <= 3:
        return ", ".join(names)
    return t("geography.n_provinces", lang, n=len(names), first=names[0])


#: Words that name the kind of a province-level unit, before its proper name.
_PROVINCE_PREFIXES = ("Tỉnh ", "Thành phố ")


def _province_in_text(name: str, lang: Lang) -> str:
    """A province's name inside a sentence: "tỉnh Phú Thọ" in Vietnamese, "Phú Thọ" in English."""
    if lang == "vi":
        return name[:1].lower() + name[1:]
    return next((name[len(p) :] for p in _PROVINCE_PREFIXES if name.startswith(p)), name)


def geography_area_label(geography: Geography, lang: Lang = "vi") -> str:
    """What the map covers, for titles and subtitles: :func:`area_label`, except for a layer cut
    to the successors of former provinces, which is named after them ("Hòa Bình cũ (nay thuộc
    tỉnh Phú Thọ)"), not after the whole province it is now part of.

    Examples
    --------
    >>> geography = default_geography_2025()
    >>> geography_area_label(geography), geography_area_label(geography, "en")
    ('Hòa Bình cũ (nay thuộc tỉnh Phú Thọ)', 'former Hòa Bình (now part of Phú Thọ)')
    >>> geography_area_label(default_geography())
    'Tỉnh Hòa Bình'
    """
    area = area_label(geography.communes, lang)
    if not geography.former_province_codes or PROVINCE_NAME not in geography.communes:
        return area
    former = provinces_label(geography.former_province_codes, lang)
    short = ", ".join(_province_in_text(name, "en") for name in former.split(", "))
    return t("geography.former_area", lang, former=short, province=_province_in_text(area, lang))


def boundary_kind_text(geography: Geography, lang: Lang = "vi") -> str:
    """What the boundaries are, for legends and notes: schematic, real and shipped with the
    atlas (with their source), real and downloaded (with their source), or a user's file.

    Examples
    --------
    >>> print(boundary_kind_text(default_geography_2025(), "en"))
    real, shipped with the atlas (source: vietnamese-provinces-database (Thắng Lê Quốc))
    >>> boundary_kind_text(default_geography())
    'sơ đồ (không phải ranh giới chính thức)'
    """
    if geography.kind == "schematic":
        return t("boundary.schematic", lang)
    if geography.kind == "file":
        return t("boundary.official", lang)
    # The source's name, without the pinned commit the notes give in full.
    source = source_text(geography, lang).split(", ")[0]
    return t(f"boundary.kind_{geography.kind}", lang, source=source)


def geography_label(choice: GeographyChoice, lang: Lang = "vi") -> str:
    """The choice's label in ``lang``, for a select box.

    Examples
    --------
    >>> import tempfile
    >>> choices = available_geographies(tempfile.mkdtemp())
    >>> geography_label(choices[0], "en")
    'Tỉnh Hòa Bình – schematic, units of 2020-2025'
    >>> print(geography_label(choices[1], "vi").split(" (vietnamese")[0])
    Tỉnh Hòa Bình cũ (nay thuộc Tỉnh Phú Thọ) – ranh giới thật 2025
    >>> geography_label(choices[3], "en")
    'Tỉnh Phú Thọ – schematic, units of 2025'
    >>> choice = available_geographies(tempfile.mkdtemp(), province_codes="all")[0]
    >>> geography_label(choice, "vi")
    'Toàn quốc (63 tỉnh, thành phố) – sơ đồ, đơn vị hành chính 2020-2025'
    """
    if choice.kind == "schematic":
        province = provinces_label(choice.province_codes, lang, vintage=choice.vintage)
        return t("geography.schematic_label", lang, province=province, vintage=choice.vintage)
    if choice.kind == "shipped":
        province = choice.province_name
        if choice.former_province_codes:
            former = provinces_label(choice.former_province_codes, lang)
            province = t("geography.former_province", lang, former=former, province=province)
        return t(
            "geography.shipped_label",
            lang,
            province=province,
            source=choice.source,
            vintage=choice.vintage,
        )
    return t(
        "geography.fetched_label",
        lang,
        province=choice.province_name,
        source=choice.source,
        vintage=choice.vintage,
    )


def load_geography(choice: GeographyChoice) -> Geography:
    """The geography of a choice from :func:`available_geographies`.

    Raises
    ------
    geo.errors.FetchError
        The fetched layer is missing or damaged (the message says to fetch it again).
    geo.errors.BoundaryError
        The shipped layer is missing or damaged.
    """
    if choice.kind == "schematic" and choice.vintage == VINTAGE_2025:
        return schematic_geography_2025(choice.province_codes)
    if choice.kind == "schematic":
        return default_geography(choice.province_codes)
    if choice.path is None:
        raise ValueError(f"choice {choice.key} has no layer file")
    if choice.kind == "shipped":
        return shipped_geography(choice.path, former_province_codes=choice.former_province_codes)
    from geo.geography.fetch import read_fetched

    communes, report = read_fetched(choice.path)
    if AREA_KM2 not in communes:
        communes = communes.assign(**{AREA_KM2: area_km2(communes)})
    return _real_geography(communes, "fetched", report)


def _real_geography(communes: gpd.GeoDataFrame, kind: BoundaryKind, meta: dict) -> Geography:
    """A geography of real polygons from a layer and its metadata (sidecar or Parquet key):
    ``vintage``, ``source_name``, ``pinned``, ``attribution``. A 2025 layer gets its former
    districts (:func:`with_former_districts`)."""
    if str(meta["vintage"]) == VINTAGE_2025:
        communes = with_former_districts(communes)
    return Geography(
        communes=communes,
        districts=districts_from_communes(communes),
        kind=kind,
        vintage=str(meta["vintage"]),
        source=f"{meta['source_name']}, {meta['pinned']}",
        attribution=str(meta["attribution"]),
    )


#: Texts the atlas itself writes in ``Geography.attribution`` and ``.source`` (in English, for
#: files and logs) → the catalogue key of their translation for readers.
_CATALOGUED = {
    SCHEMATIC_ATTRIBUTION: "boundary.schematic_attribution",
    BOUNDARY_SOURCE: "boundary.schematic_source",
}


def attribution_text(geography: Geography | GeographyChoice, lang: Lang = "vi") -> str:
    """The credit a map must show, in ``lang`` where the atlas wrote it.

    The schematic default's credit comes from the catalogues; any other is the one its source
    gives (``geography.attribution``, "" for a user's file).

    Examples
    --------
    >>> attribution_text(default_geography(), "vi")
    'danh sách đơn vị hành chính, tâm và phạm vi chính thức của xã từ gói vietnamadminunits (MIT)'
    """
    key = _CATALOGUED.get(geography.attribution)
    return t(key, lang) if key else geography.attribution


def source_text(geography: Geography | GeographyChoice, lang: Lang = "vi") -> str:
    """Where the geometry comes from: in ``lang`` for the schematic default, else the source's
    name (or the file name) as given.

    Examples
    --------
    >>> source_text(default_geography(), "en")[:40]
    'Schematic cells built from the official '
    """
    key = _CATALOGUED.get(geography.source)
    return t(key, lang) if key else geography.source


def shipped_geography(
    path: Path = SHIPPED_PHU_THO_2025, *, former_province_codes: tuple[str, ...] = ()
) -> Geography:
    """A shipped real layer, whole or only the 2025 communes of former provinces.

    Parameters
    ----------
    path : pathlib.Path
        The GeoParquet file (default: the 2025 communes of Phú Thọ).
    former_province_codes : tuple of str
        Keep only the 2025 communes that took in (part of) a commune of these 2020–2025
        provinces (:func:`geo.geography.units_2025.successor_codes_2025`); empty: all.

    Raises
    ------
    geo.errors.BoundaryError
        The file is missing or damaged.

    Examples
    --------
    >>> geography = shipped_geography(former_province_codes=("17",))
    >>> len(geography.communes), geography.kind, geography.has_districts
    (46, 'shipped', False)
    """
    meta = _shipped_metadata(path)
    try:
        communes = gpd.read_parquet(path)
    except Exception as exc:  # OSError and Parquet errors alike: the file is damaged
        raise BoundaryError(
            path.name,
            f"cannot read the shipped layer ({exc}); rebuild it with "
            "python scripts/build_boundaries.py",
        ) from exc
    if former_province_codes:
        keep = communes[COMMUNE_CODE].isin(successor_codes_2025(former_province_codes))
        communes = communes.loc[keep].reset_index(drop=True)
    geography = _real_geography(communes, "shipped", meta)
    return dataclasses.replace(geography, former_province_codes=tuple(former_province_codes))


def schematic_geography_2025(
    province_codes: ProvinceCodes = "25", *, cache_dir: Path | None = None
) -> Geography:
    """The 2025 schematic of one or more 2025 provinces (see
    :func:`geo.geography.schematic.schematic_communes_2025`), for a province without a real
    2025 layer offline.

    Examples
    --------
    >>> geography = schematic_geography_2025("25")
    >>> len(geography.communes), geography.kind, geography.area_levels
    (148, 'schematic', ('province', 'commune'))
    """
    communes = schematic_communes_2025(province_codes, cache_dir=cache_dir)
    communes = with_former_districts(communes.assign(**{AREA_KM2: area_km2(communes)}))
    return Geography(
        communes=communes,
        districts=districts_from_communes(communes),
        kind="schematic",
        vintage=VINTAGE_2025,
        source=str(communes.attrs.get("boundary_source", "")),
        attribution=SCHEMATIC_ATTRIBUTION,
    )


def default_geography_2025() -> Geography:
    """The intended first view once the app is wired to 2025: the former Hòa Bình (46
    communes) on the shipped real 2025 boundaries (:data:`DEFAULT_2025_KEY`).

    The app still opens on :func:`default_geography`.

    Examples
    --------
    >>> geography = default_geography_2025()
    >>> len(geography.communes), geography.vintage, geography.attribution[:18]
    (46, '2025', 'Ranh giới xã 2025:')
    """
    choice = next(c for c in shipped_choices() if c.key == DEFAULT_2025_KEY)
    return load_geography(choice)


def with_former_districts(communes: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """A 2025 layer with each commune's former district (:data:`FORMER_DISTRICT_COLUMNS`).

    The grouping "khu vực huyện cũ" of :func:`geo.geography.units_2025.former_districts_2025`:
    a commune drawn from several former districts goes with the one that gave it the most and
    lists all in ``former_districts``. Codes the registry does not know get empty values.

    Examples
    --------
    >>> frame = gpd.GeoDataFrame({"commune_code": ["05266", "99999"], "province_code": "25"})
    >>> with_former_districts(frame)["former_district_name"].tolist()
    ['Huyện Lạc Sơn', None]
    """
    kept = communes.drop(columns=[c for c in FORMER_DISTRICT_COLUMNS if c in communes])
    codes = kept[PROVINCE_CODE].dropna().astype(str).unique() if PROVINCE_CODE in kept else []
    known = tuple(code for code in codes if code in provinces_2025())
    if known:
        table = former_districts_2025(known)
    else:
        table = pd.DataFrame(columns=[COMMUNE_CODE, *FORMER_DISTRICT_COLUMNS], dtype=object)
    table = table.set_index(COMMUNE_CODE)
    out = kept.copy()
    for column in FORMER_DISTRICT_COLUMNS:
        values = out[COMMUNE_CODE].map(table[column]).astype(object)
        out[column] = values.where(values.notna(), None)
    geometry = out.active_geometry_name if isinstance(out, gpd.GeoDataFrame) else None
    if geometry is not None:  # keep the geometry column last
        out = out[[c for c in out.columns if c != geometry] + [geometry]]
    out.attrs.update(communes.attrs)
    return out


def group_level(geography: Geography) -> GroupLevel:
    """What the layer's communes are grouped by (:data:`GroupLevel`).

    A layer with districts: the district. Without (from 1 July 2025): the province when the
    layer spans several, else the former district ("khu vực huyện cũ") when the communes carry
    it, else the province.

    Examples
    --------
    >>> group_level(default_geography()), group_level(default_geography_2025())
    ('district', 'former_district')
    """
    if geography.has_districts:
        return "district"
    communes = geography.communes
    several = PROVINCE_CODE in communes and communes[PROVINCE_CODE].nunique() > 1
    if (
        not several
        and FORMER_DISTRICT_CODE in communes
        and communes[FORMER_DISTRICT_CODE].notna().any()
    ):
        return "former_district"
    return "province"


def grouped_communes(geography: Geography) -> gpd.GeoDataFrame:
    """The communes with ``district_code`` and ``district_name`` holding their group
    (:func:`group_level`), so that summaries, filters and the drill-down work on every vintage.

    On a layer with districts the communes are returned as they are. On a 2025 layer the two
    columns get the former district (or the province); readers see them labelled by
    :func:`group_level`, never as a district of today.

    Examples
    --------
    >>> grouped = grouped_communes(default_geography_2025())
    >>> grouped["district_name"].nunique(), int(grouped["district_code"].isna().sum())
    (10, 0)
    """
    communes = geography.communes
    level = group_level(geography)
    if level == "district":
        return communes
    code, name = (
        (FORMER_DISTRICT_CODE, FORMER_DISTRICT_NAME)
        if level == "former_district"
        else (PROVINCE_CODE, PROVINCE_NAME)
    )
    out = communes.copy()
    out[DISTRICT_CODE] = communes[code].astype(object).where(communes[code].notna(), "")
    out[DISTRICT_NAME] = communes[name].astype(object).where(communes[name].notna(), "")
    return out
