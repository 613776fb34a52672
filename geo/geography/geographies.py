"""The geography a map shows: commune polygons, district outlines, their kind and vintage.

Three kinds exist. The embedded default is *schematic* (built offline from the official centres
and extents in ``vietnamadminunits``); a *file* geography comes from a boundary layer the user
loads; a *fetched* one from a public source downloaded with ``python -m geo boundaries fetch``
(:mod:`geo.geography.fetch`), with its licence and attribution. Every map says which one it shows.
:func:`available_geographies` lists what can be shown, :func:`load_geography` loads a choice.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import geopandas as gpd

from geo.collation import vietnamese_key
from geo.geography.admin_units import HOA_BINH, ProvinceCodes, all_province_codes, province_codes_of
from geo.geography.boundaries import area_km2, load_boundaries
from geo.geography.schematic import BOUNDARY_SOURCE, districts_from_communes, schematic_communes
from geo.i18n import Lang, t
from geo.schema import AREA_KM2, DISTRICT_CODE, DISTRICT_NAME, PROVINCE_NAME, VINTAGE_2020_2025

__all__ = [
    "SCHEMATIC_ATTRIBUTION",
    "WHOLE_COUNTRY_FROM",
    "Geography",
    "GeographyChoice",
    "area_label",
    "attribution_text",
    "available_geographies",
    "default_geography",
    "district_choices",
    "district_labels",
    "file_geography",
    "geography_label",
    "load_geography",
    "provinces_label",
    "source_text",
]

BoundaryKind = Literal["schematic", "file", "fetched"]
#: Attribution of the schematic default (its unit list and centres).
SCHEMATIC_ATTRIBUTION = "Unit list, centres and extents: vietnamadminunits (MIT)"
#: A layer with this many provinces or more is named "the whole country" (63 provinces from
#: 2008 to June 2025; a layer of the 34 provinces of July 2025 is named by its count).
WHOLE_COUNTRY_FROM = 60


@dataclass(frozen=True)
class Geography:
    """Communes and districts of one boundary vintage.

    Attributes
    ----------
    communes : geopandas.GeoDataFrame
        Normalised commune layer (EPSG:4326) with ``area_km2``.
    districts : geopandas.GeoDataFrame
        District outlines: the union of their communes.
    kind : {"schematic", "file", "fetched"}
        Schematic (offline default), loaded from a file, or fetched from a public source.
    vintage : str
        Boundary vintage, e.g. ``"2020-2025"``.
    source : str
        Where the geometry comes from (shown on the map).
    attribution : str
        Credit and licence the map must show ("" when none is known, e.g. a user's file).
    """

    communes: gpd.GeoDataFrame
    districts: gpd.GeoDataFrame
    kind: BoundaryKind
    vintage: str
    source: str
    attribution: str = ""


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
    communes = layer.communes
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
    """One geography the app can offer: the schematic default or a fetched layer.

    Attributes
    ----------
    key : str
        Stable id, e.g. ``"schematic:17"``, ``"schematic:17+25"``, ``"schematic:all"`` or
        ``"fetched:vietnam63_17"`` (a widget key).
    label : str
        Short English label; :func:`geography_label` gives it in Vietnamese or English.
    kind : {"schematic", "fetched"}
        How the polygons were made.
    vintage : str
        Boundary vintage, e.g. ``"2020-2025"`` or ``"2019"``.
    province_codes : tuple of str
        GSO codes of the provinces covered.
    province_name : str
        Name of the (first) province, e.g. ``"Tỉnh Hòa Bình"``.
    attribution : str
        Credit the map must show.
    source : str
        Source name (``"vietnam63 (Marc Choisy)"``, ``"schematic"``).
    licence : str
        Licence in short ("" for the schematic default, which is computed here).
    path : pathlib.Path or None
        The fetched layer's GeoParquet file.
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


def available_geographies(
    data_dir: str | os.PathLike[str] | None = None,
    *,
    province_codes: ProvinceCodes = HOA_BINH,
) -> list[GeographyChoice]:
    """The schematic default, then every fetched layer found in ``data_dir``.

    Parameters
    ----------
    data_dir : str or path-like, optional
        Folder of fetched layers; default :data:`geo.geography.fetch.DEFAULT_DATA_DIR`.
    province_codes : str or iterable of str
        Provinces of the schematic default: one or more two-digit GSO codes (default Hòa
        Bình), or ``"all"`` for the whole country.

    Examples
    --------
    >>> import tempfile
    >>> [(c.key, c.kind, c.vintage) for c in available_geographies(tempfile.mkdtemp())]
    [('schematic:17', 'schematic', '2020-2025')]
    >>> [c.key for c in available_geographies(tempfile.mkdtemp(), province_codes="all")]
    ['schematic:all']
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


def provinces_label(province_codes: ProvinceCodes, lang: Lang = "vi") -> str:
    """How a set of provinces is named: its names (up to three), a count, or the whole country.

    Parameters
    ----------
    province_codes : str or iterable of str
        Two-digit GSO codes, or ``"all"``.
    lang : {"vi", "en"}
        Language of the count and of "whole country".

    Examples
    --------
    >>> provinces_label("17"), provinces_label(("25", "17"))
    ('Tỉnh Hòa Bình', 'Tỉnh Hòa Bình, Tỉnh Phú Thọ')
    >>> provinces_label(("01", "17", "25", "26"), "en")
    '4 provinces (Thành phố Hà Nội…)'
    >>> provinces_label("all", "vi")
    'Toàn quốc (63 tỉnh, thành phố)'
    """
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

    Examples
    --------
    >>> frame = gpd.GeoDataFrame({"district_name": ["Huyện Châu Thành"] * 2,
    ...                           "province_name": ["Tỉnh Bến Tre", "Tỉnh Tiền Giang"]})
    >>> district_labels(frame)
    ['Huyện Châu Thành, Tỉnh Bến Tre', 'Huyện Châu Thành, Tỉnh Tiền Giang']
    """
    names = communes[DISTRICT_NAME].astype(str).tolist()
    if PROVINCE_NAME not in communes or communes[PROVINCE_NAME].nunique() <= 1:
        return names
    provinces = communes[PROVINCE_NAME].astype(str).tolist()
    return [f"{name}, {province}" for name, province in zip(names, provinces, strict=True)]


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
    files of other vintages have other province lists).

    Examples
    --------
    >>> area_label(gpd.GeoDataFrame({"province_name": ["Tỉnh Hòa Bình"] * 3}))
    'Tỉnh Hòa Bình'
    """
    if PROVINCE_NAME not in communes or not len(communes):
        return ""
    names = list(dict.fromkeys(communes[PROVINCE_NAME].dropna().astype(str)))
    if len(names) >= WHOLE_COUNTRY_FROM:
        return t("geography.whole_country_of", lang, n=len(names))
    if len(names) <= 3:
        return ", ".join(names)
    return t("geography.n_provinces", lang, n=len(names), first=names[0])


def geography_label(choice: GeographyChoice, lang: Lang = "vi") -> str:
    """The choice's label in ``lang``, for a select box.

    Examples
    --------
    >>> import tempfile
    >>> geography_label(available_geographies(tempfile.mkdtemp())[0], "en")
    'Tỉnh Hòa Bình – schematic, units of 2020-2025'
    >>> choice = available_geographies(tempfile.mkdtemp(), province_codes="all")[0]
    >>> geography_label(choice, "vi")
    'Toàn quốc (63 tỉnh, thành phố) – sơ đồ, đơn vị hành chính 2020-2025'
    """
    if choice.kind == "schematic":
        province = provinces_label(choice.province_codes, lang)
        return t("geography.schematic_label", lang, province=province, vintage=choice.vintage)
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
    """
    if choice.kind == "schematic":
        return default_geography(choice.province_codes)
    if choice.path is None:
        raise ValueError(f"choice {choice.key} has no layer file")
    from geo.geography.fetch import read_fetched

    communes, report = read_fetched(choice.path)
    if AREA_KM2 not in communes:
        communes = communes.assign(**{AREA_KM2: area_km2(communes)})
    return Geography(
        communes=communes,
        districts=districts_from_communes(communes),
        kind="fetched",
        vintage=str(report["vintage"]),
        source=f"{report['source_name']}, {report['pinned']}",
        attribution=str(report["attribution"]),
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
