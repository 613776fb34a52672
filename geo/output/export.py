"""The data behind a map, in the formats planners' tools read: GeoJSON, GeoPackage, Excel.

Every export carries what a reader needs to trust it: the period, the boundary kind and
vintage ("Đơn vị hành chính từ 1/7/2025 …"), where the boundaries come from, the demo-data
label where the figures are demo, and how figures of another vintage were converted.
GeoJSON holds them in a foreign member ``atlas``; the GeoPackage in a table ``notes``; Excel
workbooks in a sheet "Chú thích" / "Notes".

Figures converted from another vintage (:func:`geo.analysis.vintages.tables_for`, passed as
``vintage_tables``) keep their provenance in the data files: the columns
:data:`geo.analysis.conversion.PROVENANCE_COLUMNS` (and the composition of a derived level)
of the layer's family, with headers in the reader's language ("Xã cũ", "Quy tắc quy đổi"…).
A layer without districts (from 1 July 2025) names its groups for what they are: the former
district ("Khu vực huyện cũ", columns ``former_district_code``/``former_district_name``) or
the province, never "Huyện".

The map classes (``map_class``, ``map_color``) come from :func:`geo.web.maps.classify_layer`, so a
file opened in QGIS can be drawn exactly as the interactive map. Print-ready maps are in
:mod:`geo.output.printing`, the province brief in :mod:`geo.output.brief`.

Every ``layer_*`` and ``districts_xlsx`` function returns the file as bytes (what a Streamlit
download button takes) and also writes it when given ``out``.

Examples
--------
>>> from geo.geography.geographies import default_geography
>>> from geo.figures.indicators import load_demo
>>> from geo.analysis.metrics import commune_metrics
>>> geography = default_geography()
>>> metrics = commune_metrics(geography.communes, load_demo(), period=2019)
>>> view = MapView(layer="ntm", period=2019, demo=True)
>>> layer_xlsx(geography, metrics, view)[:2]
b'PK'
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import tempfile
import unicodedata
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal, NamedTuple

import geopandas as gpd
import pandas as pd
import pyogrio

from geo.analysis.conversion import COMPOSITION, PROVENANCE_COLUMNS, RULES
from geo.analysis.metrics import MODEL_FIELDS, district_summary, province_summary
from geo.analysis.vintages import VintageTables
from geo.figures.criteria import criteria_set_for, set_reference
from geo.figures.indicators import FAMILIES, LAND_STATUS_LABELS
from geo.geography.geographies import (
    Geography,
    attribution_text,
    boundary_kind_text,
    group_level,
    grouped_communes,
    source_text,
)
from geo.geography.units_2025 import FORMER_DISTRICT_CODE, FORMER_DISTRICT_NAME
from geo.i18n import DEFAULT_LANG, Lang, format_number, has_key, t
from geo.output.display import decimals_of, periods_text
from geo.schema import (
    AREA_KM2,
    COMMUNE_CODE,
    COMMUNE_NAME,
    COMMUNE_TYPE,
    DISTRICT_CODE,
    DISTRICT_NAME,
    PROVINCE_CODE,
    PROVINCE_NAME,
)
from geo.view import MapView
from geo.web.maps import LAYER_KEYS, Classification, classify_layer

__all__ = [
    "DATA_FORMATS",
    "LAYER_COLUMNS",
    "MIME_TYPES",
    "PROVINCE_FILES",
    "Note",
    "check_period_layer",
    "classes_text",
    "column_label",
    "criteria_set_text",
    "districts_xlsx",
    "estimate_text",
    "estimated_view",
    "export_layer",
    "export_notes",
    "file_name",
    "format_date",
    "group_columns",
    "joined_layer",
    "layer_frame",
    "layer_geojson",
    "layer_gpkg",
    "layer_xlsx",
    "note_lines",
    "period_layers",
    "provenance_rows",
    "rule_text",
    "vintage_text",
]

DataFormat = Literal["geojson", "gpkg", "xlsx"]
DATA_FORMATS: tuple[DataFormat, ...] = ("geojson", "gpkg", "xlsx")
#: MIME types, for download buttons.
MIME_TYPES = {
    "geojson": "application/geo+json",
    "gpkg": "application/geopackage+sqlite3",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "png": "image/png",
    "pdf": "application/pdf",
}

_IDENTITY = (COMMUNE_CODE, COMMUNE_NAME, COMMUNE_TYPE, DISTRICT_CODE, DISTRICT_NAME)
#: The figures each of the three main layers is drawn from, in the order they are exported.
LAYER_COLUMNS: dict[str, tuple[str, ...]] = {
    "models_density": (
        AREA_KM2,
        "population",
        *MODEL_FIELDS,
        "models_total",
        "models_replicated",
        "models_per_km2",
        "models_per_1000",
    ),
    "ntm": ("ntm_level", "ntm_year", "criteria_met"),
    "land": ("land_done_ha", "land_planned_ha", "land_pct_of_plan", "land_status"),
}


def period_layers() -> tuple[str, ...]:
    """Layers one period can draw: those of :mod:`geo.web.layers` when present, else the three.

    Change layers (two periods) are not exported: their table is another one.
    """
    try:
        from geo.web.layers import layers_for
    except ImportError:  # the layer registry is optional
        return LAYER_KEYS
    return tuple(spec.key for spec in layers_for("period"))


def check_period_layer(view: MapView) -> None:
    """Refuse a view whose layer one period cannot draw (see :func:`period_layers`).

    Examples
    --------
    >>> check_period_layer(MapView(layer="rainfall", period=2019))
    Traceback (most recent call last):
    ...
    ValueError: unknown layer 'rainfall'; expected one of ...
    """
    allowed = period_layers()
    if view.layer not in allowed:
        raise ValueError(f"unknown layer {view.layer!r}; expected one of {', '.join(allowed)}")


# --- notes: what every export says about itself ------------------------------------------------


class Note(NamedTuple):
    """One line of a notes sheet: what it is about, and what it says."""

    label: str
    text: str


def _nfc(text: object) -> str:
    # One spelling of every letter: files and fonts then agree on "ệ" whatever the source typed.
    return unicodedata.normalize("NFC", str(text))


def vintage_text(geography: Geography, lang: Lang) -> str:
    """The map's administrative units for a reader ("Đơn vị hành chính từ 1/7/2025 (tỉnh, xã;
    không còn cấp huyện)"); the layer's own ``vintage`` value when the atlas does not know it.

    Examples
    --------
    >>> from geo.geography.geographies import default_geography
    >>> vintage_text(default_geography(), "en")
    'Units of 1 Jan 2020 – 30 Jun 2025 (province, district, commune)'
    """
    info = geography.vintage_info
    return info.label(lang) if info is not None else str(geography.vintage)


#: Columns a layer without districts gets its groups in (see :func:`group_columns`).
_GROUP_COLUMNS = {
    "former_district": (FORMER_DISTRICT_CODE, FORMER_DISTRICT_NAME),
    "province": (PROVINCE_CODE, PROVINCE_NAME),
}


def group_columns(geography: Geography) -> dict[str, str]:
    """How the group columns of exported rows are renamed: none on a layer with districts; on a
    2025 layer ``district_code``/``district_name`` (which hold the group, see
    :func:`geo.geography.geographies.grouped_communes`) become the former district's or the
    province's columns, so that no file calls them districts.

    Examples
    --------
    >>> from geo.geography.geographies import default_geography, default_geography_2025
    >>> group_columns(default_geography()), group_columns(default_geography_2025())
    ({}, {'district_code': 'former_district_code', 'district_name': 'former_district_name'})
    """
    level = group_level(geography)
    if level not in _GROUP_COLUMNS:
        return {}
    code, name = _GROUP_COLUMNS[level]
    return {DISTRICT_CODE: code, DISTRICT_NAME: name}


def format_date(day: dt.date, lang: Lang) -> str:
    """``29/11/2025`` in Vietnamese, ``2025-11-29`` in English.

    Examples
    --------
    >>> format_date(dt.date(2025, 11, 29), "vi")
    '29/11/2025'
    """
    return day.strftime("%d/%m/%Y") if lang == "vi" else day.isoformat()


def classes_text(classification: Classification, view: MapView) -> str | None:
    """How amounts were classed ("Phân lớp: ngắt tự nhiên Fisher–Jenks, 5 lớp …"), from the
    view's scheme or manual breaks, in its language; ``None`` for categories (the NTM level),
    which have no classes to explain."""
    if not classification.bins:
        return None
    lang, breaks = view.lang, view.breaks
    if breaks:
        decimals = 0 if all(float(b).is_integer() for b in breaks) else 2
        values = "; ".join(format_number(b, lang, decimals=decimals) for b in breaks)
        scheme_text = f"{t('export.scheme.manual', lang)} ({values})"
    else:
        scheme_text = t(f"export.scheme.{view.scheme}", lang)
    return t("export.classes", lang, scheme=scheme_text, k=len(classification.bins))


def estimated_view(view: MapView, vintage_tables: VintageTables | None) -> MapView:
    """``view``, marked an estimate when ``vintage_tables`` estimate a period it shows (a file
    made by the command line, whose view does not say so itself): every file then says so.

    Examples
    --------
    >>> from geo.geography.geographies import default_geography
    >>> from geo.analysis.vintages import tables_for
    >>> from geo.figures.indicators import load_demo
    >>> keyed = tables_for(default_geography(), load_demo(), estimate=True)
    >>> estimated_view(MapView(layer="ntm", period=2026), keyed).estimate
    True
    >>> estimated_view(MapView(layer="ntm", period=2024), keyed).estimate
    False
    """
    if view.estimate or vintage_tables is None:
        return view
    return view.replace(estimate=vintage_tables.estimated_in(view.periods))


def estimate_text(view: MapView, vintage_tables: VintageTables | None = None) -> str | None:
    """The sentence every file of an estimated view carries ("Số liệu kỳ 2026 là ƯỚC TÍNH theo
    tỷ lệ diện tích …"), naming the estimated periods; ``None`` when the view is no estimate.

    Examples
    --------
    >>> estimate_text(MapView(layer="ntm", period=2026, estimate=True), None)[:31]
    'Số liệu kỳ 2026 là ƯỚC TÍNH the'
    >>> estimate_text(MapView(layer="ntm", period=2026)) is None
    True
    """
    view = estimated_view(view, vintage_tables)
    if not view.estimate:
        return None
    periods = list(view.periods)
    if vintage_tables is not None:
        periods = [p for p in view.periods if vintage_tables.estimated_in([p])] or periods
    return t("export.estimate_text", view.lang, periods=periods_text(periods))


def note_lines(
    geography: Geography,
    view: MapView,
    *,
    vintage_tables: VintageTables | None = None,
    created: dt.date | None = None,
) -> list[str]:
    """The notes a printed map or brief carries at its foot, one sentence each.

    Figures of ``view.period`` (demo or imported, after ``view.demo``; an estimate, after
    :func:`estimate_text`), boundary kind and vintage (:func:`vintage_text`), the schematic
    warning where the boundaries are schematic, how figures of another vintage were converted
    (the note of ``vintage_tables``), the attribution (or the file name) of the boundaries, the
    date; in ``view.lang``.

    Examples
    --------
    >>> from geo.geography.geographies import default_geography
    >>> view = MapView(layer="ntm", period=2019, demo=True, lang="vi")
    >>> lines = note_lines(default_geography(), view, created=dt.date(2025, 11, 29))
    >>> lines[2], lines[-1]
    ('Ranh giới sơ đồ, không chính thức', 'Lập ngày 29/11/2025 · Commune Atlas – Bản đồ xã')
    """
    created = created or dt.date.today()
    lang = view.lang
    figures = "export.figures_demo" if view.demo else "export.figures_store"
    estimate = estimate_text(view, vintage_tables)
    lines = [
        t(figures, lang, period=view.period) + (f" {estimate}" if estimate else ""),
        t(
            "export.units_note",
            lang,
            kind=boundary_kind_text(geography, lang),
            vintage=vintage_text(geography, lang),
            count=format_number(len(geography.communes), lang),
        ),
    ]
    if geography.kind == "schematic":
        lines.append(t("boundary.schematic_legend", lang))
    if vintage_tables is not None and vintage_tables.note:
        lines.append(vintage_tables.note)
    attribution, source = attribution_text(geography, lang), source_text(geography, lang)
    if attribution:
        lines.append(t("boundary.attribution", lang, attribution=attribution))
    elif source:
        lines.append(t("export.boundary_source", lang, source=source))
    lines.append(t("export.created", lang, date=format_date(created, lang)))
    return [_nfc(line) for line in lines]


def criteria_set_text(periods: Sequence[int], lang: Lang = DEFAULT_LANG) -> str:
    """Which NTM criteria set the figures of ``periods`` were measured against.

    One set: its name, decision and count; two periods of different sets: each period with its
    set (their NTM figures do not compare). ``""`` when no set holds any of the periods.

    Examples
    --------
    >>> criteria_set_text([2026], "en")
    '2026–2030 criteria set (51/2025/QĐ-TTg, 10 criteria)'
    >>> for part in criteria_set_text([2024, 2026]).split("; "):
    ...     print(part)
    2024: bộ tiêu chí 2021–2025 (318/QĐ-TTg, 19 tiêu chí)
    2026: bộ tiêu chí 2026–2030 (51/2025/QĐ-TTg, 10 tiêu chí)
    """
    sets = {int(period): criteria_set_for(int(period)) for period in periods}
    known = {period: found for period, found in sets.items() if found is not None}
    if not known:
        return ""
    if len(set(known.values())) == 1:
        return set_reference(next(iter(known.values())), lang)
    return "; ".join(
        f"{period}: {set_reference(found, lang)}" for period, found in sorted(known.items())
    )


def export_notes(
    geography: Geography,
    view: MapView,
    *,
    of_layer: bool = True,
    classes: str | None = None,
    vintage_tables: VintageTables | None = None,
    created: dt.date | None = None,
) -> list[Note]:
    """The notes sheet of an export: (label, text) rows in ``view.lang``.

    Period, layer and its classes (``classes``, from :func:`classes_text`), district (or former
    district), the origin of the figures (demo or imported), the NTM criteria set they were
    measured against (:func:`criteria_set_text`), boundary kind, vintage
    (:func:`vintage_text`), whether they are an estimate (:func:`estimate_text`), how figures
    of another vintage were converted (the note of ``vintage_tables``), source and attribution,
    and the date. ``of_layer=False`` leaves out the layer and the district: the file covers
    every layer and district (the district summary).

    Examples
    --------
    >>> from geo.geography.geographies import default_geography_2025
    >>> from geo.analysis.vintages import tables_for
    >>> from geo.figures.indicators import load_demo
    >>> geography = default_geography_2025()
    >>> keyed = tables_for(geography, load_demo())
    >>> view = MapView(layer="ntm", period=2019, district_code="148")
    >>> notes = dict(export_notes(geography, view, vintage_tables=keyed))
    >>> notes["Giai đoạn ranh giới"], notes["Khu vực huyện cũ (trước 1/7/2025)"]
    ('Đơn vị hành chính từ 1/7/2025 (tỉnh, xã; không còn cấp huyện)', 'Thành phố Hòa Bình (148)')
    >>> notes["Quy đổi số liệu"][:40]
    'Số liệu thuộc đơn vị hành chính 2020-202'
    """
    created = created or dt.date.today()
    lang, district_code = view.lang, view.district_code if of_layer else None
    notes = [Note(t("app.period", lang), str(view.period))]
    if of_layer:
        notes.append(Note(t("app.layer", lang), t(f"layer.{view.layer}", lang)))
    if classes:
        notes.append(Note(t("export.note_classes", lang), classes))
    if district_code:
        communes = grouped_communes(geography)  # a 2025 layer: the former districts
        names = communes.loc[communes[DISTRICT_CODE] == district_code, DISTRICT_NAME]
        name = str(names.iloc[0]) if len(names) else district_code
        label = t(f"app.area_group.{group_level(geography)}", lang)
        notes.append(Note(label, f"{name} ({district_code})"))
    figures = "export.figures_demo" if view.demo else "export.figures_store"
    # The schematic default says it in the words of every legend of the atlas.
    kind = (
        t("boundary.schematic_legend", lang)
        if geography.kind == "schematic"
        else boundary_kind_text(geography, lang)
    )
    notes.append(Note(t("export.note_figures", lang), t(figures, lang, period=view.period)))
    if estimate := estimate_text(view, vintage_tables):
        notes.append(Note(t("export.note_estimate", lang), estimate))
    if criteria := criteria_set_text(view.periods, lang):
        notes.append(Note(t("export.note_criteria_set", lang), criteria))
    notes += [
        Note(t("export.note_boundary_kind", lang), kind),
        Note(t("export.note_vintage", lang), vintage_text(geography, lang)),
    ]
    # Not on the map's own figures (2026 on 2025 units) unless something was left out.
    if (
        vintage_tables is not None
        and vintage_tables.note
        and (vintage_tables.converted_in(view.periods) or vintage_tables.refused)
    ):
        notes.append(Note(t("export.note_conversion", lang), vintage_tables.note))
    notes += [
        Note(t("export.note_boundary_source", lang), source_text(geography, lang)),
    ]
    if attribution := attribution_text(geography, lang):
        notes.append(Note(t("export.note_attribution", lang), attribution))
    notes.append(Note(t("export.note_created", lang), format_date(created, lang)))
    return [Note(label, _nfc(text)) for label, text in notes]


# --- the layer table ---------------------------------------------------------------------------


def joined_layer(
    geography: Geography, metrics: pd.DataFrame, view: MapView
) -> tuple[gpd.GeoDataFrame, Classification]:
    """Every commune joined with its figures and classified exactly as the interactive map.

    The join and the call of :func:`geo.web.maps.classify_layer` are those of
    :func:`geo.web.maps.build_map`, over the whole province (a district view keeps the province's
    classes, so colours compare). A layer one period cannot draw is refused
    (:func:`check_period_layer`).
    """
    check_period_layer(view)
    communes = geography.communes
    table = communes[[COMMUNE_CODE, "geometry"]].merge(
        metrics, on=COMMUNE_CODE, how="left", validate="one_to_one"
    )
    table = gpd.GeoDataFrame(table, geometry="geometry", crs=communes.crs)
    classification = classify_layer(
        table, view.layer, lang=view.lang, period=view.period, **view.classification
    )
    return table, classification


def _figure_columns(table: pd.DataFrame, layer: str) -> dict[str, pd.Series]:
    """The figures a layer is drawn from (the registry's value column for the other layers)."""
    if layer in LAYER_COLUMNS:
        return {column: table[column] for column in LAYER_COLUMNS[layer]}
    from geo.web.layers import LAYERS, layer_values

    spec = LAYERS[layer]
    columns = {AREA_KM2: table[AREA_KM2]} if spec.per_km2 else {}
    columns[spec.column] = table[spec.column]
    if spec.per_km2:
        columns[layer] = layer_values(table, spec)
    return columns


def _class_labels(classification: Classification) -> pd.Series:
    """The legend label of every row (legend colours are distinct, so colour → class)."""
    by_color = {entry.color: entry.label for entry in classification.legend}
    return classification.colors.map(by_color)


def _layer_family(layer: str) -> str:
    """The indicator family a layer's figures come from."""
    if layer in LAYER_COLUMNS:
        return "models" if layer == "models_density" else layer
    from geo.web.layers import LAYERS

    return LAYERS[layer].family


def provenance_rows(vintage_tables: VintageTables | None, view: MapView) -> pd.DataFrame | None:
    """Where the figures of the view's layer come from, one row per commune of the map: the
    provenance columns of the layer's family in ``view.period`` (:data:`PROVENANCE_COLUMNS`,
    and the composition of a derived level); ``None`` when nothing was converted.

    Examples
    --------
    >>> from geo.geography.geographies import default_geography_2025
    >>> from geo.analysis.vintages import tables_for
    >>> from geo.figures.indicators import load_demo
    >>> keyed = tables_for(default_geography_2025(), load_demo(), lang="en")
    >>> rows = provenance_rows(keyed, MapView(layer="models_density", period=2019))
    >>> len(rows), rows.set_index("commune_code").at["04828", "from_names"].count(";") + 1
    (46, 4)
    """
    if vintage_tables is None or not vintage_tables.converted_in([view.period]):
        return None  # e.g. 2026 on the 2025 units: the map's own figures, nothing converted
    table = vintage_tables.tables.get(_layer_family(view.layer))
    if table is None or "conversion_rule" not in table:
        return None
    columns = [c for c in (*PROVENANCE_COLUMNS, COMPOSITION) if c in table]
    rows = table.loc[table["period"] == view.period, [COMMUNE_CODE, *columns]]
    return rows.reset_index(drop=True)


#: Provenance columns of yes/no values (nullable: a commune without figures has none).
_FLAGS = ("derived", "estimate", "complete")


def _with_provenance(frame: pd.DataFrame, provenance: pd.DataFrame | None) -> pd.DataFrame:
    if provenance is None:
        return frame
    out = frame.merge(provenance, on=COMMUNE_CODE, how="left", validate="one_to_one")
    for column in _FLAGS:
        if column in out:
            out[column] = out[column].astype("boolean")
    return out


def _view_frame(
    geography: Geography,
    metrics: pd.DataFrame,
    view: MapView,
    vintage_tables: VintageTables | None = None,
) -> tuple[gpd.GeoDataFrame, Classification]:
    table, classification = joined_layer(geography, metrics, view)
    frame = pd.DataFrame({column: table[column] for column in _IDENTITY})
    frame["period"] = view.period
    frame["vintage"] = geography.vintage
    for column, values in _figure_columns(table, view.layer).items():
        if isinstance(values.dtype, pd.CategoricalDtype):
            values = values.astype("object").where(values.notna(), None)
        frame[column] = values
    frame["map_class"] = _class_labels(classification)
    frame["map_value"] = classification.labels
    frame["map_color"] = classification.colors
    frame = _with_provenance(frame, provenance_rows(vintage_tables, view))
    frame = gpd.GeoDataFrame(frame, geometry=table.geometry.values, crs=table.crs)
    if view.district_code:
        frame = frame[frame[DISTRICT_CODE] == view.district_code]
    for column in (COMMUNE_NAME, DISTRICT_NAME, "map_class", "map_value"):
        frame[column] = frame[column].map(lambda s: None if pd.isna(s) else _nfc(s))
    frame = frame.rename(columns=group_columns(geography))
    return frame.reset_index(drop=True).to_crs("EPSG:4326"), classification


def layer_frame(geography: Geography, metrics: pd.DataFrame, view: MapView) -> gpd.GeoDataFrame:
    """The current layer: commune polygons with their figures and map class, one row each.

    Parameters
    ----------
    geography : Geography
        The geography the map shows.
    metrics : pandas.DataFrame
        :func:`geo.analysis.metrics.commune_metrics` of ``view.period`` for
        ``geography.communes``.
    view : MapView
        What is shown. ``layer``: a layer one period draws (:func:`period_layers`); its figures
        are :data:`LAYER_COLUMNS` ``[layer]`` for the three main layers, the registry's value
        column for the others. ``period``: stored in a column. ``district_code``: keep only
        this district (classes stay those of the whole province, as on the map). ``lang``:
        language of ``map_class`` and ``map_value``. ``scheme``, ``k``, ``breaks``:
        classification, as in :func:`geo.web.maps.classify_layer`.

    Returns
    -------
    geopandas.GeoDataFrame
        EPSG:4326; identity columns, ``period``, ``vintage``, the layer's figures (codes such
        as ``ntm_level`` as plain text), ``map_class`` (legend label), ``map_value`` (the value
        as the tooltip shows it), ``map_color`` (hex fill) and ``geometry``.
    """
    return _view_frame(geography, metrics, view)[0]


#: Files of the whole province and of every layer: named by their period only.
PROVINCE_FILES = ("brief", "districts")


def file_name(kind: str, view: MapView, *, fmt: str) -> str:
    """A plain ASCII file name for a download: ``commune-atlas_<kind>[_<layer>]_<period>…``.

    The layer and the district name a file of one layer (``"map"``, ``"layer"``); the files of
    :data:`PROVINCE_FILES` cover the whole province and every layer, so they leave them out.

    Examples
    --------
    >>> view = MapView(layer="ntm", period=2019, district_code="152")
    >>> file_name("map", view, fmt="pdf")
    'commune-atlas_map_ntm_2019_district-152.pdf'
    >>> file_name("brief", view, fmt="pdf")
    'commune-atlas_brief_2019.pdf'
    """
    one_layer = kind not in PROVINCE_FILES
    parts = ["commune-atlas", kind, *([view.layer] if one_layer else []), str(view.period)]
    if one_layer and view.district_code:
        parts.append(f"district-{view.district_code}")
    return "_".join(parts) + f".{fmt}"


# --- writing -----------------------------------------------------------------------------------


def _finish(data: bytes, out: str | os.PathLike[str] | None) -> bytes:
    if out is not None:
        Path(out).write_bytes(data)
    return data


def _plain_records(frame: pd.DataFrame) -> pd.DataFrame:
    """Text and category columns as plain objects with ``None`` for missing values.

    Nullable integers (``Int64``) stay: OGR writes them as integer fields with nulls, which an
    object column of ints would turn into text.
    """
    out = frame.copy()
    for column in out.columns:
        series = out[column]
        textual = series.dtype == object or isinstance(
            series.dtype, pd.CategoricalDtype | pd.StringDtype
        )
        if column != "geometry" and textual:
            out[column] = series.astype("object").where(series.notna(), None)
    return out


def _prepared(
    geography: Geography,
    metrics: pd.DataFrame,
    view: MapView,
    *,
    vintage_tables: VintageTables | None,
    created: dt.date | None,
) -> tuple[gpd.GeoDataFrame, list[Note]]:
    frame, classification = _view_frame(geography, metrics, view, vintage_tables)
    classes = classes_text(classification, view)
    notes = export_notes(
        geography, view, classes=classes, vintage_tables=vintage_tables, created=created
    )
    return frame, notes


def _geojson(
    frame: gpd.GeoDataFrame, notes: list[Note], view: MapView, *, geography: Geography
) -> bytes:
    document = json.loads(_plain_records(frame).to_json(na="null", drop_id=True))
    document["name"] = f"{view.layer}_{view.period}"
    # A foreign member (RFC 7946 §6.1): GIS tools ignore it, a reader of the file sees it.
    document["atlas"] = {
        "period": view.period,
        "layer": view.layer,
        "district_code": view.district_code,
        "boundary_kind": geography.kind,
        "vintage": geography.vintage,
        "vintage_label": vintage_text(geography, view.lang),
        "group_level": group_level(geography),
        "boundary_source": source_text(geography, view.lang),
        "attribution": attribution_text(geography, view.lang),
        "demo": view.demo,
        "notes": [list(note) for note in notes],
    }
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _gpkg(
    frame: gpd.GeoDataFrame, notes: list[Note], view: MapView, *, geography: Geography
) -> bytes:
    districts = _group_outlines(frame, geography, view)
    notes_table = pd.DataFrame(notes, columns=["item", "text"])
    # OGR writes to a path; the bytes are read back from a private temporary folder.
    with tempfile.TemporaryDirectory(prefix="atlas-gpkg-") as folder:
        path = Path(folder) / "layer.gpkg"
        pyogrio.write_dataframe(
            _plain_records(frame), path, layer=f"{view.layer}_{view.period}", driver="GPKG"
        )
        outlines = "districts" if geography.has_districts else "groups"
        pyogrio.write_dataframe(districts, path, layer=outlines, driver="GPKG", append=True)
        pyogrio.write_dataframe(notes_table, path, layer="notes", driver="GPKG", append=True)
        return path.read_bytes()


def _group_outlines(
    frame: gpd.GeoDataFrame, geography: Geography, view: MapView
) -> gpd.GeoDataFrame:
    """The outlines of the districts in view or, on a layer without districts, of its groups
    (former districts or provinces) dissolved from the exported communes."""
    if geography.has_districts:
        districts = geography.districts.to_crs("EPSG:4326")
        if view.district_code:
            districts = districts[districts[DISTRICT_CODE] == view.district_code]
        return districts[[DISTRICT_CODE, DISTRICT_NAME, "geometry"]].reset_index(drop=True)
    code, name = (group_columns(geography) or {DISTRICT_CODE: "", DISTRICT_NAME: ""}).values()
    groups = frame[[code, name, "geometry"]].dissolve(by=[code, name], as_index=False)
    return groups.reset_index(drop=True)


def column_label(column: str, lang: Lang = DEFAULT_LANG) -> str:
    """The header of an exported column in ``lang`` (the column name when none is known).

    Examples
    --------
    >>> column_label("criteria_met", "vi"), column_label("land_pct_of_plan", "en")
    ('Số tiêu chí đạt', '% of plan')
    """
    schema = {spec.name: spec for family in FAMILIES.values() for spec in family.columns}
    if has_key(f"export.col.{column}"):
        return t(f"export.col.{column}", lang)
    if column in MODEL_FIELDS:  # "Mô hình: Kinh tế" stands alone as a header
        return schema[column].label(lang)
    named = {COMMUNE_NAME: "field.commune", DISTRICT_NAME: "field.district", "period": "app.period"}
    if column in named:
        return t(named[column], lang)
    if has_key(f"field.{column}"):
        return t(f"field.{column}", lang)
    if column.startswith("ntm_") and has_key(f"ntm.{column[4:]}"):
        return t(f"ntm.{column[4:]}", lang)
    if column in schema:
        spec = schema[column]
        unit = f" ({spec.unit(lang)})" if spec.unit and spec.unit.vi == "ha" else ""
        return spec.label(lang) + unit
    if has_key(f"layer.{column}"):
        return t(f"layer.{column}", lang)
    return column


#: Catalogue keys of the conversion rules (:data:`geo.analysis.conversion.RULES`, in order).
_RULE_KEYS = dict(
    zip(RULES, ("unchanged", "summed", "apportioned", "derived", "placed"), strict=True)
)


def rule_text(rule: str, lang: Lang) -> str:
    """A ``conversion_rule`` value in ``lang`` (a family with two kinds joins them with "+").

    Examples
    --------
    >>> rule_text("summed + derived: lowest level", "vi")
    'cộng các xã cũ + suy ra: cấp thấp nhất của các xã cũ'
    """
    parts = [
        t(f"conversion.rule.{_RULE_KEYS[p]}", lang) if p in _RULE_KEYS else p
        for p in rule.split(" + ")
    ]
    return " + ".join(parts)


def _readable(frame: pd.DataFrame, lang: Lang) -> pd.DataFrame:
    """Codes turned into words (NTM level, land status) and headers in ``lang``."""
    out = frame.drop(columns="geometry", errors="ignore").copy()
    if "ntm_level" in out:
        out["ntm_level"] = out["ntm_level"].map(
            lambda v: t(f"ntm.{v}", lang) if isinstance(v, str) else None
        )
    if "land_status" in out:
        out["land_status"] = out["land_status"].map(
            lambda v: LAND_STATUS_LABELS[v](lang) if isinstance(v, str) else None
        )
    if "conversion_rule" in out:
        out["conversion_rule"] = out["conversion_rule"].map(
            lambda v: rule_text(v, lang) if isinstance(v, str) else None
        )
    for column in _FLAGS:
        if column in out:
            out[column] = out[column].map(
                lambda v: None if pd.isna(v) else t("export.yes" if v else "export.no", lang)
            )
    out = _plain_records(out)
    return out.rename(columns={c: column_label(c, lang) for c in out.columns})


#: Columns of years and periods: written plainly (2019, not 2.019).
_YEAR_COLUMNS = frozenset({"period", "ntm_year", "year_recognised"})


def _number_format(column: str, values: pd.Series) -> str | None:
    """The Excel number format of a column of figures (``None`` for text): years plainly,
    counts as whole numbers (``172,000``), measures with their decimals
    (:func:`geo.output.display.decimals_of`; two for a fractional measure not listed)."""
    if column in _YEAR_COLUMNS:
        return "0"
    if not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        return None
    places = decimals_of(column)
    if places is None:
        known = pd.to_numeric(values, errors="coerce").dropna()
        places = 0 if (known % 1 == 0).all() else 2
    return "#,##0" if places == 0 else "#,##0." + "0" * places


def _number_formats(frame: pd.DataFrame, lang: Lang) -> dict[str, str]:
    """Header in ``lang`` → number format, for the figure columns of ``frame``."""
    formats = {}
    for column in frame.columns:
        number_format = _number_format(str(column), frame[column])
        if number_format:
            formats[column_label(str(column), lang)] = number_format
    return formats


def _workbook(
    sheets: Sequence[tuple[str, pd.DataFrame]],
    notes: Sequence[Note],
    *,
    lang: Lang,
    text_columns: Sequence[str] = (),
    number_formats: Mapping[str, str] | None = None,
) -> bytes:
    """An .xlsx with one sheet per frame (bold frozen header, sized columns) and a notes sheet.

    ``text_columns`` (headers) are text cells shown as text (GSO codes keep their leading
    zeros); ``number_formats`` gives the format of each figure column by header
    (:func:`_number_formats`).
    """
    number_formats = number_formats or {}
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    buffer = io.BytesIO()
    notes_frame = pd.DataFrame(
        list(notes), columns=[t("export.note_item", lang), t("export.note_text", lang)]
    )
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in [*sheets, (t("export.notes_sheet", lang), notes_frame)]:
            frame.to_excel(writer, sheet_name=name[:31], index=False)
            sheet = writer.sheets[name[:31]]
            sheet.freeze_panes = "A2"
            for cell in sheet[1]:
                cell.font = Font(bold=True)
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            for index, column in enumerate(frame.columns, start=1):
                rows = sheet.iter_rows(min_row=2, min_col=index, max_col=index)
                cells = [cell for (cell,) in rows]
                values = ["" if pd.isna(v) else str(v) for v in frame[column]]
                width = max([len(str(column)) // 2 + 2, *(len(v) + 2 for v in values)])
                sheet.column_dimensions[get_column_letter(index)].width = min(70, max(8, width))
                for cell in cells:
                    if cell.data_type == "f":
                        # openpyxl takes any text starting with "=" for a formula; a name
                        # imported from a planner's file must stay text ("CSV injection").
                        cell.data_type = "s"
                number_format = "@" if column in text_columns else number_formats.get(column)
                for cell in cells if number_format else ():
                    cell.number_format = number_format
    return buffer.getvalue()


def _xlsx(
    frame: gpd.GeoDataFrame, notes: list[Note], view: MapView, *, geography: Geography
) -> bytes:
    readable = _readable(frame, view.lang)
    group_code = group_columns(geography).get(DISTRICT_CODE, DISTRICT_CODE)
    codes = [column_label(c, view.lang) for c in (COMMUNE_CODE, group_code, "from_codes")]
    return _workbook(
        [(t("export.figures_sheet", view.lang), readable)],
        notes,
        lang=view.lang,
        text_columns=codes,
        number_formats=_number_formats(frame.drop(columns="geometry"), view.lang),
    )


_WRITERS = {"geojson": _geojson, "gpkg": _gpkg, "xlsx": _xlsx}


def export_layer(
    geography: Geography,
    metrics: pd.DataFrame,
    view: MapView,
    *,
    fmt: DataFormat,
    vintage_tables: VintageTables | None = None,
    created: dt.date | None = None,
    out: str | os.PathLike[str] | None = None,
) -> bytes:
    """The current layer joined with its figures, as GeoJSON, GeoPackage or Excel.

    Parameters
    ----------
    geography, metrics, view
        As for :func:`layer_frame`; the notes say the figures are demo data when ``view.demo``.
        On a layer without districts the group columns are the former district's
        (:func:`group_columns`).
    fmt : {"geojson", "gpkg", "xlsx"}
        ``geojson``: RFC 7946, EPSG:4326, UTF-8, notes in the foreign member ``atlas``.
        ``gpkg``: layers ``<layer>_<period>`` (communes), ``districts`` (outlines; ``groups``,
        the former districts, on a layer without districts) and the table ``notes``.
        ``xlsx``: sheet "Số liệu" / "Figures" (headers in ``lang``, GSO codes
        as text, no geometry) and the notes sheet.
    vintage_tables : VintageTables, optional
        The figures keyed to the geography's vintage
        (:func:`geo.analysis.vintages.tables_for`): converted figures keep their provenance
        (:func:`provenance_rows`) and the notes say how they were converted.
    created : datetime.date, optional
        Date in the notes (today by default).
    out : path, optional
        Also write the file here.

    Returns
    -------
    bytes
        The file.
    """
    if fmt not in _WRITERS:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(DATA_FORMATS)}")
    frame, notes = _prepared(
        geography, metrics, view, vintage_tables=vintage_tables, created=created
    )
    data = _WRITERS[fmt](frame, notes, view, geography=geography)
    return _finish(data, out)


def layer_geojson(
    geography: Geography, metrics: pd.DataFrame, view: MapView, **options: Any
) -> bytes:
    """:func:`export_layer` as GeoJSON (same keyword options)."""
    return export_layer(geography, metrics, view, fmt="geojson", **options)


def layer_gpkg(geography: Geography, metrics: pd.DataFrame, view: MapView, **options: Any) -> bytes:
    """:func:`export_layer` as GeoPackage (same keyword options)."""
    return export_layer(geography, metrics, view, fmt="gpkg", **options)


def layer_xlsx(geography: Geography, metrics: pd.DataFrame, view: MapView, **options: Any) -> bytes:
    """:func:`export_layer` as Excel (same keyword options)."""
    return export_layer(geography, metrics, view, fmt="xlsx", **options)


def districts_xlsx(
    geography: Geography,
    metrics: pd.DataFrame,
    view: MapView,
    *,
    vintage_tables: VintageTables | None = None,
    created: dt.date | None = None,
    out: str | os.PathLike[str] | None = None,
) -> bytes:
    """The district summary (:func:`geo.analysis.metrics.district_summary`) as Excel, province last.

    One row per district, then a "Toàn tỉnh" / "Whole province" row computed from the same
    communes (so the districts add up to it); sheet "Theo huyện" / "By district" and the
    notes sheet. On a layer without districts the rows are its groups: the former districts
    (sheet "Theo khu vực huyện cũ", header "Khu vực huyện cũ") or the provinces, and the last
    row the whole area. Of ``view``, only the period, language and demo flag matter: the table
    covers every district and layer. Other parameters as :func:`export_layer`.
    """
    lang = view.lang
    level = group_level(geography)
    summary = district_summary(metrics)
    total = pd.DataFrame([province_summary(metrics).reindex(summary.columns)])
    total[DISTRICT_CODE] = ""
    total[DISTRICT_NAME] = t("app.all_districts" if level == "district" else "app.whole_area", lang)
    table = pd.concat([summary, total], ignore_index=True)
    for column in table.columns:
        if column not in (DISTRICT_CODE, DISTRICT_NAME):
            table[column] = pd.to_numeric(table[column])
            if _number_format(column, table[column]) == "#,##0":
                table[column] = table[column].round().astype("Int64")  # counts: 172000, not .0
    notes = export_notes(
        geography, view, of_layer=False, vintage_tables=vintage_tables, created=created
    )
    table = table.rename(columns=group_columns(geography))
    readable = _plain_records(table)
    readable = readable.rename(columns={c: column_label(c, lang) for c in readable.columns})
    group_code = group_columns(geography).get(DISTRICT_CODE, DISTRICT_CODE)
    sheet = "export.districts_sheet" + ("" if level == "district" else f".{level}")
    data = _workbook(
        [(t(sheet, lang), readable)],
        notes,
        lang=lang,
        text_columns=[column_label(group_code, lang)],
        number_formats=_number_formats(table, lang),
    )
    return _finish(data, out)
