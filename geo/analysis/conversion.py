"""Figures of one boundary vintage carried to another through a crosswalk, with provenance.

:func:`convert_tables` takes indicator tables (:mod:`geo.figures.indicators`) and a
:class:`geo.geography.crosswalk.Crosswalk` and returns the tables keyed to the target units.
Never by code coincidence: a 2025 commune that reuses a predecessor's code gets the sum of all
its predecessors, not that one's row.

Rules, per column of the family schema:

* **Additive** (:data:`ADDITIVE_COLUMNS`: the four model counts, ``models_replicated``,
  ``population``, ``land_done_ha``, ``land_planned_ha``): summed over the predecessors. A split
  predecessor's value is divided by its shares with the largest-remainder method
  (:func:`geo.figures.demo.allocate`) *per predecessor*, in whole units for counts and in
  hundredths for hectares, so every part is a whole count and the parts of each predecessor
  add up to its value exactly: province totals are conserved exactly. An empty cell stays out of
  the sum; a unit whose predecessors are all empty stays empty ("no data", never zero).
* **Non-additive** (ordered levels ``ntm_level`` and ``land_status``, ``criteria_met``): ONE
  rule, the *lowest* among the predecessors that are rated (a phường or thị trấn is not rated
  for NTM). Why the lowest: a merged commune has certainly reached a level only where every
  part of it has; a leader reading "NTM" on the map should be able to rely on it for the whole
  territory. The years (``ntm_year``, ``land_year``) are the latest among the predecessors when
  the derived level is reached (the year the last part got there), else empty. These rows are
  marked ``derived`` and carry a ``composition`` ("3 of 4 former units at NTM, 78 % of the
  area", weighted by the crosswalk's ``part_km2``) so that the reader sees what the colour hides.
* ``named_models``: each model moves to the successor of its commune; a split commune's model
  goes to the successor that took the largest share (the place of a model is not known).

Every converted row keeps its provenance in :data:`PROVENANCE_COLUMNS`: the source vintage,
the predecessors (codes and names), the rule (:data:`RULES`), a note in the reader's language,
``derived``, ``estimate`` (the crosswalk goes back in time) and ``complete`` (every predecessor
had a row). A row already of the target vintage passes unchanged (rule ``unchanged``).

Examples
--------
>>> from geo.figures.indicators import load_demo
>>> from geo.geography.crosswalk import crosswalk
>>> tables = load_demo()
>>> walk = crosswalk("2020-2025", "2025", province_codes="17")
>>> out = convert_tables(tables, walk, lang="en")
>>> models = out["models"].query("period == 2019")
>>> len(models), int(models["models_economy"].sum()), int(models["models_replicated"].sum())
(46, 1392, 646)
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import numpy as np
import pandas as pd

from geo.errors import DataError
from geo.figures.demo import allocate
from geo.figures.indicators import (
    CRITERIA_MET,
    FAMILIES,
    FIELD_COLUMNS,
    LAND,
    LAND_DONE,
    LAND_DONE_HA,
    LAND_PLANNED_HA,
    LAND_STATUS,
    LAND_YEAR,
    MODELS,
    MODELS_REPLICATED,
    NAMED_MODELS,
    NTM,
    NTM_LEVEL,
    NTM_STANDARD,
    NTM_YEAR,
    PERIOD,
    POPULATION,
)
from geo.geography.crosswalk import BASIS_WHOLE, Crosswalk
from geo.i18n import Lang, format_number, t
from geo.schema import COMMUNE_CODE, VINTAGE

__all__ = [
    "ADDITIVE_COLUMNS",
    "COMPOSITION",
    "LOWEST_COLUMNS",
    "PROVENANCE_COLUMNS",
    "RULES",
    "RULE_UNCHANGED",
    "convert_tables",
    "unchanged_rows",
]

#: Columns summed over predecessors (a split one apportioned), by family; decimals kept.
ADDITIVE_COLUMNS: Mapping[str, Mapping[str, int]] = MappingProxyType(
    {
        MODELS: MappingProxyType(
            {**dict.fromkeys(FIELD_COLUMNS.values(), 0), MODELS_REPLICATED: 0, POPULATION: 0}
        ),
        LAND: MappingProxyType({LAND_DONE_HA: 2, LAND_PLANNED_HA: 2}),
    }
)
#: Columns derived by the lowest-level rule, by family.
LOWEST_COLUMNS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {NTM: (NTM_LEVEL, CRITERIA_MET), LAND: (LAND_STATUS,)}
)
# Year columns: the latest predecessor's year when the derived level is at least this one.
_YEARS: dict[str, tuple[str, str, str]] = {
    NTM: (NTM_YEAR, NTM_LEVEL, NTM_STANDARD),
    LAND: (LAND_YEAR, LAND_STATUS, LAND_DONE),
}
_COMPOSITION_KEYS = {NTM: "conversion.ntm_composition", LAND: "conversion.land_composition"}

RULE_UNCHANGED = "unchanged"
RULE_SUMMED = "summed"
RULE_APPORTIONED = "apportioned by area share"
RULE_DERIVED = "derived: lowest level"
RULE_PLACED = "placed in the successor"
#: Values of ``conversion_rule`` (a family with both kinds joins them with ``" + "``).
RULES: tuple[str, ...] = (RULE_UNCHANGED, RULE_SUMMED, RULE_APPORTIONED, RULE_DERIVED, RULE_PLACED)

#: Provenance columns of every converted table.
PROVENANCE_COLUMNS: tuple[str, ...] = (
    "from_vintage",
    "from_codes",
    "from_names",
    "conversion_rule",
    "conversion_note",
    "derived",
    "estimate",
    "complete",
)
#: Composition of the predecessors of a derived row (``ntm`` and ``land``).
COMPOSITION = "composition"


def convert_tables(
    tables: Mapping[str, pd.DataFrame], crosswalk: Crosswalk, *, lang: Lang = "vi"
) -> dict[str, pd.DataFrame]:
    """The indicator tables keyed to the crosswalk's target units, with provenance.

    Parameters
    ----------
    tables : mapping of str to pandas.DataFrame
        Indicator tables by family (``models``, ``named_models``, ``ntm``, ``land``), each with
        ``commune_code``, ``period`` and ``vintage``; other keys are passed through unchanged.
    crosswalk : Crosswalk
        From the tables' vintage to the map's (:func:`geo.geography.crosswalk.crosswalk`).
    lang : {"vi", "en"}
        Language of ``conversion_note`` and ``composition``.

    Returns
    -------
    dict of str to pandas.DataFrame
        Per family: ``commune_code`` (target units), ``period``, ``vintage`` (the target), the
        family's columns, :data:`PROVENANCE_COLUMNS` and, for ``ntm`` and ``land``,
        :data:`COMPOSITION`; sorted by period and code.

    Raises
    ------
    geo.errors.DataError
        A table has rows of a vintage that is neither the crosswalk's source nor its target, or
        codes the crosswalk does not know (another province, or not a code of that vintage).
    """
    out: dict[str, pd.DataFrame] = {}
    for family, table in tables.items():
        if family not in FAMILIES or table is None:
            out[family] = table
            continue
        vintage = table[VINTAGE].astype(str)
        passed = _unchanged(table[vintage == crosswalk.to_vintage], family, crosswalk, lang)
        source = table[vintage == crosswalk.from_vintage]
        _check(table, family, crosswalk, lang)
        converted = (
            _place_named(source, crosswalk, lang)
            if family == NAMED_MODELS
            else _convert_family(source, family, crosswalk, lang)
        )
        key = [PERIOD, COMMUNE_CODE]
        frames = [frame for frame in (converted, passed) if len(frame)]
        merged = pd.concat(frames, ignore_index=True) if frames else converted
        out[family] = _typed(merged.sort_values(key, kind="stable").reset_index(drop=True), family)
    return out


def _check(table: pd.DataFrame, family: str, walk: Crosswalk, lang: Lang) -> None:
    names = {"family": family, "from_vintage": walk.from_vintage, "to_vintage": walk.to_vintage}
    vintage = table[VINTAGE].astype(str)
    other = table[~vintage.isin([walk.from_vintage, walk.to_vintage])]
    if len(other):
        found = ", ".join(sorted(set(other[VINTAGE].astype(str))))
        message = t("conversion.other_vintage", lang, n=len(other), vintage=found, **names)
        raise DataError(source=family, message=message, where=VINTAGE)
    codes = set(table.loc[vintage == walk.from_vintage, COMMUNE_CODE].astype(str))
    unknown = sorted(codes - set(walk.table["from_code"]))
    if unknown:
        shown = ", ".join(unknown[:10]) + (" …" if len(unknown) > 10 else "")
        message = t("conversion.codes_not_in_crosswalk", lang, codes=shown, **names)
        raise DataError(source=family, message=message, where=COMMUNE_CODE)


def _unchanged(rows: pd.DataFrame, family: str, walk: Crosswalk, lang: Lang) -> pd.DataFrame:
    return unchanged_rows(rows, family, vintage=walk.to_vintage, lang=lang)


def unchanged_rows(
    rows: pd.DataFrame, family: str, *, vintage: str, lang: Lang = "vi"
) -> pd.DataFrame:
    """Rows already of the target ``vintage``, with a provenance that says they are unchanged
    (beside converted rows of the same table, every row says where it comes from).

    Examples
    --------
    >>> rows = pd.DataFrame({"commune_code": ["04792"], "period": [2025], "vintage": ["2025"]})
    >>> unchanged_rows(rows, "models", vintage="2025")[["from_codes", "conversion_rule"]].values
    array([['04792', 'unchanged']], dtype=object)
    """
    rows = rows.copy()
    rows["from_vintage"] = vintage
    rows["from_codes"] = rows[COMMUNE_CODE].astype(str)
    rows["from_names"] = ""
    rows["conversion_rule"] = RULE_UNCHANGED
    rows["conversion_note"] = t("conversion.unchanged", lang, vintage=vintage)
    rows["derived"] = False
    rows["estimate"] = False
    rows["complete"] = True
    if family in _COMPOSITION_KEYS:
        rows[COMPOSITION] = ""
    return rows


def _apportion(pairs: pd.DataFrame, column: str, decimals: int) -> pd.Series:
    """Each pair's part of its predecessor's value: largest remainder per predecessor."""
    values = pd.to_numeric(pairs[column]).astype("Float64")
    parts = values.copy()
    scale = 10**decimals
    split = pairs["share"] < 1.0
    for _, rows in pairs[split].groupby([PERIOD, "from_code"], sort=False):
        value = values[rows.index[0]]
        if pd.isna(value):
            continue
        whole = allocate(round(float(value) * scale), rows["share"].to_numpy(float))
        parts[rows.index] = whole / scale
    return parts


def _convert_family(source: pd.DataFrame, family: str, walk: Crosswalk, lang: Lang) -> pd.DataFrame:
    """Sum, apportion and derive one family's rows per (period, target unit)."""
    pairs = source.merge(walk.table, left_on=COMMUNE_CODE, right_on="from_code", how="inner")
    additive = ADDITIVE_COLUMNS.get(family, {})
    for column, decimals in additive.items():
        pairs[column] = _apportion(pairs, column, decimals)
    expected = walk.table.groupby("to_code")["from_code"].apply(list)
    names = dict(zip(walk.table["from_code"], walk.table["from_name"], strict=False))
    rows = []
    for (period, to_code), group in pairs.groupby([PERIOD, "to_code"], sort=True):
        row: dict[str, object] = {COMMUNE_CODE: to_code, PERIOD: period, VINTAGE: walk.to_vintage}
        for column in additive:
            row[column] = group[column].sum(min_count=1)
        for column in LOWEST_COLUMNS.get(family, ()):
            row[column] = _lowest(group[column])
        if family in _YEARS:
            year, level, reached = _YEARS[family]
            ordered = source[level].dtype
            at_least = pd.notna(row[level]) and ordered.categories.get_loc(
                row[level]
            ) >= ordered.categories.get_loc(reached)
            row[year] = group[year].max() if at_least else pd.NA
        missing = [code for code in expected[to_code] if code not in set(group["from_code"])]
        row.update(_provenance(group, family, walk, lang, [names[c] for c in missing]))
        rows.append(row)
    columns = [*FAMILIES[family].column_names, *PROVENANCE_COLUMNS]
    if family in _COMPOSITION_KEYS:
        columns.append(COMPOSITION)
    return pd.DataFrame(rows, columns=columns)


def _lowest(values: pd.Series) -> object:
    """The lowest value among those given (an ordered category or a number); NA if none."""
    known = values.dropna()
    if known.empty:
        return pd.NA
    return known.min()


def _pct(value: float, lang: Lang) -> str:
    return format_number(round(100 * value), lang)


def _part_label(name: str, share: float, share_basis: str, lang: Lang) -> str:
    if share_basis == BASIS_WHOLE:
        return str(name)
    basis = t(f"conversion.basis.{share_basis}", lang)
    return t("conversion.part", lang, name=name, pct=_pct(share, lang), basis=basis)


def _provenance(
    group: pd.DataFrame, family: str, walk: Crosswalk, lang: Lang, missing: list[str]
) -> dict[str, object]:
    """The provenance columns of one converted row from its predecessor pairs."""
    # zip, not iterrows: this runs for every converted row of every period.
    labels = ", ".join(
        _part_label(name, share, basis, lang)
        for name, share, basis in zip(
            group["from_name"], group["share"], group["share_basis"], strict=True
        )
    )
    apportioned = bool((group["share"] < 1.0).any())
    rules = []
    if family in ADDITIVE_COLUMNS:
        rules.append(RULE_APPORTIONED if apportioned else RULE_SUMMED)
    derived = family in LOWEST_COLUMNS
    if derived:
        rules.append(RULE_DERIVED)
    n = len(group)
    if derived and family not in ADDITIVE_COLUMNS:
        note = t("conversion.derived", lang, n=n, names=labels)
    elif n == 1:
        note = t("conversion.one", lang, names=labels)
    else:
        note = t("conversion.summed", lang, n=n, names=labels)
    if missing:
        note = t("conversion.incomplete", lang, note=note, names=", ".join(missing))
    if walk.estimate:
        note = t("conversion.estimate", lang, note=note)
    provenance: dict[str, object] = {
        "from_vintage": walk.from_vintage,
        "from_codes": ";".join(group["from_code"]),
        "from_names": ";".join(group["from_name"]),
        "conversion_rule": " + ".join(rules),
        "conversion_note": note,
        "derived": derived,
        "estimate": walk.estimate,
        "complete": not missing,
    }
    if family in _COMPOSITION_KEYS:
        provenance[COMPOSITION] = _composition(group, family, lang)
    return provenance


def _composition(group: pd.DataFrame, family: str, lang: Lang) -> str:
    """ "k of n former units at <level>, p % of the area", and how many were not rated.

    The area share needs the part area of every predecessor (the crosswalk's ``part_km2``);
    when one is unknown (2019 units merged in 2020) the composition is by count only.
    """
    _, level, reached = _YEARS[family]
    categories = group[level].dtype.categories
    codes = group[level].cat.codes.to_numpy()
    at_level = codes >= categories.get_loc(reached)
    area = group["part_km2"].to_numpy(float)
    key, k, n = _COMPOSITION_KEYS[family], int(at_level.sum()), len(group)
    if np.isnan(area).any() or area.sum() <= 0:
        # An area share over the known parts only would be wrong: say the count alone.
        text = t(f"{key}_count", lang, k=k, n=n)
    else:
        text = t(key, lang, k=k, n=n, pct=_pct(float(area[at_level].sum() / area.sum()), lang))
    not_rated = int((codes < 0).sum())
    return t("conversion.not_rated", lang, text=text, m=not_rated) if not_rated else text


def _place_named(source: pd.DataFrame, walk: Crosswalk, lang: Lang) -> pd.DataFrame:
    """Each named model moves to its commune's successor (largest share when it was split)."""
    best = walk.table.sort_values(["from_code", "share"], ascending=[True, False], kind="stable")
    best = best.drop_duplicates("from_code")
    rows = source.merge(best, left_on=COMMUNE_CODE, right_on="from_code", how="inner")
    split = rows["share"] < 1.0
    rows[COMMUNE_CODE] = rows["to_code"]
    rows[VINTAGE] = walk.to_vintage
    rows["from_vintage"] = walk.from_vintage
    rows["from_codes"] = rows["from_code"]
    rows["from_names"] = rows["from_name"]
    rows["conversion_rule"] = RULE_PLACED
    notes = [
        t("conversion.placed", lang, name=name, to_name=to, pct=_pct(share, lang))
        if is_split
        else t("conversion.one", lang, names=name)
        for name, to, share, is_split in zip(
            rows["from_name"], rows["to_name"], rows["share"], split, strict=True
        )
    ]
    rows["conversion_note"] = (
        [t("conversion.estimate", lang, note=n) for n in notes] if walk.estimate else notes
    )
    rows["derived"] = False
    rows["estimate"] = walk.estimate
    rows["complete"] = True
    return rows.loc[:, [*FAMILIES[NAMED_MODELS].column_names, *PROVENANCE_COLUMNS]]


def _typed(frame: pd.DataFrame, family: str) -> pd.DataFrame:
    """The family's dtypes back on the converted columns (sums give floats and objects)."""
    for column in FAMILIES[family].columns:
        if column.name not in frame:
            continue
        dtype = column.dtype
        if dtype == "int64":
            dtype = "Int64"
        if dtype == "Int64":
            frame[column.name] = pd.to_numeric(frame[column.name]).round().astype("Int64")
        elif dtype == "float64":
            frame[column.name] = pd.to_numeric(frame[column.name]).astype(float).round(6)
        else:
            frame[column.name] = frame[column.name].astype(dtype)
    for column in ("derived", "estimate", "complete"):
        frame[column] = frame[column].astype(bool)
    frame[PERIOD] = frame[PERIOD].astype(np.int64)
    return frame
