"""The registry of map layers: what each layer draws, in which unit, with which palette.

A :class:`LayerSpec` says which value a layer colours (a column of
:func:`geo.analysis.metrics.commune_metrics`, of :func:`geo.analysis.compare.compare_periods`, or a
count per km²
derived from one), its title and unit (keys of :mod:`geo.i18n`), its ColorBrewer palette and its
*kind*:

``amount``
    a quantity classified into classes (natural breaks, quantiles, equal intervals or manual
    breaks); sequential palette, light to dark.
``ordered``
    ordered categories (the NTM level); one colour per level.
``change``
    a change between two periods; diverging: a decrease, "no change", then classes of increase.
``ordered_change``
    levels gained between two periods (NTM); one colour per step.

:mod:`geo.web.maps` colours a layer from its spec; the app lists the layers from here.

Examples
--------
>>> LAYERS["models_economy_per_km2"].unit_key
'unit.models_density'
>>> [spec.key for spec in layers_for("compare")]
['change_models', 'change_ntm', 'change_land']
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

import pandas as pd

from geo.figures.indicators import FIELD_COLUMNS, FIELDS
from geo.schema import AREA_KM2

__all__ = [
    "CHANGE_DECREASE_COLOR",
    "CHANGE_NONE_COLOR",
    "LAYERS",
    "MAX_CLASSES",
    "SCHEME_KEYS",
    "LayerKind",
    "LayerSpec",
    "field_layer_key",
    "layer_values",
    "layers_for",
    "parse_breaks",
]

LayerKind = Literal["amount", "ordered", "change", "ordered_change"]
LayerMode = Literal["period", "compare"]
#: Classification schemes for amounts, as offered to users.
SCHEME_KEYS: tuple[str, ...] = ("fisher_jenks", "quantiles", "equal_interval", "manual")
#: Most classes a palette can show with distinct colours (ColorBrewer 6-class ramps).
MAX_CLASSES = 6

# ColorBrewer (Cynthia Brewer, colorbrewer2.org), colour-blind safe, light → dark.
_YLGNBU = ("#ffffcc", "#c7e9b4", "#7fcdbb", "#41b6c4", "#2c7fb8", "#253494")
_PUBUGN = ("#f6eff7", "#d0d1e6", "#a6bddb", "#67a9cf", "#1c9099", "#016c59")
_ORANGES = ("#feedde", "#fdd0a2", "#fdae6b", "#fd8d3c", "#e6550d", "#a63603")
_FIELD_PALETTES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "economy": ("#edf8e9", "#c7e9c0", "#a1d99b", "#74c476", "#31a354", "#006d2c"),  # Greens
        "culture_society": ("#f2f0f7", "#dadaeb", "#bcbddc", "#9e9ac8", "#756bb1", "#54278f"),
        "defence_security": ("#eff3ff", "#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c"),
        "political_system": ("#ffffd4", "#fee391", "#fec44f", "#fe9929", "#d95f0e", "#993404"),
    }
)
#: Increases on change maps: the blue-green half of ColorBrewer BrBG, light → dark.
_BRBG_UP = ("#c7eae5", "#80cdc1", "#35978f", "#01665e", "#003c30")
#: A decrease on change maps (brown half of BrBG) and "no change" (its pale midpoint side).
CHANGE_DECREASE_COLOR = "#bf812d"
CHANGE_NONE_COLOR = "#f6e8c3"


@dataclass(frozen=True)
class LayerSpec:
    """One map layer.

    Parameters
    ----------
    key : str
        Stable id (also the i18n key ``layer.<key>`` of its title).
    kind : {"amount", "ordered", "change", "ordered_change"}
        How values become colours (see the module docstring).
    column : str
        The value: a column of the metrics (``mode="period"``) or comparison
        (``mode="compare"``) table; with ``per_km2`` the count divided by ``area_km2``.
    unit_key : str
        i18n key of the unit shown under the legend title.
    palette : tuple of str
        Colours, light to dark (for ``change``: the increase side).
    decimals : int
        Decimals of values in the legend and tooltips.
    zero_key : str or None
        i18n key of a class of its own for exact zeros ("no model at all"), or ``None``.
    per_km2 : bool
        Divide ``column`` by the commune's area.
    requires : str or None
        Column that must hold some data for the layer to be offered (``population``).
    mode : {"period", "compare"}
        Drawn for one period, or for the change between two.
    family : str
        Indicator family the values come from (``models``, ``ntm``, ``land``).
    """

    key: str
    kind: LayerKind
    column: str
    unit_key: str
    palette: tuple[str, ...]
    decimals: int = 0
    zero_key: str | None = None
    per_km2: bool = False
    requires: str | None = None
    mode: LayerMode = "period"
    family: str = "models"

    @property
    def title_key(self) -> str:
        """i18n key of the layer's title."""
        return f"layer.{self.key}"

    @property
    def classified(self) -> bool:
        """Whether a classification scheme applies (amounts and changes, not categories)."""
        return self.kind in ("amount", "change")


def field_layer_key(field: str, *, per_km2: bool) -> str:
    """Key of the layer of one model field, as a count or per km².

    Examples
    --------
    >>> field_layer_key("economy", per_km2=False), field_layer_key("economy", per_km2=True)
    ('models_economy', 'models_economy_per_km2')
    """
    column = FIELD_COLUMNS[field]
    return f"{column}_per_km2" if per_km2 else column


def _field_specs() -> list[LayerSpec]:
    specs = []
    for field in FIELDS:
        palette = _FIELD_PALETTES[field]
        column = FIELD_COLUMNS[field]
        specs.append(
            LayerSpec(
                field_layer_key(field, per_km2=False),
                "amount",
                column,
                "unit.models",
                palette,
                zero_key="legend.no_models",
            )
        )
        specs.append(
            LayerSpec(
                field_layer_key(field, per_km2=True),
                "amount",
                column,
                "unit.models_density",
                palette,
                decimals=2,
                zero_key="legend.no_models",
                per_km2=True,
            )
        )
    return specs


_SPECS: tuple[LayerSpec, ...] = (
    LayerSpec(
        "models_density",
        "amount",
        "models_per_km2",
        "unit.models_density",
        _YLGNBU,
        decimals=2,
        zero_key="legend.no_models",
    ),
    LayerSpec(
        "models_per_1000",
        "amount",
        "models_per_1000",
        "unit.models_per_1000",
        _PUBUGN,
        decimals=2,
        zero_key="legend.no_models",
        requires="population",
    ),
    *_field_specs(),
    LayerSpec(
        "ntm",
        "ordered",
        "ntm_level",
        "unit.ntm",
        ("#ffffcc", "#c2e699", "#78c679", "#238443"),  # YlGn, one per level
        family="ntm",
    ),
    LayerSpec(
        "land", "amount", "land_pct_of_plan", "unit.land", _ORANGES, zero_key=None, family="land"
    ),
    LayerSpec(
        "change_models",
        "change",
        "models_added",
        "unit.change_models",
        _BRBG_UP,
        zero_key="legend.no_change",
        mode="compare",
    ),
    LayerSpec(
        "change_ntm",
        "ordered_change",
        "ntm_levels_gained",
        "unit.change_ntm",
        _BRBG_UP[1:4],
        mode="compare",
        family="ntm",
    ),
    LayerSpec(
        "change_land",
        "change",
        "land_added_ha",
        "unit.change_land",
        _BRBG_UP,
        decimals=1,
        zero_key="legend.no_change",
        mode="compare",
        family="land",
    ),
)
#: Every layer by key, in menu order.
LAYERS: Mapping[str, LayerSpec] = MappingProxyType({spec.key: spec for spec in _SPECS})


def layers_for(mode: LayerMode, metrics: pd.DataFrame | None = None) -> list[LayerSpec]:
    """The layers of one mode, without those whose required column is empty in ``metrics``.

    Parameters
    ----------
    mode : {"period", "compare"}
        One period or a comparison of two.
    metrics : pandas.DataFrame, optional
        The period's metrics; when given, a layer that ``requires`` a column (models per
        1,000 residents needs ``population``) is left out if that column has no value.
    """
    specs = [spec for spec in _SPECS if spec.mode == mode]
    if metrics is not None:
        specs = [
            spec
            for spec in specs
            if spec.requires is None
            or (spec.requires in metrics and metrics[spec.requires].notna().any())
        ]
    return specs


def layer_values(table: pd.DataFrame, spec: LayerSpec) -> pd.Series:
    """The value each commune has on ``spec`` (float; NaN for no data).

    Examples
    --------
    >>> table = pd.DataFrame({"models_economy": [4, 0, None], "area_km2": [2.0, 5.0, 1.0]})
    >>> layer_values(table, LAYERS["models_economy_per_km2"]).tolist()
    [2.0, 0.0, nan]
    """
    if spec.kind == "ordered":
        raise ValueError(f"layer {spec.key!r} is categorical; it has no numeric values")
    values = pd.to_numeric(table[spec.column]).astype("Float64").astype(float)
    if spec.per_km2:
        area = table[AREA_KM2].astype(float)
        values = values / area.where(area > 0)
    return values


_THOUSANDS = {"vi": ".", "en": ","}


def _read_number(part: str, lang: str) -> float:
    """One typed number; the other language's decimal mark is read as such when unambiguous."""
    group = _THOUSANDS.get(lang, ".")
    decimal = "," if group == "." else "."
    if decimal not in part and group in part:
        # "2.5" typed in Vietnamese is a decimal; "1.000" (groups of three) is a thousand.
        groups = part.lstrip("+-").split(group)
        if not all(len(g) == 3 for g in groups[1:]):
            group, decimal = decimal, group
    value = float(part.replace(group, "").replace(decimal, "."))
    if not math.isfinite(value):
        raise ValueError
    return value


def parse_breaks(text: str, *, lang: str = "vi", max_breaks: int = MAX_CLASSES - 1) -> list[float]:
    """Read manual class breaks typed by a user: upper bounds, separated by ``;`` or spaces.

    Vietnamese users write decimals with a comma (``2,5``) and may group thousands with dots
    (``1.000``); English users write ``2.5`` and ``1,000``. Separators are therefore ``;`` and
    white space only (a comma is part of a number).

    Parameters
    ----------
    text : str
        E.g. ``"1; 2,5; 5"``.
    lang : {"vi", "en"}
        How to read ``,`` and ``.``.
    max_breaks : int
        Most breaks allowed (each break adds a class; the last class runs to the maximum).

    Returns
    -------
    list of float
        Sorted, distinct breaks.

    Raises
    ------
    ValueError
        When nothing, too many or something else than numbers was typed (English message;
        the app shows its own translated text).

    Examples
    --------
    >>> parse_breaks("5; 1 2,5")
    [1.0, 2.5, 5.0]
    >>> parse_breaks("1,000; 2.5", lang="en")
    [2.5, 1000.0]
    >>> parse_breaks("1.000 0.5")  # a point before 1 or 2 digits is a decimal point
    [0.5, 1000.0]
    """
    parts = [part for part in re.split(r"[;\s]+", text.strip()) if part]
    if not parts:
        raise ValueError("no break given")
    values = []
    for part in parts:
        try:
            values.append(_read_number(part, lang))
        except ValueError:
            raise ValueError(f"{part!r} is not a number") from None
    breaks = sorted(set(values))
    if len(breaks) > max_breaks:
        raise ValueError(f"at most {max_breaks} breaks ({max_breaks + 1} classes)")
    return breaks
