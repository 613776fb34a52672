"""Communes after the reform of 1 July 2025, and the conversion of 2020–2025 codes to them.

On 1 July 2025 Vietnam went from 63 to 34 provinces and dropped the district level; most
communes were merged (Hòa Bình became part of Phú Thọ, GSO code 25). The registry package
``vietnamadminunits`` ships both lists (tables ``admin_units_legacy`` and ``admin_units``) and
the converter's data file ``converter_2025.json``: for every 2020–2025 commune the 2025 commune
it became part of, and, for the few communes split between several 2025 communes, all of them
with the *default* one (where the package's ``convert_address`` puts an address without a
street). This module reads those tables directly: the conversion of a code needs no address
parsing and no network.

Examples
--------
>>> table = convert_codes_2025(["04789", "5233"])
>>> table[["old_code", "new_code", "new_name", "split"]].values.tolist()
[['04789', '04828', 'Phường Thống Nhất', False], ['05233', '05200', 'Xã Mai Châu', False]]
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import cache
from importlib import resources

import pandas as pd
from vietnamadminunits.database import query

from geo.schema import (
    AREA_KM2,
    COMMUNE_CODE,
    COMMUNE_NAME,
    COMMUNE_TYPE,
    PROVINCE_CODE,
    PROVINCE_NAME,
    VINTAGE,
)

__all__ = [
    "FORMER_DISTRICTS",
    "FORMER_DISTRICT_CODE",
    "FORMER_DISTRICT_COLUMNS",
    "FORMER_DISTRICT_NAME",
    "PREDECESSOR_COLUMNS",
    "SUCCESSOR_COLUMNS",
    "VINTAGE_2025",
    "centres_2025",
    "communes_2025",
    "convert_codes_2025",
    "former_districts_2025",
    "predecessors_2025",
    "province_2025",
    "province_codes_2025",
    "provinces_2025",
    "successor_codes_2025",
    "successors_2025",
]

#: Boundary vintage of the units valid from 1 July 2025 (34 provinces, no districts).
VINTAGE_2025 = "2025"

#: Columns of :func:`convert_codes_2025`.
CONVERSION_COLUMNS: tuple[str, ...] = (
    "old_code",
    "old_name",
    "old_district",
    "new_code",
    "new_name",
    "new_codes",
    "new_names",
    "province_code",
    "split",
    "note",
    "note_vi",
)


@cache
def _converter() -> dict[str, dict]:
    path = resources.files("vietnamadminunits") / "data" / "converter_2025.json"
    return json.loads(path.read_text(encoding="utf-8"))


@cache
def _legacy() -> pd.DataFrame:
    rows = query(
        "SELECT wardCode, ward, district, provinceCode, provinceKey, districtKey, wardKey "
        "FROM admin_units_legacy"
    )
    table = pd.DataFrame(rows)
    table["wardCode"] = table["wardCode"].str.zfill(5)
    return table.set_index("wardCode")


@cache
def _legacy_by_code() -> dict[str, dict[str, str]]:
    """:func:`_legacy` as a dict: converting the country's 10,000 codes one ``.loc`` at a time
    took a new process's first 2025 map about 4 s."""
    legacy = _legacy()
    return legacy[legacy.index.notna()].to_dict("index")


@cache
def _new_units() -> pd.DataFrame:
    rows = query(
        "SELECT wardCode, ward, wardType, provinceCode, province, provinceKey, wardKey, "
        "wardAreaKm2 FROM admin_units"
    )
    table = pd.DataFrame(rows)
    table["wardCode"] = table["wardCode"].str.zfill(5)
    table["provinceCode"] = table["provinceCode"].str.zfill(2)
    return table


#: Columns of :func:`successors_2025`.
SUCCESSOR_COLUMNS: tuple[str, ...] = (
    "old_code",
    "old_name",
    "old_province_code",
    "new_code",
    "new_name",
    "new_province_code",
    "new_area_km2",
    "split",
    "default",
)


@cache
def _new_by_key() -> dict[tuple[str, str], tuple[str, str, str]]:
    """``(province key, ward key)`` → ``(code, name, province code)`` of 2025 communes."""
    table = _new_units()
    return {
        (p, w): (code, name, pc)
        for p, w, code, name, pc in table[
            ["provinceKey", "wardKey", "wardCode", "ward", "provinceCode"]
        ].itertuples(index=False)
    }


@cache
def _old_to_new() -> dict[str, tuple[str, list[tuple[str, bool]]]]:
    """Old ``province_district_ward`` key → (new province key, [(new ward key, default)])."""
    data = _converter()
    out: dict[str, tuple[str, list[tuple[str, bool]]]] = {}
    for new_province, wards in data["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for new_ward, olds in wards.items():
            for old in olds:
                out[old] = (new_province, [(new_ward, True)])
    for new_province, olds in data["DICT_PROVINCE_WARD_DIVIDED"].items():
        for old, parts in olds.items():
            out[old] = (
                new_province,
                [(part["newWardKey"], bool(part["isDefaultNewWard"])) for part in parts],
            )
    return out


def province_2025(province_code: str) -> str:
    """The 2025 province a 2020–2025 province became part of (``"17"`` → ``"25"``, Phú Thọ).

    A code that is already a 2025 province code is returned as it is.

    Examples
    --------
    >>> province_2025("17"), province_2025("01")
    ('25', '01')
    """
    code = province_code.zfill(2)
    legacy = _legacy()
    keys = legacy.loc[legacy["provinceCode"].str.zfill(2) == code, "provinceKey"].unique()
    if len(keys):
        for new_key, olds in _converter()["DICT_PROVINCE"].items():
            if keys[0] in olds:
                new = _new_units()
                return str(new.loc[new["provinceKey"] == new_key, "provinceCode"].iloc[0])
    if code in set(_new_units()["provinceCode"]):
        return code
    raise ValueError(f"unknown province code {province_code!r}")


def communes_2025(province_codes: str | tuple[str, ...]) -> pd.DataFrame:
    """Communes valid from 1 July 2025 of the 2025 province(s) that hold ``province_codes``.

    Parameters
    ----------
    province_codes : str or tuple of str
        2020–2025 or 2025 province codes (``"17"`` gives Phú Thọ, which took in Hòa Bình).

    Returns
    -------
    pandas.DataFrame
        ``commune_code, commune_name, commune_type, province_code, province_name, vintage``
        (``"2025"``), ``area_km2`` (the registry's area, ``wardAreaKm2``); there are no
        districts after 1 July 2025.

    Examples
    --------
    >>> table = communes_2025("17")
    >>> len(table), table["province_name"].iloc[0]
    (148, 'Tỉnh Phú Thọ')
    """
    if isinstance(province_codes, str):
        province_codes = (province_codes,)
    wanted = {province_2025(code) for code in province_codes}
    new = _new_units()
    table = new[new["provinceCode"].isin(wanted)].sort_values("wardCode")
    return pd.DataFrame(
        {
            COMMUNE_CODE: table["wardCode"].to_numpy(),
            COMMUNE_NAME: table["ward"].to_numpy(),
            COMMUNE_TYPE: table["wardType"].to_numpy(),
            PROVINCE_CODE: table["provinceCode"].to_numpy(),
            PROVINCE_NAME: table["province"].to_numpy(),
            VINTAGE: VINTAGE_2025,
            AREA_KM2: table["wardAreaKm2"].to_numpy(float),
        }
    )


def convert_codes_2025(codes: Iterable[str | int]) -> pd.DataFrame:
    """The 2025 commune(s) each 2020–2025 commune code became part of.

    Parameters
    ----------
    codes : iterable of str or int
        GSO commune codes of 2020–2025 (``4789`` and ``"4789"`` mean ``"04789"``).

    Returns
    -------
    pandas.DataFrame
        One row per code, in order, columns :data:`CONVERSION_COLUMNS`: ``old_code``,
        ``old_name``, ``old_district``; ``new_code``/``new_name`` — the 2025 commune (for a
        split commune the package's default one); ``new_codes``/``new_names`` — every 2025
        commune that took a part (tuples); ``province_code`` (2025); ``split`` — whether the
        commune was divided; ``note`` / ``note_vi`` — what happened, in English / Vietnamese.
        Unknown codes have empty ``new_code`` and a note saying so.

    Examples
    --------
    >>> row = convert_codes_2025(["04891"]).iloc[0]
    >>> bool(row["split"]), row["new_codes"]
    (True, ('04828', '04891'))
    >>> print(row["note"].split(";")[0])
    Xã Vầy Nưa was split between Phường Thống Nhất, Xã Tiền Phong
    """
    legacy = _legacy_by_code()
    old_to_new = _old_to_new()
    by_key = _new_by_key()
    # How many old communes went into each new one (for the "merged" note).
    merged: dict[tuple[str, str], int] = {}
    for new_province, parts in old_to_new.values():
        for ward, _ in parts:
            merged[(new_province, ward)] = merged.get((new_province, ward), 0) + 1
    rows: list[dict[str, object]] = []
    for raw in codes:
        code = str(raw).strip()
        code = code.split(".")[0].zfill(5) if code.replace(".", "").isdigit() else code
        row: dict[str, object] = dict.fromkeys(CONVERSION_COLUMNS)
        row.update(old_code=code, new_codes=(), new_names=(), split=False)
        old = legacy.get(code)
        if old is None:
            row["note"] = f"{code} is not a commune code of 2020–2025"
            row["note_vi"] = f"{code} không phải mã xã giai đoạn 2020–2025"
            rows.append(row)
            continue
        row.update(old_name=old["ward"], old_district=old["district"])
        key = f"{old['provinceKey']}_{old['districtKey']}_{old['wardKey']}"
        if key not in old_to_new:
            row["note"] = f"{old['ward']}: no 2025 commune in vietnamadminunits"
            row["note_vi"] = f"{old['ward']}: không có xã mới tương ứng trong vietnamadminunits"
            rows.append(row)
            continue
        new_province, parts = old_to_new[key]
        found = [(by_key.get((new_province, ward)), default) for ward, default in parts]
        found = [(unit, default) for unit, default in found if unit is not None]
        if not found:
            row["note"] = f"{old['ward']}: 2025 commune not in the 2025 list"
            row["note_vi"] = f"{old['ward']}: xã mới không có trong danh mục 2025"
            rows.append(row)
            continue
        default_unit = next((unit for unit, default in found if default), found[0][0])
        row.update(
            new_code=default_unit[0],
            new_name=default_unit[1],
            province_code=default_unit[2],
            new_codes=tuple(unit[0] for unit, _ in found),
            new_names=tuple(unit[1] for unit, _ in found),
            split=len(found) > 1,
        )
        if len(found) > 1:
            names = ", ".join(unit[1] for unit, _ in found)
            row["note"] = (
                f"{old['ward']} was split between {names}; figures go to {default_unit[1]}"
                " (default of vietnamadminunits)"
            )
            row["note_vi"] = (
                f"{old['ward']} được chia cho {names}; số liệu tính cho {default_unit[1]}"
                " (mặc định của vietnamadminunits)"
            )
        else:
            count = merged.get((new_province, parts[0][0]), 1)
            if count > 1:
                row["note"] = f"merged with {count - 1} other commune(s) into {default_unit[1]}"
                row["note_vi"] = f"sáp nhập cùng {count - 1} xã khác thành {default_unit[1]}"
            else:
                row["note"] = f"became {default_unit[1]} (no merger)"
                row["note_vi"] = f"thành {default_unit[1]} (không sáp nhập)"
        rows.append(row)
    return pd.DataFrame(rows, columns=list(CONVERSION_COLUMNS))


@cache
def _successor_table() -> pd.DataFrame:
    legacy = _legacy()
    old_to_new = _old_to_new()
    units = _new_units()
    new = {
        (p, w): (code, name, pc, area)
        for p, w, code, name, pc, area in units[
            ["provinceKey", "wardKey", "wardCode", "ward", "provinceCode", "wardAreaKm2"]
        ].itertuples(index=False)
    }
    rows: list[tuple[object, ...]] = []
    keys = legacy["provinceKey"] + "_" + legacy["districtKey"] + "_" + legacy["wardKey"]
    for code, key, name, province in zip(
        legacy.index, keys, legacy["ward"], legacy["provinceCode"].str.zfill(2), strict=True
    ):
        if key not in old_to_new:
            continue  # no 2025 commune in the registry: convert_codes_2025 says so per code
        new_province, parts = old_to_new[key]
        found = [
            (new[(new_province, ward)], default)
            for ward, default in parts
            if (new_province, ward) in new
        ]
        for (new_code, new_name, new_province_code, area), default in found:
            split = len(found) > 1
            rows.append(
                (
                    code,
                    name,
                    province,
                    new_code,
                    new_name,
                    new_province_code,
                    float(area),
                    split,
                    default or not split,
                )
            )
    return pd.DataFrame(rows, columns=list(SUCCESSOR_COLUMNS))


def successors_2025(old_province_codes: str | tuple[str, ...] = "all") -> pd.DataFrame:
    """Every (2020–2025 commune, 2025 commune that took all or part of it) pair of the registry.

    The fast, table-wide form of :func:`convert_codes_2025`, for building a crosswalk.

    Parameters
    ----------
    old_province_codes : str or tuple of str
        2020–2025 province codes whose communes to list, or ``"all"`` (10,040 communes).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`SUCCESSOR_COLUMNS`, one row per pair, sorted by ``old_code`` then
        ``new_code``: ``new_area_km2`` is the registry's area of the whole 2025 commune,
        ``split`` says the old commune went to several 2025 communes, ``default`` marks the one
        the package puts an address without a street in (always true when not split).

    Examples
    --------
    >>> pairs = successors_2025("17")
    >>> len(pairs), pairs["old_code"].nunique(), pairs["new_code"].nunique()
    (154, 151, 46)
    >>> pairs.loc[pairs["old_code"] == "04891", ["new_code", "new_area_km2"]].values.tolist()
    [['04828', 55.21], ['04891', 116.31]]
    """
    table = _successor_table()
    if old_province_codes != "all":
        wanted = (
            (old_province_codes,) if isinstance(old_province_codes, str) else old_province_codes
        )
        table = table[table["old_province_code"].isin({code.zfill(2) for code in wanted})]
    return table.sort_values(["old_code", "new_code"]).reset_index(drop=True)


# --- predecessors and the former districts ("khu vực huyện cũ") -------------------------------

#: Columns of :func:`predecessors_2025`.
PREDECESSOR_COLUMNS: tuple[str, ...] = (
    "new_code",
    "old_code",
    "old_name",
    "old_district_code",
    "old_district_name",
    "old_province_code",
    "split",
    "share",
)
#: Column of a 2025 layer: code of the former district its commune is grouped under.
FORMER_DISTRICT_CODE = "former_district_code"
#: Column of a 2025 layer: name of that former district (e.g. ``"Huyện Lạc Sơn"``).
FORMER_DISTRICT_NAME = "former_district_name"
#: Column of a 2025 layer: every former district its predecessors lay in, ``"; "``-joined.
FORMER_DISTRICTS = "former_districts"
#: The columns :func:`former_districts_2025` gives each 2025 commune.
FORMER_DISTRICT_COLUMNS: tuple[str, ...] = (
    FORMER_DISTRICT_CODE,
    FORMER_DISTRICT_NAME,
    FORMER_DISTRICTS,
)


@cache
def _all_predecessors() -> pd.DataFrame:
    """Every (2025 commune, 2020–2025 predecessor) pair of the country (see
    :func:`predecessors_2025`)."""
    rows = query(
        "SELECT wardCode, ward, districtCode, district, provinceCode FROM admin_units_legacy "
        "WHERE wardCode IS NOT NULL ORDER BY wardCode"
    )
    legacy = pd.DataFrame(rows)
    legacy["wardCode"] = legacy["wardCode"].str.zfill(5)
    conversion = convert_codes_2025(legacy["wardCode"])
    pairs = pd.DataFrame(
        {
            "new_code": conversion["new_codes"].to_numpy(),
            "old_code": legacy["wardCode"].to_numpy(),
            "old_name": legacy["ward"].to_numpy(),
            "old_district_code": legacy["districtCode"].str.zfill(3).to_numpy(),
            "old_district_name": legacy["district"].to_numpy(),
            "old_province_code": legacy["provinceCode"].str.zfill(2).to_numpy(),
            "split": conversion["split"].to_numpy(dtype=bool),
        }
    )
    # A split predecessor is shared equally between its receivers (the registry has no areas).
    pairs["share"] = 1.0 / pairs["new_code"].map(len).clip(lower=1)
    pairs = pairs.explode("new_code").dropna(subset=["new_code"])
    return pairs.sort_values(["new_code", "old_code"]).reset_index(drop=True)


def provinces_2025() -> dict[str, str]:
    """The 34 provinces from 1 July 2025: two-digit GSO code → name.

    Examples
    --------
    >>> names = provinces_2025()
    >>> len(names), names["25"], names["15"]
    (34, 'Tỉnh Phú Thọ', 'Tỉnh Lào Cai')
    """
    table = _new_units()[["provinceCode", "province"]].drop_duplicates()
    return dict(sorted(zip(table["provinceCode"], table["province"], strict=True)))


def province_codes_2025(province_codes: str | Iterable[str]) -> tuple[str, ...]:
    """The 2025 provinces of ``province_codes`` (2025 or 2020–2025 codes, or ``"all"``), sorted.

    Examples
    --------
    >>> province_codes_2025("17"), province_codes_2025(("25", "26", "17"))
    (('25',), ('25',))
    >>> len(province_codes_2025("all"))
    34
    """
    if isinstance(province_codes, str):
        if province_codes.strip().lower() == "all":
            return tuple(provinces_2025())
        province_codes = (province_codes,)
    codes = tuple(sorted({province_2025(str(code)) for code in province_codes}))
    if not codes:
        raise ValueError("no province code given")
    return codes


def predecessors_2025(province_codes: str | Iterable[str]) -> pd.DataFrame:
    """The 2020–2025 communes each 2025 commune of the given 2025 province(s) was made of.

    Parameters
    ----------
    province_codes : str or iterable of str
        2025 province codes (2020–2025 codes are taken as the 2025 province they joined), or
        ``"all"``.

    Returns
    -------
    pandas.DataFrame
        One row per (2025 commune, predecessor) pair, sorted, columns
        :data:`PREDECESSOR_COLUMNS`: ``new_code``; the predecessor's ``old_code``,
        ``old_name``, ``old_district_code``, ``old_district_name``, ``old_province_code``;
        ``split`` — the predecessor was divided between several 2025 communes; ``share`` —
        ``1 / receivers`` for a split one (an equal share: the registry has no areas), else 1.

    Examples
    --------
    >>> pairs = predecessors_2025("25")
    >>> pairs["new_code"].nunique(), len(pairs)
    (148, 482)
    >>> pairs.loc[pairs["old_code"] == "04891", ["new_code", "split", "share"]].values.tolist()
    [['04828', True, 0.5], ['04891', True, 0.5]]
    """
    wanted = set(province_codes_2025(province_codes))
    new = _new_units()
    codes = set(new.loc[new["provinceCode"].isin(wanted), "wardCode"])
    pairs = _all_predecessors()
    return pairs[pairs["new_code"].isin(codes)].reset_index(drop=True)[list(PREDECESSOR_COLUMNS)]


def successor_codes_2025(province_codes: str | Iterable[str]) -> tuple[str, ...]:
    """Codes of the 2025 communes that took in (part of) a commune of 2020–2025 provinces.

    Parameters
    ----------
    province_codes : str or iterable of str
        Two-digit 2020–2025 province codes (``"17"``: the former Hòa Bình).

    Examples
    --------
    >>> codes = successor_codes_2025("17")
    >>> len(codes), codes[:3]
    (46, ('04792', '04795', '04828'))
    """
    wanted = {province_codes} if isinstance(province_codes, str) else set(province_codes)
    pairs = _all_predecessors()
    return tuple(sorted(set(pairs.loc[pairs["old_province_code"].isin(wanted), "new_code"])))


def former_districts_2025(province_codes: str | Iterable[str]) -> pd.DataFrame:
    """Each 2025 commune's former district ("khu vực huyện cũ"), for grouping 2025 communes.

    A 2025 commune is grouped under the former district that gave it the most: predecessors
    count 1, a part of a split predecessor its :func:`predecessors_2025` share. A tie goes to
    the district of the predecessor whose code the 2025 commune kept (the one it is named
    after, as a rule), else to the lowest district code. ``former_districts`` lists every
    former district of its predecessors, so a commune drawn from several can say so.

    Parameters
    ----------
    province_codes : str or iterable of str
        2025 province codes (or 2020–2025 ones, or ``"all"``).

    Returns
    -------
    pandas.DataFrame
        One row per 2025 commune, sorted: ``commune_code`` and
        :data:`FORMER_DISTRICT_COLUMNS`.

    Examples
    --------
    >>> table = former_districts_2025("25").set_index("commune_code")
    >>> table.loc["05266", ["former_district_name", "former_districts"]].tolist()
    ['Huyện Lạc Sơn', 'Huyện Lạc Sơn']
    >>> int((table["former_districts"].str.contains("; ")).sum())
    3
    """
    pairs = predecessors_2025(province_codes)
    weight = pairs.groupby(["new_code", "old_district_code"], sort=True)["share"].sum()
    weight = weight.reset_index()
    kept = pairs.loc[pairs["new_code"] == pairs["old_code"], ["new_code", "old_district_code"]]
    weight["own"] = weight.set_index(["new_code", "old_district_code"]).index.isin(
        kept.set_index(["new_code", "old_district_code"]).index
    )
    # Largest share first, then the kept code's district, then the lowest district code.
    ranked = weight.sort_values(
        ["new_code", "share", "own", "old_district_code"], ascending=[True, False, False, True]
    )
    best = ranked.drop_duplicates("new_code").set_index("new_code")["old_district_code"]
    names = dict(zip(pairs["old_district_code"], pairs["old_district_name"], strict=False))
    listed = weight.groupby("new_code")["old_district_code"].agg(
        lambda codes: "; ".join(names[code] for code in codes)
    )
    return pd.DataFrame(
        {
            COMMUNE_CODE: best.index.to_numpy(),
            FORMER_DISTRICT_CODE: best.to_numpy(),
            FORMER_DISTRICT_NAME: best.map(names).to_numpy(),
            FORMER_DISTRICTS: listed.loc[best.index].to_numpy(),
        }
    )


def centres_2025(province_codes: str | Iterable[str]) -> pd.DataFrame:
    """The registry's centre and area of each 2025 commune of the given 2025 province(s).

    Parameters
    ----------
    province_codes : str or iterable of str
        2025 province codes (or 2020–2025 ones, or ``"all"``).

    Returns
    -------
    pandas.DataFrame
        ``commune_code``, ``lon``, ``lat`` (degrees) and ``area_km2`` (the registry's
        ``wardAreaKm2``), sorted by code.

    Examples
    --------
    >>> table = centres_2025("25").set_index("commune_code")
    >>> len(table), table.loc["04828", ["lat", "area_km2"]].tolist()
    (148, [20.7815, 55.21])
    """
    wanted = ",".join(f"'{code}'" for code in province_codes_2025(province_codes))
    rows = query(
        "SELECT wardCode, wardLon, wardLat, wardAreaKm2 FROM admin_units "
        f"WHERE provinceCode IN ({wanted})"
    )
    table = pd.DataFrame(rows, columns=["wardCode", "wardLon", "wardLat", "wardAreaKm2"])
    return (
        pd.DataFrame(
            {
                COMMUNE_CODE: table["wardCode"].str.zfill(5),
                "lon": table["wardLon"].astype(float),
                "lat": table["wardLat"].astype(float),
                "area_km2": table["wardAreaKm2"].astype(float),
            }
        )
        .sort_values(COMMUNE_CODE)
        .reset_index(drop=True)
    )
