"""``python -m geo export …``: print-ready maps, the province brief and data files.

``export map --layer L --period P --out FILE [--format png|pdf] [--paper a4|a3]``
``[--orientation portrait|landscape] [--district CODE] [--lang vi|en] [--labels] [--dpi N]``
``[--breaks "1; 2,5; 5"]``
    A print-ready map of one layer (:func:`geo.output.printing.render_map`).
``export brief --period P --out FILE.pdf [--lang vi|en]``
    The two-page province brief (:func:`geo.output.brief.brief_pdf`).
``export data --layer L --period P --out FILE [--format geojson|gpkg|xlsx] [--district CODE]``
    The layer joined with its figures (:func:`geo.output.export.export_layer`).
``export districts --period P --out FILE.xlsx``
    The district summary as Excel (:func:`geo.output.export.districts_xlsx`).

Figures of the 2025 units (2025 on) are not shown on older units, unless ``--estimate`` asks for
an area-apportioned estimate: the file's notes and provenance columns, and the line printed,
then say it is one.

Every kind also takes ``--demo`` (the shipped demo tables instead of the store), ``--db URL``
(default ``$ATLAS_DB_URL``, else ``data/atlas.sqlite``), ``--boundaries PATH`` (a boundary file
instead of the schematic default), ``--scheme`` and ``--k`` (classes, as on the map) and
``--lang``. ``--format`` defaults to the extension of ``--out``.

Figures from the store are labelled demo data when the period's mapped figures still come,
at least partly, from the demo batches (as the app does). Exit 1 when the period, district or
boundary file cannot be used.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from geo.analysis.metrics import commune_metrics
from geo.errors import AtlasError
from geo.geography.geographies import DEFAULT_2025_KEY, Geography
from geo.view import DEFAULT_GEOGRAPHY, DEFAULT_LAYER, MapView

if TYPE_CHECKING:  # the crosswalk is loaded only by the commands that convert figures
    from geo.analysis.vintages import VintageTables

__all__ = ["MAP_FAMILIES", "add_export_command", "load_figures"]

#: Families drawn on the maps (their origin decides the demo label).
MAP_FAMILIES = ("models", "ntm", "land")
_IMAGE_FORMATS = ("png", "pdf")
_DATA_FORMATS = ("geojson", "gpkg", "xlsx")
#: Classification schemes of :data:`geo.web.maps.SCHEMES` (named here: the parser stays light).
_SCHEMES = ("fisher_jenks", "quantiles", "equal_interval")


def _layer_choices() -> tuple[str, ...]:
    """Period layers (:func:`geo.output.export.period_layers`) without importing folium and OGR."""
    try:
        from geo.web.layers import layers_for
    except ImportError:  # the layer registry is optional
        return ("models_density", "ntm", "land")
    return tuple(spec.key for spec in layers_for("period"))


def load_figures(
    *, demo: bool, db: str | None = None, period: int
) -> tuple[dict[str, pd.DataFrame], bool]:
    """The indicator tables and whether the figures of ``period`` are demo data.

    Parameters
    ----------
    demo : bool
        Use the shipped demo tables (always demo data) instead of the store.
    db : str, optional
        Store URL (default ``$ATLAS_DB_URL``, else the SQLite file).
    period : int
        The period to export; an :class:`~geo.errors.AtlasError` lists the available ones.
    """
    if demo:
        from geo.figures.indicators import load_demo

        tables, is_demo, where = load_demo(), True, "demo data"
    else:
        from geo.figures.store import open_store

        store = open_store(db)
        tables = store.current_tables()
        sources = store.current_sources()
        mapped = sources[sources["family"].isin(MAP_FAMILIES) & sources["origin"].eq("demo")]
        is_demo = period in {int(p) for p in mapped["period"].unique()}
        where = store.display_url
    periods = sorted(
        {int(p) for name in MAP_FAMILIES if name in tables for p in tables[name]["period"]}
    )
    if period not in periods:
        available = ", ".join(map(str, periods)) or "none"
        raise AtlasError(where, f"no figures for period {period}; periods available: {available}")
    return tables, is_demo


def _geography(path: str | None, key: str | None = None) -> tuple[str, Geography]:
    """The geography of ``--boundaries``, ``--geography KEY`` (or ``--vintage 2025``), else
    the 2020–2025 schematic default; with the key the view records."""
    from geo.geography.geographies import (
        available_geographies,
        default_geography,
        file_geography,
        load_geography,
    )

    if path:
        return "file", file_geography(path)
    if key:
        choices = {choice.key: choice for choice in available_geographies()}
        if key not in choices:
            raise AtlasError("--geography", f"no geography {key!r}; choices: {', '.join(choices)}")
        return key, load_geography(choices[key])
    return DEFAULT_GEOGRAPHY, default_geography()


def _metrics(
    geography: Geography, tables: dict, period: int, lang: str, *, estimate: bool = False
) -> tuple[pd.DataFrame, VintageTables]:
    """The commune metrics of the geography's vintage (figures of another converted through
    the crosswalk, never joined on codes), and those figures with their provenance and note
    (which the files carry). Newer figures on older units are refused, with where to see them,
    unless ``estimate`` asks for the area-apportioned estimate."""
    from geo.analysis.vintages import tables_for
    from geo.geography.geographies import grouped_communes
    from geo.i18n import t

    keyed = tables_for(geography, tables, period=period, lang=lang, estimate=estimate)
    if period in keyed.refused_periods:
        message = t("cli.refused_period", lang, period=period, vintage=geography.vintage)
        raise AtlasError("--period", message)
    return commune_metrics(grouped_communes(geography), keyed.tables, period=period), keyed


def _format(args: argparse.Namespace, allowed: tuple[str, ...]) -> str:
    """``--format``, else the extension of ``--out`` (brief: PDF, districts: Excel)."""
    if args.what in ("brief", "districts"):
        return {"brief": "pdf", "districts": "xlsx"}[args.what]
    fmt = (args.format or Path(args.out).suffix.lstrip(".")).lower()
    fmt = {"json": "geojson"}.get(fmt, fmt)
    if fmt not in allowed:
        raise AtlasError(
            args.out, f"cannot tell the format; give --format {'|'.join(allowed)}", where=""
        )
    return fmt


def _check_district(geography: Geography, code: str | None) -> None:
    if not code:
        return
    districts = geography.communes[["district_code", "district_name"]].drop_duplicates()
    if code not in set(districts["district_code"]):
        listing = ", ".join(
            f"{row.district_code} {row.district_name}"
            for row in districts.sort_values("district_code").itertuples()
        )
        raise AtlasError("--district", f"no district {code!r}; districts: {listing}")


def _breaks(text: str, lang: str) -> list[float]:
    try:
        from geo.web.layers import parse_breaks
    except ImportError:  # pragma: no cover - the layer registry is optional
        raise AtlasError("--breaks", "manual breaks need geo.web.layers") from None
    try:
        return parse_breaks(text, lang=lang)
    except ValueError as error:
        raise AtlasError("--breaks", f"cannot read {text!r}: {error}") from None


def _view(args: argparse.Namespace, *, demo: bool) -> MapView:
    """The view the options describe; brief and district summary (every layer) name none."""
    breaks = getattr(args, "breaks", None)
    return MapView(
        layer=getattr(args, "layer", DEFAULT_LAYER),
        period=args.period,
        district_code=getattr(args, "district", None),
        scheme=args.scheme,
        k=args.k,
        breaks=_breaks(breaks, args.lang) if breaks else None,
        lang=args.lang,
        demo=demo,
    )


def _export(args: argparse.Namespace) -> int:
    from geo.output import brief, export, printing

    fmt = _format(args, _IMAGE_FORMATS if args.what == "map" else _DATA_FORMATS)
    tables, demo = load_figures(demo=args.demo, db=args.db, period=args.period)
    key = DEFAULT_2025_KEY if args.vintage == "2025" and not args.geography else args.geography
    # after the cheap checks: it takes a moment
    geography_key, geography = _geography(args.boundaries, key)
    metrics, keyed = _metrics(geography, tables, args.period, args.lang, estimate=args.estimate)
    view = _view(args, demo=demo).replace(
        geography_key=geography_key, vintage=str(geography.vintage)
    )
    _check_district(geography, view.district_code)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    if args.what == "map":
        data = printing.render_map(
            geography,
            metrics,
            view,
            fmt=fmt,
            paper=args.paper,
            orientation=args.orientation,
            labels=args.labels,
            dpi=args.dpi,
            vintage_tables=keyed,
            out=args.out,
        )
        what = f"{args.layer} map, {args.paper.upper()} {args.orientation}, {fmt.upper()}"
    elif args.what == "brief":
        data = brief.brief_pdf(geography, metrics, view, vintage_tables=keyed, out=args.out)
        what = "province brief, PDF"
    elif args.what == "data":
        data = export.export_layer(
            geography, metrics, view, fmt=fmt, vintage_tables=keyed, out=args.out
        )
        what = f"{args.layer} layer, {fmt}"
    else:
        data = export.districts_xlsx(geography, metrics, view, vintage_tables=keyed, out=args.out)
        what = "district summary, xlsx"
    label = " (dữ liệu minh họa / demo data)" if demo else ""
    if keyed.estimated_in([args.period]):
        label += " (ước tính theo tỷ lệ diện tích / area-apportioned estimate)"
    print(f"{args.out}: {what}, period {args.period}{label}, {len(data):,} bytes")
    return 0


def add_export_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``export map|brief|data|districts`` to the ``python -m geo`` parser."""
    parser = commands.add_parser(
        "export", help="print-ready maps, the province brief, data files (GeoJSON, GPKG, Excel)"
    )
    kinds = parser.add_subparsers(dest="what", required=True)

    def common(sub: argparse.ArgumentParser, *, layer: bool, district: bool) -> None:
        sub.add_argument("--period", type=int, required=True, help="period (year), e.g. 2019")
        sub.add_argument("--out", required=True, help="file to write")
        if layer:
            sub.add_argument("--layer", required=True, choices=_layer_choices(), help="map layer")
            sub.add_argument(
                "--breaks", help='manual class breaks, e.g. "1; 2,5; 5" (replace --scheme/--k)'
            )
        if district:
            sub.add_argument("--district", help="district code (GSO, e.g. 152): only it")
        sub.add_argument("--lang", choices=("vi", "en"), default="vi", help="language")
        sub.add_argument("--scheme", choices=_SCHEMES, default="fisher_jenks")
        sub.add_argument("--k", type=int, default=5, help="classes of amounts (default 5)")
        sub.add_argument("--demo", action="store_true", help="use the shipped demo tables")
        sub.add_argument(
            "--db", help="database URL (default: $ATLAS_DB_URL, else data/atlas.sqlite)"
        )
        sub.add_argument("--boundaries", help="commune layer to use instead of the default")
        sub.add_argument("--geography", help="a geography key (e.g. shipped:phutho-2025:former-17)")
        sub.add_argument(
            "--vintage",
            choices=("2020-2025", "2025"),
            help="2025: the former Hòa Bình on the real 2025 units, figures converted",
        )
        sub.add_argument(
            "--estimate",
            action="store_true",
            help="figures of the 2025 units on the 2020-2025 units: an area-apportioned "
            "estimate, labelled as one in the file (otherwise refused)",
        )
        sub.set_defaults(handler=_export)

    map_parser = kinds.add_parser("map", help="print-ready map (PNG 300 dpi or vector PDF)")
    common(map_parser, layer=True, district=True)
    map_parser.add_argument("--format", choices=_IMAGE_FORMATS, help="default: from --out")
    map_parser.add_argument("--paper", choices=("a4", "a3"), default="a4")
    map_parser.add_argument("--orientation", choices=("portrait", "landscape"), default="portrait")
    map_parser.add_argument("--labels", action="store_true", help="write commune names")
    map_parser.add_argument("--dpi", type=int, default=300, help="PNG resolution (default 300)")

    brief_parser = kinds.add_parser("brief", help="two-page province brief (PDF)")
    common(brief_parser, layer=False, district=False)

    data_parser = kinds.add_parser("data", help="layer with its figures: GeoJSON, GPKG, Excel")
    common(data_parser, layer=True, district=True)
    data_parser.add_argument("--format", choices=_DATA_FORMATS, help="default: from --out")

    districts_parser = kinds.add_parser("districts", help="district summary (Excel)")
    common(districts_parser, layer=False, district=False)
