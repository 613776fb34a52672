"""Command line: ``python -m geo …``, thin over the modules of :mod:`geo`.

Commands
--------
``boundaries PATH [--crs CRS] [--encoding E] [--layer NAME] [--vintage V] [--no-cache] [--json]
[--strict]``
    Load and validate a commune layer; print feature count, source CRS, bounds in EPSG:4326,
    vintage and problems. Exit 1 when the file cannot be used, with one line naming the file,
    the feature and the reason, never a traceback (``--strict``: also when features were
    dropped).
``boundaries fetch SOURCE --province CODE [--mirror URL] [--timeout S] [--accept-licence]``
    Download real commune boundaries of a province from a public source (``boundaries sources``
    lists them): see :mod:`geo.cli.fetch`.
``summary --period P [--vintage V] [--estimate] [--boundaries PATH] [--json] [--lang vi|en]``
    Province KPIs of one period, beside the published figures. ``--vintage 2025`` shows the
    figures on the units of 1 July 2025, converted through the crosswalk
    (:mod:`geo.analysis.conversion`); a 2025 boundary file is converted to without asking.
    Figures of the 2025 units (2025 on) are not converted back to older units, unless
    ``--estimate`` asks for an area-apportioned estimate, which the output labels as one.

``import``, ``batches``, ``rollback``, ``delete``, ``template``, ``user add``
    Planners' figures: see :mod:`geo.cli.data`.
``export map|brief|data|districts …``
    Print-ready maps, the province brief and data files: see :mod:`geo.cli.export`.

Exit codes: 0 success, 1 data error, 2 usage error.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from geo.analysis.conversion import convert_tables
from geo.analysis.kpi_cards import PUBLISHED_PERIOD
from geo.analysis.metrics import commune_metrics, province_kpis
from geo.cli.data import add_data_commands
from geo.cli.export import add_export_command
from geo.cli.fetch import BOUNDARY_ACTIONS
from geo.errors import AtlasError, BoundaryError
from geo.figures.criteria import CriteriaSet, criteria_set_for, set_reference, set_summary
from geo.figures.demo import DEMO_LABEL
from geo.figures.indicators import load_demo
from geo.figures.published import FIGURES, SOURCE
from geo.geography.admin_units import HOA_BINH
from geo.geography.boundaries import load_boundaries
from geo.geography.crosswalk import VINTAGE_ORDER, crosswalk
from geo.geography.units_2025 import VINTAGE_2025, communes_2025
from geo.i18n import Lang, format_number, t
from geo.schema import COMMUNE_CODE, DISTRICT_CODE, DISTRICT_NAME, VINTAGE_2020_2025

__all__ = [
    "main",
]

log = logging.getLogger(__name__)


def _print_json(payload: object) -> None:
    json.dump(payload, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def _plain(number: float) -> int | float:
    """Whole numbers print as integers in JSON (4648, not 4648.0)."""
    return int(number) if float(number).is_integer() else round(number, 3)


def _boundaries(args: argparse.Namespace) -> int:
    try:
        layer = load_boundaries(
            args.path,
            crs=args.crs,
            layer=args.layer,
            vintage=args.vintage,
            use_cache=not args.no_cache,
            encoding=args.encoding,
        )
    except AtlasError:
        raise
    except Exception as exc:  # a reader's bug or GDAL's: a reason for the user, no traceback
        log.debug("boundaries %s", args.path, exc_info=True)
        message = t("boundaries.unexpected", "en", kind=type(exc).__name__, message=exc)
        raise BoundaryError(Path(args.path).name, message) from exc
    summary = layer.summary()
    if args.json:
        _print_json(summary)
    else:
        minx, miny, maxx, maxy = summary["bounds_wgs84"]
        print(f"file:        {summary['file']}")
        print(f"features:    {summary['feature_count']} communes, {summary['districts']} districts")
        print(f"source CRS:  {summary['source_crs']}")
        print(f"bounds 4326: {minx:.5f}, {miny:.5f} – {maxx:.5f}, {maxy:.5f} (lon/lat)")
        print(f"vintage:     {summary['vintage']}")
        print(f"area:        {summary['area_km2']:.1f} km²")
        print(f"problems:    {summary['errors']} errors, {summary['warnings']} warnings")
        for problem in summary["problems"]:
            where = f" [{problem['where']}]" if problem["where"] else ""
            print(f"  {problem['severity']:7} {summary['file']}{where}: {problem['message']}")
    return 1 if args.strict and summary["errors"] else 0


def _summary_place(
    args: argparse.Namespace, tables: dict[str, pd.DataFrame]
) -> tuple[pd.DataFrame, dict[str, pd.DataFrame], dict[str, Any]]:
    """The communes and the tables of the summary, converted when the map is of another vintage.

    The demo figures up to 2024 are keyed to the 2020–2025 units, from 2025 on to the 2025
    units; a map of another vintage gets them only through the crosswalk (forward in time),
    never by joining codes that happen to be equal.
    """
    layer = load_boundaries(args.boundaries) if args.boundaries else None
    figures = _figures_vintage(tables)
    layer_vintage = str(layer.vintage) if layer is not None else None
    vintage = args.vintage or (layer_vintage if layer_vintage in VINTAGE_ORDER else None) or figures
    if vintage == figures:
        if layer is not None:
            return layer.communes, tables, {"vintage": layer_vintage}
        if figures == VINTAGE_2025:
            return _hoa_binh_2025(set(tables["models"][COMMUNE_CODE])), tables, {"vintage": figures}
        from geo.geography.geographies import (
            default_geography,  # builds the schematic only when needed
        )

        return default_geography().communes, tables, {"vintage": VINTAGE_2020_2025}
    if figures == VINTAGE_2025:
        if not args.estimate or vintage != VINTAGE_2020_2025:
            message = t("summary.newer_figures", args.lang, period=args.period, vintage=vintage)
            raise AtlasError(source="demo data", message=message)
        return _estimated_place(layer, tables, args.lang)
    walk = crosswalk(VINTAGE_2020_2025, vintage, province_codes=HOA_BINH, lang=args.lang)
    converted = convert_tables(tables, walk, lang=args.lang)
    communes = layer.communes if layer is not None else _hoa_binh_2025(set(walk.table["to_code"]))
    info = {
        "vintage": vintage,
        "converted_from": walk.from_vintage,
        "conversion_source": walk.source,
        "split_predecessors": int(walk.table.loc[walk.table["split"], "from_code"].nunique()),
    }
    return communes, converted, info


def _estimated_place(
    layer: Any, tables: dict[str, pd.DataFrame], lang: Lang
) -> tuple[pd.DataFrame, dict[str, pd.DataFrame], dict[str, Any]]:
    """The 2025 figures as an area-apportioned estimate on the 2020–2025 units (``--estimate``):
    every row says ``estimate``, and so does the output."""
    walk = crosswalk(VINTAGE_2025, VINTAGE_2020_2025, province_codes=HOA_BINH, estimate=True)
    estimated = convert_tables(tables, walk, lang=lang)
    if layer is not None:
        communes = layer.communes
    else:
        from geo.geography.geographies import default_geography

        communes = default_geography().communes
    info = {
        "vintage": VINTAGE_2020_2025,
        "estimated_from": VINTAGE_2025,
        "estimate": True,
        "conversion_source": walk.source,
    }
    return communes, estimated, info


def _figures_vintage(tables: dict[str, pd.DataFrame]) -> str:
    """The vintage of one period's demo figures (2020–2025 up to 2024, 2025 from 2025)."""
    found = set(tables["models"]["vintage"].astype(str))
    return found.pop() if len(found) == 1 else VINTAGE_2020_2025


def _hoa_binh_2025(codes: set[str]) -> pd.DataFrame:
    """The 2025 units of the former Hòa Bình with these codes (no districts after 2025)."""
    communes = communes_2025(HOA_BINH).assign(**{DISTRICT_CODE: "", DISTRICT_NAME: ""})
    return communes[communes[COMMUNE_CODE].isin(codes)]


def _summary(args: argparse.Namespace) -> int:
    lang: Lang = args.lang
    tables = load_demo()
    periods = sorted(int(p) for p in tables["models"]["period"].unique())
    if args.period not in periods:
        raise AtlasError(
            source="demo data",
            message=f"no figures for period {args.period}; periods available: "
            + ", ".join(map(str, periods)),
        )
    # Only the period shown is converted (the conversion is per period anyway).
    tables = {family: table[table["period"] == args.period] for family, table in tables.items()}
    communes, tables, place = _summary_place(args, tables)
    metrics = commune_metrics(communes, tables, period=args.period)
    # The published figures are of 2019: later periods are not set against them.
    published = {
        key: figure.value for key, figure in FIGURES.items() if args.period == PUBLISHED_PERIOD
    }
    if "converted_from" in place or "estimated_from" in place:
        # Published counts of communes refer to the 2019 units: no comparison on other units.
        for key in ("ntm_communes", "land_communes"):
            published.pop(key, None)
    kpis = province_kpis(metrics, published=published)
    payload: dict[str, Any] = {
        "period": args.period,
        "data": DEMO_LABEL,
        **place,
        "communes": len(metrics),
        "kpis": {
            kpi.key: {
                "value": _plain(kpi.value),
                "unit": kpi.unit,
                "published": kpi.published,
                "difference": None if kpi.difference is None else _plain(kpi.difference),
            }
            for kpi in kpis
        },
        "published_source": SOURCE.citation,
        "published_note": SOURCE.denominator_note,
    }
    criteria_set = criteria_set_for(args.period)
    # The NTM figures were measured against this set (19 criteria until 2025, 10 from 2026).
    payload["criteria_set"] = None if criteria_set is None else set_summary(criteria_set, lang)
    if args.json:
        _print_json(payload)
        return 0
    estimated = f" · {t('summary.estimate_label', lang)}" if "estimated_from" in place else ""
    print(f"{t('app.kpis', lang)} · {args.period} · {DEMO_LABEL}{estimated}")
    if "converted_from" in place:
        print(t("summary.converted", lang, **place))
    if "estimated_from" in place:
        print(t("summary.estimated", lang, **place))
    for kpi in kpis:
        label = t(f"kpi.{kpi.key}", lang)
        value = format_number(kpi.value, lang, decimals=1 if kpi.value % 1 else 0)
        published_text = (
            ""
            if kpi.published is None
            else f"  ({t('app.published', lang)}: {format_number(kpi.published, lang)})"
        )
        print(f"  {label:<36} {value:>10}{published_text}")
    if criteria_set is not None:
        print(_criteria_line(criteria_set, lang))
    print(f"{t('app.source', lang)}: {SOURCE.citation}")
    return 0


def _criteria_line(criteria_set: CriteriaSet, lang: Lang) -> str:
    """ "Số liệu NTM đo theo bộ tiêu chí 2026–2030 (51/2025/QĐ-TTg, 10 tiêu chí)"."""
    return t("summary.criteria_set", lang, set=set_reference(criteria_set, lang))


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``python -m geo``."""
    parser = argparse.ArgumentParser(prog="python -m geo", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)

    boundaries = commands.add_parser(
        "boundaries",
        help="load and validate a commune layer (or: boundaries fetch|sources …)",
        epilog="python -m geo boundaries fetch SOURCE --province CODE downloads real boundaries;"
        " python -m geo boundaries sources lists the sources.",
    )
    boundaries.add_argument("path", help="GeoJSON, GeoPackage, Shapefile (.shp/.zip), GeoParquet")
    boundaries.add_argument(
        "--crs", help="CRS of the file when it has none (e.g. EPSG:9211 or vn2000:106)"
    )
    boundaries.add_argument(
        "--encoding",
        help="text encoding of a shapefile without .cpg (utf-8, cp1258, tcvn3, vni); "
        "default: detected, with a warning",
    )
    boundaries.add_argument("--layer", help="layer of a GeoPackage, or shapefile inside a zip")
    boundaries.add_argument("--vintage", help="boundary vintage, e.g. 2020-2025")
    boundaries.add_argument("--no-cache", action="store_true", help="ignore the GeoParquet cache")
    boundaries.add_argument("--json", action="store_true", help="print JSON")
    boundaries.add_argument(
        "--strict", action="store_true", help="exit 1 when any feature had to be dropped"
    )
    boundaries.set_defaults(handler=_boundaries)

    summary = commands.add_parser("summary", help="province KPIs of one period")
    summary.add_argument("--period", type=int, required=True, help="period (year), e.g. 2019")
    summary.add_argument(
        "--vintage",
        choices=VINTAGE_ORDER,
        help="units to show the figures on (default: those of the figures, 2020-2025)",
    )
    summary.add_argument(
        "--estimate",
        action="store_true",
        help="figures of the 2025 units on older units: an area-apportioned estimate, "
        "labelled as one (otherwise refused)",
    )
    summary.add_argument("--boundaries", help="commune layer to use instead of the default")
    summary.add_argument("--json", action="store_true", help="print JSON")
    summary.add_argument("--lang", choices=("vi", "en"), default="vi", help="language")
    summary.set_defaults(handler=_summary)
    add_data_commands(commands)  # import, batches, rollback, delete, template, user
    add_export_command(commands)  # export map|brief|data|districts
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    words = list(sys.argv[1:] if argv is None else argv)
    if len(words) >= 2 and words[0] == "boundaries" and words[1] in BOUNDARY_ACTIONS:
        return BOUNDARY_ACTIONS[words[1]](words[2:])  # fetch / sources, not a file path
    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args))
    except AtlasError as error:
        print(f"error: {error}", file=sys.stderr)
        for problem in error.problems[:20]:
            print(f"  {problem}", file=sys.stderr)
        return 1
