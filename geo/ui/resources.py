"""Cached resources of the pages: the store, its tables, geographies, metrics and maps.

Cache keys are plain values or a :class:`~geo.view.MapView` (hashable): the store revision,
the geography key, the view. A change of figures bumps the revision, so nothing stale is shown;
:func:`data_changed` drops the cached tables at once.
"""

from __future__ import annotations

import functools
import inspect
import os
import weakref
from collections.abc import Callable
from typing import Any, TypeVar

import folium
import pandas as pd
import streamlit as st

from geo.analysis.commune_profile import metrics_over_periods
from geo.analysis.compare import compare_periods
from geo.analysis.kpi_cards import KpiCard, kpi_cards
from geo.analysis.vintages import VintageTables, tables_for
from geo.figures.auth import Accounts, Authenticator, Throttle, accounts_path
from geo.figures.published import FIGURES
from geo.figures.store import Store, open_store
from geo.geography.admin_units import ALL_PROVINCES, HOA_BINH
from geo.geography.geographies import (
    DEFAULT_2025_KEY,
    FORMER_HOA_BINH_2025_KEY,
    Geography,
    GeographyChoice,
    attribution_text,
    available_geographies,
    district_choices,
    file_geography,
    geography_label,
    group_level,
    grouped_communes,
    load_geography,
)
from geo.i18n import t
from geo.output.display import legend_notes
from geo.schema import VINTAGE_2020_2025
from geo.ui.state import MAP_HEIGHT
from geo.view import MapView
from geo.web.assets import use_local_assets
from geo.web.maps import build_map
from geo.web.overlays import FillFrame, FocusWithoutScroll, MapAttribution, ViewMemory

__all__ = [
    "ENV_BOUNDARIES",
    "ENV_KEY",
    "MAP_FAMILIES",
    "authenticator",
    "change_for",
    "converted_periods",
    "data_changed",
    "demo_periods",
    "district_names",
    "estimated_periods",
    "geography_choices",
    "geography_for",
    "geography_labels",
    "get_store",
    "kpis_for",
    "load_tables",
    "map_for",
    "metrics_for",
    "over_periods_for",
    "periods_of",
    "published_applies",
    "vintage_tables_for",
]

_Result = TypeVar("_Result")


def _cache_data_by_value(func: Callable[..., _Result]) -> Callable[..., _Result]:
    """``st.cache_data`` keyed on the arguments' values, defaults included.

    Streamlit keys a call on the arguments as written: ``f(a, r)`` and ``f(a, r, estimate=False)``
    were two entries, each computed (a new process's first visit converted every period's
    figures three times). Here every call reaches the cache with all its arguments bound.
    """
    cached = st.cache_data(show_spinner=False)(func)
    signature = inspect.signature(func)

    @functools.wraps(func)
    def call(*args: Any, **kwargs: Any) -> _Result:
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        return cached(*bound.args, **bound.kwargs)

    return call


#: Families drawn on the map (named models are listed, not mapped).
MAP_FAMILIES = ("models", "ntm", "land")
#: A boundary file given at start-up (``ATLAS_BOUNDARIES=FILE make run``).
ENV_BOUNDARIES = os.environ.get("ATLAS_BOUNDARIES") or None
ENV_KEY = "env-file"
#: Provinces of the schematic default (``ATLAS_PROVINCES=17,25``, or ``ATLAS_PROVINCES=all`` for
#: the whole country; default: Hòa Bình).
_ENV_PROVINCES_TEXT = os.environ.get("ATLAS_PROVINCES", "").strip()
ENV_PROVINCES: str | tuple[str, ...] = (
    ALL_PROVINCES
    if _ENV_PROVINCES_TEXT.lower() == ALL_PROVINCES
    else tuple(code.strip() for code in _ENV_PROVINCES_TEXT.split(",") if code.strip())
)


# --- the store and the planners' accounts ---------------------------------------------------


@st.cache_resource(show_spinner=False)
def get_store() -> Store:
    """One store (connection pool) per server process."""
    return open_store()


@st.cache_resource(show_spinner=False)
def get_throttle() -> Throttle:
    """Failed sign-ins are counted in the store's database: by every process, across sessions."""
    return Throttle(log=get_store().failure_log())


@st.cache_resource(show_spinner=False)
def get_authenticator(path: str, modified: float) -> Authenticator:
    """Re-read when the accounts file changes (``modified`` is part of the cache key)."""
    return Authenticator(Accounts.load(path), throttle=get_throttle())


def authenticator() -> Authenticator:
    """The authenticator of the current accounts file."""
    path = accounts_path()
    return get_authenticator(str(path), path.stat().st_mtime if path.exists() else 0.0)


def data_changed() -> None:
    """Figures changed: drop cached tables and metrics so the map shows the new ones."""
    st.cache_data.clear()


# --- tables and geographies -------------------------------------------------------------------


@st.cache_data(show_spinner=False)
def load_tables(revision: int) -> dict[str, pd.DataFrame]:
    """The current figures of every family at store revision ``revision``."""
    return get_store().current_tables()


def periods_of(tables: dict[str, pd.DataFrame]) -> list[int]:
    """The periods with figures, oldest first."""
    return sorted(int(p) for p in tables["models"]["period"].unique())


@st.cache_data(show_spinner=False)
def demo_periods(revision: int) -> set[int]:
    """Periods whose mapped figures still come (at least partly) from the demo batches."""
    sources = get_store().current_sources()
    demo = sources[sources["origin"].eq("demo") & sources["family"].isin(MAP_FAMILIES)]
    return {int(p) for p in demo["period"].unique()}


@st.cache_data(show_spinner=False, ttl=60)
def geography_choices() -> list[GeographyChoice]:
    """The boundary layers on offer, the first view first (files may be added while the server
    runs): the former Hòa Bình on the real 2025 boundaries (:data:`DEFAULT_2025_KEY`), unless
    ``ATLAS_PROVINCES`` asks for other provinces, whose schematic then comes first as before."""
    if ENV_PROVINCES:
        return available_geographies(province_codes=ENV_PROVINCES)
    choices = available_geographies()
    first = [c for c in choices if c.key == DEFAULT_2025_KEY]
    return first + [c for c in choices if c.key != DEFAULT_2025_KEY]


@st.cache_resource(show_spinner=False)
def geography_for(key: str) -> Geography:
    """The geography of one choice of :func:`geography_choices` (or of ``ATLAS_BOUNDARIES``)."""
    if key == ENV_KEY:
        return file_geography(ENV_BOUNDARIES)
    choice = next(c for c in geography_choices() if c.key == key)
    return load_geography(choice)


#: Published figures that are counts of communes: not comparable once communes were merged.
_COMMUNE_COUNTS = frozenset({"ntm_communes", "land_communes"})


def published_applies(geography_key: str) -> frozenset[str]:
    """The published figures (Hòa Bình, 2019) that speak of the same area as the geography.

    All of them on Hòa Bình alone on the 2020–2025 units; on the former Hòa Bình on the 2025
    units only the amounts (models, hectares), since counts of communes change with mergers;
    none on all of Phú Thọ, several provinces or the country.
    """
    if geography_key == FORMER_HOA_BINH_2025_KEY:
        return frozenset(FIGURES) - _COMMUNE_COUNTS
    geography = geography_for(geography_key)
    provinces = set(geography.communes.get("province_code", pd.Series(dtype=str)).astype(str))
    if geography.vintage == VINTAGE_2020_2025 and provinces == {HOA_BINH}:
        return frozenset(FIGURES)
    return frozenset()


#: The area box's lists, by the identity of their geography (kept while it lives: the cached
#: geographies of :func:`geography_for` live as long as the process).
_DISTRICT_NAMES: dict[int, tuple[weakref.ref[Geography], dict[str, str]]] = {}


def district_names(geography: Geography) -> dict[str, str]:
    """Code → label of the groups the area box offers, in Vietnamese alphabetical order of the
    labels (:func:`district_choices`: Đà Bắc right after Cao Phong): the districts, or on a
    2025 layer the former districts (or provinces), see :func:`grouped_communes`.

    Computed once per geography object (every run of every reader asks for it, often thrice).
    """
    known = _DISTRICT_NAMES.get(id(geography))
    if known is None or known[0]() is not geography:  # a new object may reuse a dead one's id
        known = (weakref.ref(geography), _district_names(geography))
        _DISTRICT_NAMES[id(geography)] = known
    return dict(known[1])


def _district_names(geography: Geography) -> dict[str, str]:
    communes = grouped_communes(geography)
    if group_level(geography) != "district":
        # A former district or a province is named as it is; a district with its province
        # where the layer spans several (names repeat across provinces).
        communes = communes.drop(columns="province_name", errors="ignore")
    codes = communes["district_code"]
    return district_choices(communes[codes.notna() & (codes.astype(str) != "")])


# --- metrics ----------------------------------------------------------------------------------


@_cache_data_by_value
def vintage_tables_for(
    geography_key: str, revision: int, lang: str = "vi", *, estimate: bool = False
) -> VintageTables:
    """The figures keyed to the geography's vintage (converted through the crosswalk where
    they are of another), with the reader's note in ``lang`` (:func:`tables_for`).

    ``estimate``: newer units' figures estimated on an older map by area share, instead of
    left out; part of the cache key, as of every function below, so that estimated figures
    are never served for real ones.
    """
    return tables_for(
        geography_for(geography_key), load_tables(revision), lang=lang, estimate=estimate
    )


@_cache_data_by_value
def over_periods_for(geography_key: str, revision: int, *, estimate: bool = False) -> pd.DataFrame:
    """Metrics of every period, stacked (the commune panel's history and ranks), from the
    figures of the geography's vintage only: never a join on codes of another vintage."""
    keyed = vintage_tables_for(geography_key, revision, estimate=estimate)
    # The periods with figures on these units (no empty 2025 on a 2020–2025 map).
    periods = keyed.periods or periods_of(load_tables(revision))
    geography = geography_for(geography_key)
    return metrics_over_periods(grouped_communes(geography), keyed.tables, periods)


@_cache_data_by_value
def metrics_for(
    geography_key: str, period: int, revision: int, *, estimate: bool = False
) -> pd.DataFrame:
    """Metrics of every commune of the geography in one period (estimated ones with
    ``estimate``, see :func:`vintage_tables_for`)."""
    over = over_periods_for(geography_key, revision, estimate=estimate)
    return over[over["period"] == period].drop(columns="period").reset_index(drop=True)


@_cache_data_by_value
def change_for(
    geography_key: str, p0: int, p1: int, revision: int, *, estimate: bool = False
) -> pd.DataFrame:
    """Change of every commune's metrics from period ``p0`` to ``p1`` (NTM levels marked not
    comparable when the two periods are measured against different criteria sets)."""
    return compare_periods(
        metrics_for(geography_key, p0, revision, estimate=estimate),
        metrics_for(geography_key, p1, revision, estimate=estimate),
        periods=(p0, p1),  # NTM across criteria sets: not comparable
    )


def converted_periods(figures: VintageTables, view: MapView) -> list[int]:
    """The periods of the view whose figures were converted from another vintage (2024 on the
    2025 units; never the units' own 2025 and 2026): only these are said to be converted.
    Estimated periods (:func:`estimated_periods`) are not: they are said to be estimates."""
    return [
        period
        for period in view.periods
        if figures.converted_in([period]) and not figures.estimated_in([period])
    ]


def estimated_periods(figures: VintageTables, view: MapView) -> list[int]:
    """The periods of the view whose figures are an area-apportioned estimate (2026 on the
    2020–2025 units, when the reader asked for it): these are labelled as estimates."""
    return [period for period in view.periods if figures.estimated_in([period])]


# --- maps -------------------------------------------------------------------------------------


@st.cache_resource(show_spinner=False, max_entries=48)
def map_for(view: MapView, tiles: bool, revision: int) -> folium.Map:
    """The map of one view, built once; every run draws a copy (see :mod:`geo.ui.map_section`).

    Parameters
    ----------
    view : MapView
        What to draw: geography, layer, period(s), district, classes, language, demo note.
    tiles : bool
        Draw the online basemap under the communes.
    revision : int
        Store revision of the figures (part of the cache key: new figures, a new map).

    Returns
    -------
    folium.Map
        The shared cached map: draw a copy of it, never the map itself.
    """
    geography = geography_for(view.geography_key)
    if view.is_change:
        table = change_for(view.geography_key, *view.periods, revision, estimate=view.estimate)
    else:
        table = metrics_for(view.geography_key, view.period, revision, estimate=view.estimate)
    districts = district_names(geography)
    figures = vintage_tables_for(view.geography_key, revision, estimate=view.estimate)
    fmap = build_map(
        geography.communes,
        table,
        view,
        districts=geography.districts,
        notes=legend_notes(
            geography,
            periods=view.periods,
            demo=view.demo,
            district_name=districts.get(view.district_code) if view.district_code else None,
            lang=view.lang,
            layer=view.layer,
            converted=converted_periods(figures, view),
            estimated=estimated_periods(figures, view),
        ),
        tiles=tiles,
        height=MAP_HEIGHT,
        # Classes shared by every period: computed over all of them.
        reference=(
            over_periods_for(view.geography_key, revision, estimate=view.estimate)
            if view.fixed_classes
            else None
        ),
    )
    if geography.attribution:
        text = t(
            "boundary.attribution", view.lang, attribution=attribution_text(geography, view.lang)
        )
        MapAttribution(text).add_to(fmap)
    FillFrame().add_to(fmap)  # as high as the page makes its frame (geo.ui.header)
    FocusWithoutScroll().add_to(fmap)
    # After fit_bounds: the reader's last view of the same area wins over the fitted one.
    ViewMemory(f"{view.geography_key}|{view.district_code or 'province'}").add_to(fmap)
    return use_local_assets(fmap)


# --- indicators -------------------------------------------------------------------------------


@_cache_data_by_value
def kpis_for(
    geography_key: str,
    period: int,
    base: int | None,
    revision: int,
    published: frozenset[str] = frozenset(),
    *,
    estimate: bool = False,
) -> list[KpiCard]:
    """The area's indicator cards of ``period`` set against ``base`` (or, in 2019, against the
    published figures named in ``published``): the same for every reader of the view, computed
    once per process (:func:`geo.analysis.kpi_cards.kpi_cards`); of estimated figures with
    ``estimate`` (:func:`vintage_tables_for`)."""
    values = {key: figure.value for key, figure in FIGURES.items() if key in published}
    before = None if base is None else metrics_for(geography_key, base, revision, estimate=estimate)
    metrics = metrics_for(geography_key, period, revision, estimate=estimate)
    return kpi_cards(metrics, before, period=period, base=base, published=values)


@st.cache_data(show_spinner=False, ttl=60)
def geography_labels(lang: str) -> dict[str, str]:
    """Key → label of the boundary layers on offer (:func:`geography_choices`), in ``lang``."""
    return {choice.key: geography_label(choice, lang) for choice in geography_choices()}
