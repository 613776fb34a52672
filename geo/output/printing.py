"""Maps for the meeting room: a print-ready map of the current view and a province brief.

Drawn with matplotlib and geopandas, offline (no basemap tiles). A map is a PNG (300 dpi) or a
vector PDF on A4 or A3, portrait or landscape, with title, subtitle (period, indicator), the
legend of the interactive map (:func:`geo.web.maps.classify_layer`: same classes, colours, labels
and counts), a scale bar and north arrow computed in a metric CRS (UTM), district outlines and
labels, optional commune labels, and at its foot the notes a reader needs: demo data, boundary
kind and vintage ("Ranh giới sơ đồ, không chính thức" for the schematic default), attribution,
date. The province brief (:mod:`geo.output.brief`) is built from the same pieces.

Text is DejaVu Sans, shipped with matplotlib, which has every Vietnamese letter (precomposed
and combining); PDFs embed it as TrueType (``pdf.fonttype = 42``) so a reader without the font
sees the same letters and can search and copy them. Strings are NFC-normalised before drawing.

Every function returns the file as bytes (for a download button) and writes it when given
``out``.

Examples
--------
>>> from geo.geography.geographies import default_geography
>>> from geo.figures.indicators import load_demo
>>> from geo.analysis.metrics import commune_metrics
>>> geography = default_geography()
>>> metrics = commune_metrics(geography.communes, load_demo(), period=2019)
>>> pdf = map_pdf(geography, metrics, MapView(layer="ntm", period=2019, demo=True))
>>> pdf[:5]
b'%PDF-'
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import math
import os
import re
import threading
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import geopandas as gpd
import matplotlib
import pandas as pd
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ft2font import FT2Font
from matplotlib.legend import Legend
from matplotlib.patches import Patch, Polygon, Rectangle
from matplotlib.transforms import Affine2D, ScaledTranslation
from pyproj import CRS, Transformer

from geo.analysis.vintages import VintageTables
from geo.geography.geographies import Geography, geography_area_label
from geo.i18n import Lang, format_number, t
from geo.output.export import classes_text, estimated_view, joined_layer, note_lines
from geo.schema import COMMUNE_NAME, DISTRICT_CODE, DISTRICT_NAME, METRIC_CRS
from geo.view import MapView
from geo.web.maps import Classification

__all__ = [
    "PAPERS_MM",
    "ImageFormat",
    "MapSheet",
    "Orientation",
    "PaperName",
    "PrintedMap",
    "map_figure",
    "map_pdf",
    "map_png",
    "paper_size_mm",
    "render_map",
]

PaperName = Literal["a4", "a3"]
Orientation = Literal["portrait", "landscape"]
ImageFormat = Literal["png", "pdf"]
#: ISO 216 paper sizes in millimetres, portrait.
PAPERS_MM: dict[str, tuple[float, float]] = {"a4": (210.0, 297.0), "a3": (297.0, 420.0)}
FONT_FAMILY = "DejaVu Sans"
#: matplotlib settings of every print: embedded TrueType, one font with Vietnamese, no mathtext
#: (a "$" in a name must stay a dollar sign).
RC_PRINT: Mapping[str, object] = {
    "pdf.fonttype": 42,
    "ps.fonttype": 42,
    "font.family": "sans-serif",
    "font.sans-serif": [FONT_FAMILY],
    "text.parse_math": False,
    "text.usetex": False,
    "axes.unicode_minus": False,
}
_MM_PER_PT = 25.4 / 72
#: Height of DejaVu Sans capitals with Vietnamese accents above the baseline, in ems.
_ASCENT = 0.95
_INK = "#222222"
_GREY = "#555555"
#: Foot of the north arrow from the map frame's top right corner, in points (× sheet scale).
_NORTH_RIGHT, _NORTH_TOP = 16.0, 34.0
#: rcParams are process-wide: concurrent sessions print one at a time.
_LOCK = threading.RLock()


def _nfc(text: object) -> str:
    # Data may arrive decomposed (e + combining marks); precomposed letters render best.
    return unicodedata.normalize("NFC", str(text))


def paper_size_mm(paper: PaperName, orientation: Orientation) -> tuple[float, float]:
    """Width and height of a sheet in millimetres.

    Examples
    --------
    >>> paper_size_mm("a4", "landscape")
    (297.0, 210.0)
    """
    if paper not in PAPERS_MM:
        raise ValueError(f"unknown paper {paper!r}; expected one of {', '.join(PAPERS_MM)}")
    if orientation not in ("portrait", "landscape"):
        raise ValueError(f"unknown orientation {orientation!r}")
    width, height = PAPERS_MM[paper]
    return (height, width) if orientation == "landscape" else (width, height)


@contextmanager
def _print_settings() -> Iterator[None]:
    with _LOCK, matplotlib.rc_context(dict(RC_PRINT)):
        yield


@functools.cache
def _font(bold: bool) -> FT2Font:
    from matplotlib import font_manager

    properties = font_manager.FontProperties(
        family=FONT_FAMILY, weight="bold" if bold else "normal"
    )
    return FT2Font(font_manager.findfont(properties, fallback_to_default=False))


@functools.lru_cache(maxsize=4096)
def _text_width_mm(text: str, size: float, *, bold: bool = False) -> float:
    """Width of ``text`` set in DejaVu Sans at ``size`` points (to wrap and fit columns)."""
    font = _font(bold)
    font.set_size(size, 72)
    font.set_text(_nfc(text), 0.0)
    return font.get_width_height()[0] / 64 * _MM_PER_PT


#: Where a line may break: ordinary spaces only. A no-break space (U+00A0) keeps names such
#: as "WGS 84" on one line; ``str.split()`` would break there too.
_BREAKS = re.compile(r"[ \t\n]+")
_NO_BREAK_SPACE = "\u00a0"


def _wrap(text: str, width_mm: float, size: float, *, bold: bool = False) -> list[str]:
    """Greedy word wrap to ``width_mm``, measured with the font word by word (not guessed).

    Examples
    --------
    >>> _wrap("hệ tọa độ WGS 84 / UTM múi 48N", 20, 7)  # an ordinary space may break
    ['hệ tọa độ WGS', '84 / UTM múi', '48N']
    >>> _wrap("hệ tọa độ WGS\u00a084 / UTM múi 48N", 20, 7)  # a no-break space may not
    ['hệ tọa độ', 'WGS\xa084 / UTM', 'múi 48N']
    """
    space = _text_width_mm("a a", size, bold=bold) - _text_width_mm("aa", size, bold=bold)
    lines: list[str] = []
    current: list[str] = []
    used = 0.0
    for word in (w for w in _BREAKS.split(_nfc(text)) if w):
        width = _text_width_mm(word, size, bold=bold)
        if current and used + space + width > width_mm:
            lines.append(" ".join(current))
            current, used = [], 0.0
        used += (space if current else 0.0) + width
        current.append(word)
    if current:
        lines.append(" ".join(current))
    return lines or [""]


def _fit(text: str, width_mm: float, size: float, *, bold: bool = False) -> str:
    """``text`` cut with an ellipsis so it fits ``width_mm``."""
    text = _nfc(text)
    if _text_width_mm(text, size, bold=bold) <= width_mm:
        return text
    while text and _text_width_mm(text + "…", size, bold=bold) > width_mm:
        text = text[:-1]
    return text.rstrip() + "…"


def _line_mm(size: float) -> float:
    return size * 1.32 * _MM_PER_PT


class MapSheet:
    """A sheet of paper as a matplotlib figure, laid out in millimetres from the top left.

    Parameters
    ----------
    width_mm, height_mm : float
        Sheet size.
    dpi : int
        Resolution of raster output.
    pixel_exact : bool
        Round the sheet to whole pixels at ``dpi`` (A4 at 300 dpi is 2480 × 3508 px); for PNG.
    """

    def __init__(
        self, width_mm: float, height_mm: float, *, dpi: int = 300, pixel_exact: bool = False
    ) -> None:
        if pixel_exact:
            # matplotlib truncates the canvas to whole pixels; aim a quarter pixel above.
            size = [(round(mm / 25.4 * dpi) + 0.25) / dpi for mm in (width_mm, height_mm)]
        else:
            size = [width_mm / 25.4, height_mm / 25.4]
        self.figure = Figure(figsize=size, dpi=dpi)
        self.width = width_mm
        self.height = height_mm
        #: Type and line sizes grow with the sheet, gently (A3 text is ~1.2× A4 text).
        self.scale = math.sqrt(min(width_mm, height_mm) / 210.0)

    def rect(self, x: float, top: float, width: float, height: float) -> list[float]:
        """A box in figure fractions from millimetres (``top`` measured from the top edge)."""
        return [
            x / self.width,
            1 - (top + height) / self.height,
            width / self.width,
            height / self.height,
        ]

    def axes(self, x: float, top: float, width: float, height: float) -> Axes:
        """An empty axes over the box."""
        return self.figure.add_axes(self.rect(x, top, width, height))

    def text(
        self,
        x: float,
        top: float,
        text: str,
        *,
        size: float,
        bold: bool = False,
        color: str = _INK,
        ha: str = "left",
        **options: object,
    ) -> None:
        """Write one line whose top is ``top`` mm below the top edge; size in points (×scale)."""
        # Placed by its baseline, one ascent below ``top``: "top" alignment would follow each
        # line's own ink, and lines with stacked accents (Ở, Ễ) would sit lower than others.
        baseline = top + _ASCENT * size * self.scale * _MM_PER_PT
        self.figure.text(
            x / self.width,
            1 - baseline / self.height,
            _nfc(text),
            fontsize=size * self.scale,
            fontweight="bold" if bold else "normal",
            color=color,
            ha=ha,
            va="baseline",
            **options,
        )

    def paragraph(
        self,
        x: float,
        top: float,
        lines: Sequence[str],
        *,
        width: float,
        size: float,
        color: str = _INK,
        bold: bool = False,
    ) -> float:
        """Write wrapped lines; return the top of the next line (mm)."""
        step = _line_mm(size * self.scale)
        for line in lines:
            for part in _wrap(line, width, size * self.scale, bold=bold):
                self.text(x, top, part, size=size, color=color, bold=bold)
                top += step
        return top

    def paragraph_height(self, lines: Sequence[str], *, width: float, size: float) -> float:
        """Height (mm) :meth:`paragraph` would take."""
        count = sum(len(_wrap(line, width, size * self.scale)) for line in lines)
        return count * _line_mm(size * self.scale)

    def badge(self, x: float, top: float, text: str, *, size: float) -> None:
        """The demo-data badge, right-aligned at ``x``."""
        self.text(
            x,
            top,
            text,
            size=size,
            bold=True,
            color="#7a3e00",
            ha="right",
            bbox={"boxstyle": "round,pad=0.35", "fc": "#fff3cd", "ec": "#d39e00", "lw": 0.8},
        )


# --- the map body ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _MapData:
    communes: gpd.GeoDataFrame  # shown communes, metric CRS, with a "fill" column
    districts: gpd.GeoDataFrame  # shown district outlines, metric CRS
    classification: Classification
    crs: CRS
    place: str  # province, or "district, province"


def _metric_crs(communes: gpd.GeoDataFrame) -> CRS:
    """The UTM zone of the layer: metres on the ground, so the scale bar is true."""
    try:
        return communes.to_crs("EPSG:4326").estimate_utm_crs()
    except (RuntimeError, ValueError):  # pragma: no cover - pyproj without its database
        return CRS.from_user_input(METRIC_CRS)


def _map_data(geography: Geography, metrics: pd.DataFrame, view: MapView) -> _MapData:
    table, classification = joined_layer(geography, metrics, view)
    district_code = view.district_code
    table = table.assign(fill=classification.colors.to_numpy())
    districts = geography.districts
    # The former Hòa Bình on the 2025 units is named so, not after all of Phú Thọ.
    province = geography_area_label(geography, view.lang) if len(table) else ""
    place = province
    if district_code:
        table = table[table[DISTRICT_CODE] == district_code]
        districts = districts[districts[DISTRICT_CODE] == district_code]
        if not len(table):
            raise ValueError(f"no commune of district {district_code!r} in this geography")
        place = f"{table[DISTRICT_NAME].iloc[0]}, {province}"
    crs = _metric_crs(geography.communes)
    return _MapData(
        communes=table.to_crs(crs),
        districts=districts.to_crs(crs),
        classification=classification,
        crs=crs,
        place=_nfc(place),
    )


def _short_district(name: str) -> str:
    """ "Huyện Mai Châu" → "MAI CHÂU", "Thành phố Hòa Bình" → "TP. HÒA BÌNH" (map labels)."""
    name = _nfc(name)  # a decomposed "Huyện" would not match the prefix
    for prefix, short in (("Thành phố ", "TP. "), ("Thị xã ", "TX. "), ("Huyện ", "")):
        if name.startswith(prefix):
            return short + name[len(prefix) :].upper()
    return name.upper()


def _short_commune(name: str) -> str:
    name = _nfc(name)
    for prefix, short in (("Xã ", ""), ("Phường ", "P. "), ("Thị trấn ", "TT. ")):
        if name.startswith(prefix):
            return short + name[len(prefix) :]
    return name


def _nice_length(target_m: float) -> float:
    """The longest 1, 2 or 5 × 10ⁿ metres not above ``target_m``."""
    exponent = math.floor(math.log10(max(target_m, 1.0)))
    best = 10.0**exponent
    for step in (1, 2, 5, 10):
        if step * 10.0**exponent <= target_m:
            best = step * 10.0**exponent
    return best


def _fit_limits(
    bounds: Sequence[float], box_mm: tuple[float, float], pad: float = 0.03
) -> tuple[float, float, float, float]:
    """Limits around ``bounds`` with the box's aspect ratio (equal metres in x and y)."""
    minx, miny, maxx, maxy = bounds
    dx, dy = max(maxx - minx, 1.0), max(maxy - miny, 1.0)
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    dx, dy = dx * (1 + 2 * pad), dy * (1 + 2 * pad)
    aspect = box_mm[0] / box_mm[1]
    if dx / dy > aspect:
        dy = dx / aspect
    else:
        dx = dy * aspect
    return cx - dx / 2, cx + dx / 2, cy - dy / 2, cy + dy / 2


def _label(ax: Axes, x: float, y: float, text: str, *, halo: float, **options: Any) -> None:
    """A label with a white halo that stays real text in the PDF (searchable, copyable).

    A path effect on the text itself would turn it into outlines; the halo is drawn by a
    stroke-only copy underneath instead.
    """
    zorder = float(options.pop("zorder", 3))
    halo_effect = [patheffects.Stroke(linewidth=halo, foreground="white")]
    ax.annotate(text, (x, y), path_effects=halo_effect, zorder=zorder, **options)
    ax.annotate(text, (x, y), zorder=zorder + 0.01, **options)


def _scale_bar(
    ax: Axes, limits: tuple[float, float, float, float], *, m_per_mm: float, s: float, lang: Lang
) -> float:
    """A 4-segment scale bar at the lower left, in ground metres; returns its length (m)."""
    xmin, xmax, ymin, _ymax = limits
    length = _nice_length((xmax - xmin) * 0.22)
    x0 = xmin + 6 * s * m_per_mm
    y0 = ymin + 6 * s * m_per_mm
    bar = 1.4 * s * m_per_mm
    unit, divisor = ("km", 1000.0) if length >= 1000 else ("m", 1.0)
    ax.add_patch(
        Rectangle(
            (x0 - 2.5 * s * m_per_mm, y0 - 2.0 * s * m_per_mm),
            length + 11 * s * m_per_mm,
            bar + 6.5 * s * m_per_mm,
            facecolor="white",
            edgecolor="none",
            alpha=0.85,
            zorder=5,
        )
    )
    for i in range(4):
        ax.add_patch(
            Rectangle(
                (x0 + i * length / 4, y0),
                length / 4,
                bar,
                facecolor=_INK if i % 2 == 0 else "white",
                edgecolor=_INK,
                linewidth=0.5 * s,
                zorder=6,
            )
        )
    size = 6.5 * s
    for fraction in (0, 0.5, 1):
        value = length * fraction / divisor
        label = format_number(value, lang, decimals=0 if float(value).is_integer() else 1)
        ax.text(
            x0 + length * fraction,
            y0 + bar + 0.8 * s * m_per_mm,
            label,
            ha="center",
            va="bottom",
            fontsize=size,
            color=_INK,
            zorder=7,
        )
    ax.text(
        x0 + length + 2.0 * s * m_per_mm,
        y0 + bar / 2,
        unit,
        ha="left",
        va="center",
        fontsize=size,
        color=_INK,
        zorder=7,
    )
    return length


def _north_arrow(
    ax: Axes, data: _MapData, limits: tuple[float, float, float, float], *, s: float, lang: Lang
) -> None:
    """North arrow at the upper right, turned by the grid convergence (true north).

    Placed in points from the frame's corner, not in fractions of the frame: on the brief's
    small maps a fraction left the letter on the frame line.
    """
    xmin, xmax, ymin, ymax = limits
    centre = gpd.GeoSeries(
        gpd.points_from_xy([(xmin + xmax) / 2], [(ymin + ymax) / 2]), crs=data.crs
    ).to_crs("EPSG:4326")
    lon, lat = float(centre.x.iloc[0]), float(centre.y.iloc[0])
    to_map = Transformer.from_crs("EPSG:4326", data.crs, always_xy=True)
    x1, y1 = to_map.transform(lon, lat)
    x2, y2 = to_map.transform(lon, lat + 0.05)
    angle = math.atan2(x2 - x1, y2 - y1)  # clockwise from grid up
    scale = s / 72.0  # vertices in points
    # The arrow's foot, from the top right corner: the letter (19 pt above the foot, ~9 pt
    # tall) then keeps about 6 pt of margin below the frame.
    dx, dy = -_NORTH_RIGHT * s, -_NORTH_TOP * s
    place = ScaledTranslation(1.0, 1.0, ax.transAxes)
    turn = Affine2D().rotate(-angle).scale(scale).translate(dx / 72.0, dy / 72.0)
    transform = turn + ax.figure.dpi_scale_trans + place
    left = Polygon([(0, 16), (-5.5, -6), (0, -2)], closed=True, transform=transform)
    right = Polygon([(0, 16), (0, -2), (5.5, -6)], closed=True, transform=transform)
    left.set(facecolor=_INK, edgecolor=_INK, linewidth=0.6 * s, zorder=8)
    right.set(facecolor="white", edgecolor=_INK, linewidth=0.6 * s, zorder=8)
    ax.add_artist(left)
    ax.add_artist(right)
    tip = (math.sin(angle) * 19, math.cos(angle) * 19)
    _label(
        ax,
        1.0,
        1.0,
        t("export.north", lang),
        halo=2.0 * s,
        xycoords="axes fraction",
        xytext=(tip[0] * s + dx, tip[1] * s + dy),
        textcoords="offset points",
        ha="center",
        va="bottom",
        fontsize=9 * s,
        fontweight="bold",
        color=_INK,
        zorder=8,
    )


@dataclass(frozen=True)
class _Drawn:
    scale_denominator: float  # ground metres per paper metre (the map scale 1:N)
    scale_bar_m: float  # length of the scale bar on the ground


def _draw_map(
    ax: Axes,
    data: _MapData,
    *,
    box_mm: tuple[float, float],
    s: float,
    lang: Lang,
    district_labels: bool = True,
    commune_labels: bool = False,
    label_size: float = 6.5,
) -> _Drawn:
    """Communes, outlines, labels, scale bar and north arrow in ``ax``; returns the scale."""
    communes = data.communes
    communes.plot(
        ax=ax,
        color=communes["fill"].tolist(),
        edgecolor="#7a7a7a",
        linewidth=0.25 * s,
        aspect=None,
    )
    if len(data.districts):
        data.districts.boundary.plot(ax=ax, color=_INK, linewidth=1.1 * s, aspect=None)
    limits = _fit_limits(communes.total_bounds, box_mm)
    ax.set_xlim(limits[0], limits[1])
    ax.set_ylim(limits[2], limits[3])
    ax.set_aspect("equal", adjustable="datalim")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")  # geopandas names the projected axes ("Easting [metre]"): not for print
    ax.set_ylabel("")
    for spine in ax.spines.values():
        spine.set_linewidth(0.8 * s)
        spine.set_color(_INK)
    if commune_labels:
        points = communes.geometry.representative_point()
        for point, name in zip(points, communes[COMMUNE_NAME], strict=True):
            _label(
                ax,
                point.x,
                point.y,
                _nfc(_short_commune(str(name))),
                halo=1.2 * s,
                ha="center",
                va="center",
                fontsize=label_size * 0.62 * s,
                color="#333333",
                zorder=3,
            )
    if district_labels and len(data.districts):
        points = data.districts.geometry.representative_point()
        for point, name in zip(points, data.districts[DISTRICT_NAME], strict=True):
            _label(
                ax,
                point.x,
                point.y,
                _nfc(_short_district(str(name))),
                halo=2.2 * s,
                ha="center",
                va="bottom" if commune_labels else "center",
                fontsize=label_size * s,
                fontweight="bold",
                color=_INK,
                zorder=4,
            )
    m_per_mm = (limits[1] - limits[0]) / box_mm[0]
    bar = _scale_bar(ax, limits, m_per_mm=m_per_mm, s=s, lang=lang)
    _north_arrow(ax, data, limits, s=s, lang=lang)
    return _Drawn(scale_denominator=m_per_mm * 1000.0, scale_bar_m=bar)


def _legend(
    ax: Axes,
    classification: Classification,
    *,
    size: float,
    lang: Lang,
    title: bool = True,
) -> Legend:
    """The interactive map's legend (same classes, colours, labels, counts) in ``ax``."""
    ax.set_axis_off()
    handles = [
        Patch(facecolor=entry.color, edgecolor="#777777", linewidth=0.6, label=entry.label)
        for entry in classification.legend
    ]
    labels = [
        _nfc(f"{entry.label}  ({t('legend.communes', lang, n=entry.count)})")
        for entry in classification.legend
    ]
    legend = ax.legend(
        handles,
        labels,
        loc="upper left",
        bbox_to_anchor=(0, 1),
        frameon=False,
        fontsize=size,
        title=_nfc(f"{classification.title}\n({classification.unit})") if title else None,
        title_fontproperties={"size": size * 1.1, "weight": "bold"},
        alignment="left",
        handlelength=2.2,
        handleheight=1.25,
        labelspacing=0.45,
        borderaxespad=0,
        borderpad=0,
    )
    return legend


# --- the static map ----------------------------------------------------------------------------


def _crs_text(crs: CRS, lang: Lang) -> str:
    """The map's CRS in words of ``lang`` ("WGS 84 / UTM múi 48N"), "WGS 84" never split.

    Examples
    --------
    >>> _crs_text(CRS.from_epsg(32648), "vi")
    'WGS\xa084 / UTM múi 48N'
    """
    zone = crs.utm_zone
    text = t("export.crs_utm", lang, zone=zone) if zone and "WGS 84" in crs.name else crs.name
    return text.replace("WGS 84", f"WGS{_NO_BREAK_SPACE}84")


def _scale_text(denominator: float, lang: Lang) -> str:
    rounded = float(round(denominator, -3 if denominator < 100_000 else -4))
    return format_number(rounded, lang)


@dataclass
class PrintedMap:
    """A laid-out map sheet, before saving.

    Attributes
    ----------
    sheet : MapSheet
        The sheet (``sheet.figure`` is the matplotlib figure).
    classification : Classification
        Classes drawn (those of :func:`geo.web.maps.classify_layer`).
    legend : matplotlib.legend.Legend
        The legend artist (tests locate the swatches with it).
    map_axes : matplotlib.axes.Axes
        The map frame; its data units are metres of the metric CRS ``crs``.
    crs : pyproj.CRS
        The metric CRS the map is drawn in (UTM).
    scale_denominator : float
        The map scale 1:N at the printed size.
    scale_bar_m : float
        Ground length of the scale bar, in metres.
    """

    sheet: MapSheet
    classification: Classification
    legend: Legend
    map_axes: Axes
    crs: CRS
    scale_denominator: float
    scale_bar_m: float

    def swatch_boxes(self) -> list[tuple[str, tuple[float, float, float, float]]]:
        """Colour and box (x0, y0, x1, y1 in figure fractions, y up) of each legend swatch."""
        figure = self.sheet.figure
        figure.draw_without_rendering()  # lays the legend out
        inverse = figure.transFigure.inverted()
        boxes = []
        for patch, entry in zip(self.legend.get_patches(), self.classification.legend, strict=True):
            extent = patch.get_window_extent()
            (x0, y0), (x1, y1) = inverse.transform([[extent.x0, extent.y0], [extent.x1, extent.y1]])
            boxes.append((entry.color, (float(x0), float(y0), float(x1), float(y1))))
        return boxes


def _title_block(
    sheet: MapSheet,
    view: MapView,
    title: str,
    subtitle: str,
    *,
    margin: float,
    badge_size: float,
) -> float:
    """Title, then the subtitle with the demo badge at its right (demo figures); returns the
    top of what follows (mm). A map sheet and both pages of the brief open with it. Estimated
    figures (:attr:`MapView.estimate`): the subtitle says so ("ƯỚC TÍNH theo tỷ lệ diện tích").
    """
    if view.estimate:
        subtitle += f" · {t('summary.estimate_label', view.lang)}"
    s = sheet.scale
    inner = sheet.width - 2 * margin
    top = sheet.paragraph(margin, margin, [title], width=inner, size=15, bold=True) + 1.0 * s
    badge_room = 0.0
    if view.demo:
        badge = t("export.demo_badge", view.lang)
        badge_room = _text_width_mm(badge, badge_size * s, bold=True) + 6 * s
        sheet.badge(sheet.width - margin, top, badge, size=badge_size)
    return sheet.paragraph(margin, top, [subtitle], width=inner - badge_room, size=9.5)


def _map_header(sheet: MapSheet, view: MapView, data: _MapData, *, margin: float) -> float:
    """Title, subtitle (period and indicator) with the demo badge at its right, and the classes;
    returns the top of the map (mm)."""
    classification, lang, s = data.classification, view.lang, sheet.scale
    inner = sheet.width - 2 * margin
    subtitle = (
        f"{t('app.period', lang)}: {view.period} · {t('export.indicator', lang)}: "
        f"{classification.title} ({classification.unit})"
    )
    title = f"{classification.title} – {data.place}"
    top = _title_block(sheet, view, title, subtitle, margin=margin, badge_size=8.5)
    classes = classes_text(classification, view)
    if classes:
        top = sheet.paragraph(margin, top, [classes], width=inner, size=7.5, color=_GREY)
    return top + 3 * s


@dataclass(frozen=True)
class _MapBoxes:
    map: tuple[float, float, float, float]  # x, top, width, height (mm)
    legend: tuple[float, float, float, float]
    aside: tuple[float, float, float]  # x, top, width of the scale text


def _map_boxes(
    sheet: MapSheet,
    data: _MapData,
    *,
    orientation: Orientation,
    margin: float,
    header_bottom: float,
    foot_top: float,
    legend_size: float,
) -> _MapBoxes:
    """Where map, legend and scale text go: legend under the map in portrait, beside it in
    landscape."""
    s = sheet.scale
    inner = sheet.width - 2 * margin
    rows = len(data.classification.legend) + 2.6  # two title lines and spacing
    legend_height = rows * legend_size * 1.75 * _MM_PER_PT + 8 * s
    minx, miny, maxx, maxy = data.communes.total_bounds
    ground_aspect = max(maxy - miny, 1.0) / max(maxx - minx, 1.0)  # height / width
    if orientation == "portrait":
        # As tall as the area needs at full width (no empty bands), at most what is left.
        available = foot_top - 6 * s - legend_height - header_bottom
        map_height = min(available, inner * ground_aspect * 1.02 + 4 * s)
        legend = (margin, header_bottom + map_height + 3 * s, inner * 0.62, legend_height)
        return _MapBoxes(
            map=(margin, header_bottom, inner, map_height),
            legend=legend,
            aside=(margin + inner * 0.64, legend[1] + 1 * s, inner * 0.36),
        )
    panel_width = 78 * s
    map_box = (margin, header_bottom, inner - panel_width - 5 * s, foot_top - 4 * s - header_bottom)
    return _MapBoxes(
        map=map_box,
        legend=(margin + map_box[2] + 5 * s, header_bottom, panel_width, legend_height),
        aside=(margin + map_box[2] + 5 * s, header_bottom + legend_height + 3 * s, panel_width),
    )


def map_figure(
    geography: Geography,
    metrics: pd.DataFrame,
    view: MapView,
    *,
    paper: PaperName = "a4",
    orientation: Orientation = "portrait",
    labels: bool = False,
    dpi: int = 300,
    pixel_exact: bool = False,
    vintage_tables: VintageTables | None = None,
    created: dt.date | None = None,
) -> PrintedMap:
    """Lay out the map sheet (see :func:`render_map` for the parameters).

    Call inside no special context: the print settings (fonts, embedding) apply when saving
    through :func:`render_map`; use this directly only to inspect the layout.
    """
    created = created or dt.date.today()
    view = estimated_view(view, vintage_tables)  # estimated figures: the subtitle says so
    lang = view.lang
    data = _map_data(geography, metrics, view)
    width, height = paper_size_mm(paper, orientation)
    sheet = MapSheet(width, height, dpi=dpi, pixel_exact=pixel_exact)
    s = sheet.scale
    margin = 10 * s
    inner = width - 2 * margin
    header_bottom = _map_header(sheet, view, data, margin=margin)

    # Foot: the notes every print carries.
    notes = note_lines(geography, view, vintage_tables=vintage_tables, created=created)
    if view.district_code:
        notes.insert(1, t("export.legend_counts_province", lang))
    note_size = 6.5
    foot_top = height - margin - sheet.paragraph_height(notes, width=inner, size=note_size)

    legend_size = 7.5 * s
    boxes = _map_boxes(
        sheet,
        data,
        orientation=orientation,
        margin=margin,
        header_bottom=header_bottom,
        foot_top=foot_top,
        legend_size=legend_size,
    )
    ax = sheet.axes(*boxes.map)
    drawn = _draw_map(
        ax,
        data,
        box_mm=(boxes.map[2], boxes.map[3]),
        s=s,
        lang=lang,
        district_labels=True,
        commune_labels=labels,
        label_size=7.0 if not view.district_code else 8.0,
    )
    legend = _legend(sheet.axes(*boxes.legend), data.classification, size=legend_size, lang=lang)

    scale = t(
        "export.scale",
        lang,
        denominator=_scale_text(drawn.scale_denominator, lang),
        paper=paper.upper(),
        crs=_crs_text(data.crs, lang),
    )
    x, top, aside_width = boxes.aside
    sheet.paragraph(x, top, [scale], width=aside_width, size=7, color=_GREY)
    sheet.paragraph(margin, foot_top, notes, width=inner, size=note_size, color=_INK)
    return PrintedMap(
        sheet,
        data.classification,
        legend,
        map_axes=ax,
        crs=data.crs,
        scale_denominator=drawn.scale_denominator,
        scale_bar_m=drawn.scale_bar_m,
    )


def _finish(data: bytes, out: str | os.PathLike[str] | None) -> bytes:
    if out is not None:
        Path(out).write_bytes(data)
    return data


def _pdf_metadata(title: str, created: dt.date) -> dict[str, object]:
    moment = dt.datetime.combine(created, dt.time(), tzinfo=dt.UTC)
    return {
        "Title": _nfc(title),
        "Author": "Commune Atlas",
        "Creator": "Commune Atlas (geo.output.printing, matplotlib)",
        "CreationDate": moment,
    }


def render_map(
    geography: Geography,
    metrics: pd.DataFrame,
    view: MapView,
    *,
    fmt: ImageFormat,
    paper: PaperName = "a4",
    orientation: Orientation = "portrait",
    labels: bool = False,
    dpi: int = 300,
    vintage_tables: VintageTables | None = None,
    created: dt.date | None = None,
    out: str | os.PathLike[str] | None = None,
) -> bytes:
    """A print-ready map of the current view as PNG or PDF.

    Parameters
    ----------
    geography : Geography
        The geography the map shows (its kind, vintage and attribution go in the notes).
    metrics : pandas.DataFrame
        :func:`geo.analysis.metrics.commune_metrics` of ``view.period`` for
        ``geography.communes``.
    view : MapView
        What the map shows. ``layer``: ``"models_density"``, ``"ntm"``, ``"land"`` or another
        period layer of :mod:`geo.web.layers` (see :func:`geo.output.export.period_layers`).
        ``period``: period of the figures (in the subtitle). ``district_code``: only this
        district (classes and legend counts stay those of the province). ``lang``: language.
        ``scheme``, ``k``, ``breaks``: classification of amounts, as in
        :func:`geo.web.maps.classify_layer` (``breaks``: manual upper bounds, replacing
        ``scheme`` and ``k``). ``demo``: the figures are demo data, and a badge and a note say
        so.
    fmt : {"png", "pdf"}
        PNG at ``dpi`` (A4 at 300 dpi: 2480 × 3508 px), or a one-page vector PDF.
    paper : {"a4", "a3"}
        Sheet size.
    orientation : {"portrait", "landscape"}
        Sheet orientation.
    labels : bool
        Write the commune names too.
    dpi : int
        Resolution of the PNG.
    vintage_tables : VintageTables, optional
        The figures keyed to the geography's vintage
        (:func:`geo.analysis.vintages.tables_for`): the notes say how converted figures were
        converted.
    created : datetime.date, optional
        Date printed on the map (today by default).
    out : path, optional
        Also write the file here.

    Returns
    -------
    bytes
        The PNG or PDF file.
    """
    if fmt not in ("png", "pdf"):
        raise ValueError(f"unknown format {fmt!r}; expected png or pdf")
    created = created or dt.date.today()
    with _print_settings():
        printed = map_figure(
            geography,
            metrics,
            view,
            paper=paper,
            orientation=orientation,
            labels=labels,
            dpi=dpi,
            pixel_exact=fmt == "png",
            vintage_tables=vintage_tables,
            created=created,
        )
        buffer = io.BytesIO()
        title = f"{printed.classification.title} – {view.period}"
        if fmt == "png":
            printed.sheet.figure.savefig(
                buffer, format="png", dpi=dpi, metadata={"Title": _nfc(title)}
            )
        else:
            printed.sheet.figure.savefig(
                buffer, format="pdf", metadata=_pdf_metadata(title, created)
            )
    return _finish(buffer.getvalue(), out)


def map_png(geography: Geography, metrics: pd.DataFrame, view: MapView, **options: Any) -> bytes:
    """:func:`render_map` as PNG (same keyword options)."""
    return render_map(geography, metrics, view, fmt="png", **options)


def map_pdf(geography: Geography, metrics: pd.DataFrame, view: MapView, **options: Any) -> bytes:
    """:func:`render_map` as vector PDF (same keyword options)."""
    return render_map(geography, metrics, view, fmt="pdf", **options)
