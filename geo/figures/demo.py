"""Seeded demo data for the four indicator families of Hòa Bình (dữ liệu minh họa / demo data).

The atlas needs commune-level tables to show before anyone imports real ones, and the
province only published province totals. This module invents commune-level figures that add up
EXACTLY to those totals (:mod:`geo.figures.published`) for period 2019 and then progress plausibly
to
2024. Everything per commune is made up, except the three models the article names.

Calibration of period 2019 (the 151 communes of the 2020–2025 geography, 129 of them xã):

- ``models``: each field total (1,392 / 1,503 / 1,102 / 651) is split among communes with
  :func:`allocate` (largest remainder, Hamilton's method) using weights
  ``(population / 5000) ** 0.8`` times log-normal noise, with a share of communes given weight 0
  in a field (zero models there). Replicated models (646) are split the same way, capped at each
  commune's total.
- ``ntm``: exactly 82 xã are drawn (weighted by a district factor: lowland districts more
  likely) and rated ``ntm``; phường and thị trấn are not rated (empty level: not applicable).
- ``land``: exactly 55 xã are drawn; 4,657.0 ha is split among them in units of 0.1 ha
  (lower bound 3 ha each); phường and thị trấn are not applicable.
- ``named_models``: the three published models in their communes (Ngọc Sơn 05329, Tòng Đậu
  05233, Yên Lạc → Thị trấn Hàng Trạm 05353), whose field gets at least one model, plus one to
  three generated models per commune, never more per field than the commune's count.

Periods 2025 and 2026 are keyed to the 46 units of 2025 (``vintage = "2025"``): the end-of-2024
state is carried to them as :mod:`geo.analysis.conversion` carries figures (sums, area shares,
the lowest NTM level of the parts) and grows from there; 2026 is rated against the 10 criteria
of the 2026–2030 set, with the pilot ``modern`` level on at most :data:`_MODERN_2026` communes
(``data/demo/README.md``, *After the reform*).

From 2020 on, counts only grow, NTM levels only go up (at most one step a year;
``ntm → advanced`` after two years at ``ntm``, ``advanced → model`` after one), criteria met never
fall, and consolidated areas grow towards the planned area (status ``done`` once reached).

Every random draw comes from :class:`numpy.random.Generator` streams spawned from one seed, one
stream per family, so the same seed gives byte-identical CSVs (with the same NumPy) and changing
one family's rules does not reshuffle the others.

Run ``python -m geo.figures.demo`` to rewrite ``data/demo/*.csv`` (``--check`` compares instead).

Examples
--------
>>> tables = generate_demo()
>>> first = tables["models"].query("period == 2019")
>>> int(first["models_economy"].sum()), int(first["models_replicated"].sum())
(1392, 646)
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from geo.figures.criteria import criteria_set_for
from geo.figures.indicators import (
    COMMUNE_CODE,
    CRITERIA_MET,
    DEMO_DIR,
    FAMILIES,
    FAMILY_NAMES,
    FIELD,
    FIELD_COLUMNS,
    FIELDS,
    LAND,
    LAND_DONE,
    LAND_DONE_HA,
    LAND_IN_PROGRESS,
    LAND_NOT_STARTED,
    LAND_PLANNED_HA,
    LAND_STATUS,
    LAND_YEAR,
    MODEL_NAME,
    MODELS,
    MODELS_REPLICATED,
    NAMED_MODELS,
    NTM,
    NTM_ADVANCED,
    NTM_CRITERIA_COUNT,
    NTM_LEVEL,
    NTM_LEVELS,
    NTM_MODERN,
    NTM_STANDARD,
    NTM_YEAR,
    PERIOD,
    POPULATION,
    PROVENANCE,
    PROVENANCE_DEMO,
    PROVENANCE_PUBLISHED,
    REPLICATED,
    YEAR_RECOGNISED,
    family_csv_text,
)
from geo.figures.published import FIGURES
from geo.figures.published import NAMED_MODELS as PUBLISHED_MODELS
from geo.geography.admin_units import HOA_BINH, communes
from geo.geography.crosswalk import crosswalk
from geo.geography.units_2025 import VINTAGE_2025, communes_2025
from geo.schema import COMMUNE_TYPE, DISTRICT_NAME, VINTAGE, VINTAGE_2020_2025

__all__ = [
    "CALIBRATION_PERIOD",
    "DEFAULT_SEED",
    "DEMO_LABEL",
    "LAST_PERIOD",
    "REFORM_PERIOD",
    "allocate",
    "generate_demo",
    "main",
    "write_demo",
]

#: Label the UI shows next to anything drawn from these tables.
DEMO_LABEL = "dữ liệu minh họa / demo data"
DEFAULT_SEED = 2019
#: The period whose totals equal the published figures.
CALIBRATION_PERIOD = 2019
#: The year of the 1 July 2025 reform: from it on the demo's figures are keyed on the 2025 units.
REFORM_PERIOD = 2025
#: The last period generated: the first year of the 2026–2030 criteria set.
LAST_PERIOD = 2026
DEFAULT_PERIODS = range(CALIBRATION_PERIOD, LAST_PERIOD + 1)

_XA = "Xã"

# Relative likelihood of NTM status and of land consolidation by district (demo assumptions:
# lowland, rice-growing districts near Hà Nội ahead of the high mountain districts).
_NTM_FACTOR = {
    "Thành phố Hòa Bình": 1.6,
    "Huyện Lương Sơn": 1.5,
    "Huyện Lạc Thủy": 1.4,
    "Huyện Yên Thủy": 1.3,
    "Huyện Cao Phong": 1.2,
    "Huyện Kim Bôi": 1.0,
    "Huyện Tân Lạc": 0.9,
    "Huyện Lạc Sơn": 0.8,
    "Huyện Mai Châu": 0.7,
    "Huyện Đà Bắc": 0.5,
}
_LAND_FACTOR = {
    "Huyện Yên Thủy": 1.6,
    "Huyện Lạc Thủy": 1.5,
    "Huyện Lạc Sơn": 1.3,
    "Huyện Tân Lạc": 1.2,
    "Huyện Kim Bôi": 1.1,
    "Huyện Cao Phong": 1.0,
    "Huyện Lương Sơn": 1.0,
    "Thành phố Hòa Bình": 0.8,
    "Huyện Mai Châu": 0.7,
    "Huyện Đà Bắc": 0.4,
}
# Demo populations: (median, low, high) residents by commune type.
_POPULATION = {
    "Xã": (4800, 3000, 15000),
    "Thị trấn": (8500, 5000, 20000),
    "Phường": (10500, 6000, 25000),
}
# Share of communes with no model at all in a field (so zero shows on the map).
_ZERO_SHARE = {
    "economy": 0.06,
    "culture_society": 0.05,
    "defence_security": 0.08,
    "political_system": 0.18,
}
# Yearly growth of the province's model count per field after 2019 (low, high).
_GROWTH = {
    "economy": (0.07, 0.11),
    "culture_society": (0.06, 0.10),
    "defence_security": (0.05, 0.09),
    "political_system": (0.04, 0.08),
}
# Yearly number of xã moving up one NTM level from 2020 (the last value repeats).
_NEW_NTM = (6, 5, 5, 4, 4)
_NEW_ADVANCED = (3, 4, 5, 5, 6)
_NEW_MODEL = (0, 1, 1, 2, 2)
# 2019: how many of the 55 consolidating xã had already finished.
_LAND_DONE_2019 = 9
# 2025, on the 46 (bigger) units: how many move up to model, advanced and ntm.
_NEW_2025 = (1, 2, 2)
# 2026: at most this many communes on the pilot 'modern' level of the 2026–2030 set.
_MODERN_2026 = 2

_TEMPLATES: dict[str, tuple[str, ...]] = {
    "economy": (
        "Hội viên nông dân giúp nhau phát triển kinh tế",
        "Phụ nữ tiết kiệm giúp nhau giảm nghèo",
        "Liên kết sản xuất mía nguyên liệu",
        "Tổ hợp tác nuôi ong lấy mật",
        "Chuyển đổi cây trồng trên đất lúa kém hiệu quả",
        "Vận động dồn điền, đổi thửa",
        "Trồng cây ăn quả theo tiêu chuẩn VietGAP",
        "Phát triển du lịch cộng đồng",
        "Chăn nuôi lợn bản địa theo chuỗi",
        "Cựu chiến binh làm kinh tế giỏi",
    ),
    "culture_society": (
        "Xóm sáng – xanh – sạch – đẹp",
        "Câu lạc bộ văn hóa dân gian Mường",
        "Gia đình 5 không, 3 sạch",
        "Vận động thực hiện tang lễ văn minh",
        "Thanh niên giúp học sinh nghèo đến trường",
        "Thu gom, phân loại rác thải tại hộ gia đình",
        "Chi hội phụ nữ không có trẻ em suy dinh dưỡng",
        "Người cao tuổi gương mẫu",
        "Thắp sáng đường quê",
        "Nhà văn hóa xóm – điểm sinh hoạt cộng đồng",
    ),
    "defence_security": (
        "Tổ tự quản về an ninh trật tự",
        "Camera giám sát an ninh xóm",
        "Dòng họ tự quản về an ninh trật tự",
        "Tổ hòa giải ở cơ sở",
        "Xóm không có tội phạm và tệ nạn xã hội",
        "Tổ liên gia tự quản phòng cháy, chữa cháy",
        "Thanh niên tuần tra an ninh",
        "Quản lý, giáo dục người lầm lỗi tại cộng đồng",
        "Dân quân tự vệ giúp dân",
        "Phòng, chống mua bán người",
    ),
    "political_system": (
        "Chi bộ xóm sinh hoạt nền nếp",
        "Cán bộ, công chức xã thân thiện với dân",
        "Bộ phận một cửa thân thiện",
        "Đảng viên giúp đỡ hộ nghèo",
        "Tổ dân vận xóm hoạt động hiệu quả",
        "Đối thoại trực tiếp giữa người đứng đầu và nhân dân",
        "Trưởng xóm gương mẫu",
        "Mặt trận lắng nghe ý kiến nhân dân",
        "Nâng cao chất lượng sinh hoạt chi bộ",
        "Phát triển đảng viên trong đoàn viên thanh niên",
    ),
}


# --- integer allocation -------------------------------------------------------------------------


def allocate(
    total: int,
    weights: Sequence[float] | np.ndarray,
    *,
    lower: Sequence[int] | np.ndarray | None = None,
    upper: Sequence[int] | np.ndarray | None = None,
) -> np.ndarray:
    """Split a whole number into whole parts proportional to weights, exactly.

    Largest-remainder (Hamilton) method with bounds: each part first gets its lower bound, the
    rest is shared in proportion to the weights, parts that would pass their upper bound are
    fixed at it and the rest is shared again; the last units go to the largest fractional
    remainders (ties to the lower index). Deterministic: no random numbers are used.

    Parameters
    ----------
    total : int
        The sum the parts must have.
    weights : array-like of float
        Non-negative weights; a zero weight gets only its lower bound.
    lower, upper : array-like of int, optional
        Bounds per part (default 0 and unbounded).

    Returns
    -------
    numpy.ndarray
        ``int64`` parts with ``parts.sum() == total`` and ``lower <= parts <= upper``.

    Raises
    ------
    ValueError
        If the bounds make ``total`` impossible, or weights are negative or not finite.

    Examples
    --------
    >>> allocate(10, [1, 1, 1]).tolist()
    [4, 3, 3]
    >>> allocate(10, [5, 1, 0], lower=[0, 0, 1], upper=[6, 9, 9]).tolist()
    [6, 3, 1]
    """
    w = np.asarray(weights, dtype=float)
    n = len(w)
    if not np.all(np.isfinite(w)) or np.any(w < 0):
        raise ValueError("weights must be finite and non-negative")
    lo = np.zeros(n, dtype=np.int64) if lower is None else np.asarray(lower, dtype=np.int64)
    hi = (
        np.full(n, np.iinfo(np.int64).max // 4, dtype=np.int64)
        if upper is None
        else np.asarray(upper, dtype=np.int64)
    )
    if np.any(lo > hi) or lo.sum() > total:
        raise ValueError(f"lower bounds exceed upper bounds or the total {total}")
    parts = lo.copy()
    remaining = int(total - lo.sum())
    while remaining > 0:
        room = hi - parts
        active = (room > 0) & (w > 0)
        if not active.any():
            raise ValueError(f"cannot place {remaining} more: no positive weight has room left")
        quota = np.zeros(n)
        quota[active] = remaining * w[active] / w[active].sum()
        whole = np.minimum(np.floor(quota).astype(np.int64), room)
        capped = active & (whole >= room)
        parts += whole
        remaining -= int(whole.sum())
        if capped.any():
            continue  # capped parts drop out; share what is left among the others
        # Fewer than n units remain, and every active part has room for one more.
        fraction = np.where(active, quota - np.floor(quota), -1.0)
        order = np.lexsort((np.arange(n), -fraction))
        parts[order[:remaining]] += 1
        remaining = 0
    return parts


def _pick(rng: np.random.Generator, weights: np.ndarray, k: int) -> np.ndarray:
    """Boolean mask of ``k`` items drawn without replacement, probability ∝ weight.

    Efraimidis–Spirakis keys (``u ** (1 / w)``, largest ``k`` win); zero weights never win.
    """
    keys = np.full(len(weights), -np.inf)
    positive = weights > 0
    if k > int(positive.sum()):
        raise ValueError(f"cannot pick {k} of {int(positive.sum())} items with positive weight")
    keys[positive] = np.log(rng.random(int(positive.sum()))) / weights[positive]
    chosen = np.zeros(len(weights), dtype=bool)
    chosen[np.argsort(-keys, kind="stable")[:k]] = True
    return chosen


def _schedule(values: tuple[int, ...], step: int) -> int:
    return values[min(step, len(values)) - 1]


# --- the generator ------------------------------------------------------------------------------


@dataclass
class _Named:
    code: str
    name: str
    field: str
    year: int | None
    replicated: bool
    provenance: str


@dataclass
class _State:
    """What the generator carries from one period to the next.

    Arrays are per commune in code order. ``level`` indexes :data:`NTM_LEVELS` (-1: not
    applicable); ``done`` and ``planned`` are in tenths of a hectare so sums stay exact; zero
    years mean "none".
    """

    population: np.ndarray
    counts: dict[str, np.ndarray]
    replicated: np.ndarray
    named: list[_Named] = field(default_factory=list)
    level: np.ndarray = field(default_factory=lambda: np.array([]))
    level_since: np.ndarray = field(default_factory=lambda: np.array([]))
    ntm_year: np.ndarray = field(default_factory=lambda: np.array([]))
    criteria: np.ndarray = field(default_factory=lambda: np.array([]))
    done: np.ndarray = field(default_factory=lambda: np.array([]))
    planned: np.ndarray = field(default_factory=lambda: np.array([]))
    land_year: np.ndarray = field(default_factory=lambda: np.array([]))


def _check_periods(periods: Iterable[int]) -> list[int]:
    years = sorted({int(year) for year in periods})
    if not years or years[0] != CALIBRATION_PERIOD:
        raise ValueError(f"periods must start with the calibration period {CALIBRATION_PERIOD}")
    if years != list(range(years[0], years[-1] + 1)):
        raise ValueError("periods must be consecutive years (the demo progresses year by year)")
    if years[-1] > LAST_PERIOD:
        raise ValueError(f"the demo stops at {LAST_PERIOD} (the first year of the 2026–2030 set)")
    return years


def _populations(rng: np.random.Generator, types: pd.Series) -> np.ndarray:
    median = types.map(lambda t: _POPULATION[t][0]).to_numpy(float)
    low = types.map(lambda t: _POPULATION[t][1]).to_numpy(float)
    high = types.map(lambda t: _POPULATION[t][2]).to_numpy(float)
    raw = median * np.exp(0.35 * rng.standard_normal(len(types)))
    return (np.round(np.clip(raw, low, high), -1)).astype(np.int64)


def _models_2019(
    rng: np.random.Generator, population: np.ndarray, forced: dict[str, np.ndarray]
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    n = len(population)
    base = (population / 5000) ** 0.8 * np.exp(0.35 * rng.standard_normal(n))
    counts: dict[str, np.ndarray] = {}
    for name in FIELDS:
        weights = base * np.exp(0.3 * rng.standard_normal(n))
        zero = (rng.random(n) < _ZERO_SHARE[name]) & ~forced[name]
        weights[zero] = 0.0
        total = int(FIGURES[FIELD_COLUMNS[name]].value)
        counts[name] = allocate(total, weights, lower=forced[name].astype(np.int64))
    total = sum(counts.values())
    weights = total * np.exp(0.5 * rng.standard_normal(n))
    weights[rng.random(n) < 0.2] = 0.0
    need = forced["replicated"]
    weights[need] = np.maximum(weights[need], 1.0)
    replicated = allocate(
        int(FIGURES["models_replicated"].value),
        weights,
        lower=need.astype(np.int64),
        upper=total,
    )
    return counts, replicated


def _grow_models(rng: np.random.Generator, state: _State) -> None:
    n = len(state.population)
    for name in FIELDS:
        low, high = _GROWTH[name]
        counts = state.counts[name]
        added = round(int(counts.sum()) * (low + (high - low) * rng.random()))
        weights = (counts + 0.5) * np.exp(0.5 * rng.standard_normal(n))
        weights[rng.random(n) < 0.15] = 0.0  # some communes add nothing this year
        state.counts[name] = counts + allocate(added, weights)
    total = sum(state.counts.values())
    room = total - state.replicated
    added = min(round(int(state.replicated.sum()) * (0.10 + 0.08 * rng.random())), int(room.sum()))
    weights = (total + 0.5) * np.exp(0.5 * rng.standard_normal(n)) * (room > 0)
    state.replicated = state.replicated + allocate(added, weights, upper=room)


def _add_demo_named(
    rng: np.random.Generator, state: _State, codes: Sequence[str], index: int, year: int
) -> None:
    """Add one generated named model to commune ``index`` if a field has room for it."""
    code = codes[index]
    mine = [m for m in state.named if m.code == code]
    room = np.array(
        [state.counts[f][index] - sum(m.field == f for m in mine) for f in FIELDS], dtype=float
    )
    if room.sum() <= 0:
        return
    name = FIELDS[int(np.flatnonzero(_pick(rng, room, 1))[0])]
    used = {m.name for m in mine}
    free = [t for t in _TEMPLATES[name] if t not in used]
    if not free:
        return
    title = free[int(rng.integers(len(free)))]
    state.named.append(_Named(code, title, name, year, False, PROVENANCE_DEMO))


def _flag_replicated(
    rng: np.random.Generator, state: _State, codes: Sequence[str], probability: float
) -> None:
    """Mark some generated models replicated, never more than the commune's replicated count."""
    position = {code: i for i, code in enumerate(codes)}
    flagged = {code: 0 for code in codes}
    for model in state.named:
        flagged[model.code] += model.replicated
    for model in state.named:
        if model.replicated or model.provenance != PROVENANCE_DEMO:
            continue
        draw = rng.random()
        if draw < probability and flagged[model.code] < state.replicated[position[model.code]]:
            model.replicated = True
            flagged[model.code] += 1


def _named_2019(rng: np.random.Generator, state: _State, codes: Sequence[str]) -> None:
    state.named = [
        _Named(
            p.commune_code,
            p.model_name,
            p.field,
            p.year_started,
            p.replicated,
            PROVENANCE_PUBLISHED,
        )
        for p in PUBLISHED_MODELS
    ]
    for index in range(len(codes)):
        for _ in range(1 + int(rng.integers(3))):
            _add_demo_named(rng, state, codes, index, 2015 + int(rng.integers(5)))
    _flag_replicated(rng, state, codes, 0.3)


def _ntm_2019(
    rng: np.random.Generator, state: _State, is_xa: np.ndarray, factor: np.ndarray
) -> None:
    n = len(is_xa)
    weights = np.where(is_xa, factor * np.exp(0.4 * rng.standard_normal(n)), 0.0)
    reached = _pick(rng, weights, int(FIGURES["ntm_communes"].value))
    years = 2013 + _pick_years(rng, n)  # one year 2013–2019 per commune
    state.level = np.where(is_xa, np.where(reached, 1, 0), -1)  # index into NTM_LEVELS; -1: n/a
    state.level_since = np.where(reached, years, 0)
    state.ntm_year = np.where(reached, years, 0)
    spread = 12 + 2.5 * rng.standard_normal(n) + 3 * (factor - 1)
    state.criteria = np.where(
        reached, NTM_CRITERIA_COUNT, np.clip(np.round(spread), 5, NTM_CRITERIA_COUNT - 1)
    ).astype(np.int64)


def _pick_years(rng: np.random.Generator, n: int) -> np.ndarray:
    """Year index (0 = 2013 … 6 = 2019) per commune, later years more likely."""
    weights = np.array([2, 3, 4, 5, 5, 6, 6], dtype=float)
    cumulative = np.cumsum(weights / weights.sum())
    return np.minimum(np.searchsorted(cumulative, rng.random(n), side="right"), 6)


def _grow_ntm(
    rng: np.random.Generator,
    state: _State,
    year: int,
    step: int,
    factor: np.ndarray,
    *,
    quotas: tuple[int, int, int] | None = None,
) -> None:
    """One year of NTM progress; ``quotas`` (model, advanced, ntm) replace the schedule."""
    level, since = state.level, state.level_since
    if quotas is None:
        quotas = (
            _schedule(_NEW_MODEL, step),
            _schedule(_NEW_ADVANCED, step),
            _schedule(_NEW_NTM, step),
        )
    # Highest level first, so that a commune moves at most one step a year.
    to_model = (level == 2) & (since <= year - 1)
    k = min(quotas[0], int(to_model.sum()))
    up_model = _pick(rng, np.where(to_model, factor, 0.0), k)
    to_advanced = (level == 1) & (since <= year - 2)
    k = min(quotas[1], int(to_advanced.sum()))
    up_advanced = _pick(rng, np.where(to_advanced, factor, 0.0), k)
    not_yet = level == 0
    gain = np.searchsorted([0.3, 0.75], rng.random(len(level)), side="right")  # 0, 1 or 2
    state.criteria = np.where(
        not_yet, np.minimum(state.criteria + gain, NTM_CRITERIA_COUNT - 1), state.criteria
    )
    ready = not_yet & (state.criteria >= 16)
    score = np.where(ready, state.criteria + rng.random(len(level)), -1.0)
    k = min(quotas[2], int(ready.sum()))
    up_ntm = np.zeros(len(level), dtype=bool)
    up_ntm[np.argsort(-score, kind="stable")[:k]] = True
    for mask, new in ((up_model, 3), (up_advanced, 2), (up_ntm, 1)):
        state.level = np.where(mask, new, state.level)
        state.level_since = np.where(mask, year, state.level_since)
    state.ntm_year = np.where(up_ntm, year, state.ntm_year)
    state.criteria = np.where(up_ntm, NTM_CRITERIA_COUNT, state.criteria)


def _land_2019(
    rng: np.random.Generator, state: _State, is_xa: np.ndarray, factor: np.ndarray
) -> None:
    n = len(is_xa)
    weights = np.where(is_xa, factor * np.exp(0.4 * rng.standard_normal(n)), 0.0)
    active = _pick(rng, weights, int(FIGURES["land_communes"].value))
    # Areas in tenths of a hectare, so the total is exact in integers.
    size = np.where(active, factor * np.exp(0.6 * rng.standard_normal(n)), 0.0)
    tenths = round(FIGURES["land_done_ha"].value * 10)
    done = allocate(tenths, size, lower=np.where(active, 30, 0), upper=np.where(active, 3500, 0))
    finished = _pick(rng, active.astype(float), _LAND_DONE_2019)
    ratio_done = 1.0 + 0.06 * rng.random(n)  # done communes: planned a little below done
    ratio_open = 0.2 + 0.65 * rng.random(n)  # in progress: share of the plan done so far
    planned_open = 120 * np.exp(0.5 * rng.standard_normal(n))
    planned = np.where(
        finished,
        np.floor(done / 10 / ratio_done),
        np.where(
            active,
            np.maximum(np.ceil(done / 10 / ratio_open), done // 10 + 1),
            np.clip(np.round(planned_open), 20, 600),
        ),
    )
    state.done = np.where(is_xa, done, 0).astype(np.int64)
    state.planned = np.where(is_xa, planned * 10, 0).astype(np.int64)  # tenths too
    state.land_year = np.where(finished, 2018 + (rng.random(n) < 0.6), 0).astype(np.int64)


def _grow_land(
    rng: np.random.Generator,
    state: _State,
    year: int,
    is_xa: np.ndarray,
    factor: np.ndarray,
    *,
    of_gap: bool = False,
) -> None:
    """One year of consolidation; ``of_gap``: the year's step is a share of what is left of the
    plan, not of the plan (a merged commune's plan is the sum of its parts', most of it done)."""
    n = len(is_xa)
    done, planned = state.done, state.planned
    finished = is_xa & (done >= planned) & (done > 0)
    in_progress = is_xa & (done > 0) & ~finished
    not_started = is_xa & (done == 0)
    draw = rng.random(n)
    if of_gap:
        gap = planned - done  # the last tenth of a plan is finished within the year
        step = np.where(gap <= planned // 10, gap, np.round(gap * (0.05 + 0.3 * draw)))
    else:
        step = np.round(planned * (0.12 + 0.28 * draw))
    step = step.astype(np.int64)
    grown = done + step
    completes = in_progress & (grown >= planned)
    overshoot = np.round(planned * (1 + 0.05 * rng.random(n))).astype(np.int64)
    starts = not_started & (rng.random(n) < np.minimum(0.10 * factor, 0.3))
    start_area = np.clip(np.round(planned * (0.08 + 0.27 * rng.random(n))), 10, planned - 1)
    state.done = np.select(
        [completes, in_progress, starts],
        [np.minimum(grown, overshoot), grown, start_area.astype(np.int64)],
        done,
    ).astype(np.int64)
    state.land_year = np.where(completes, year, state.land_year)


def _snapshot(
    state: _State,
    year: int,
    codes: Sequence[str],
    is_xa: np.ndarray,
    *,
    vintage: str = VINTAGE_2020_2025,
    land_rated: np.ndarray | None = None,
) -> dict[str, pd.DataFrame]:
    """The tables of one period; ``is_xa`` marks the units rated for NTM, ``land_rated`` those
    with land figures (default: the same)."""
    n = len(codes)
    land_rated = is_xa if land_rated is None else land_rated
    key = {
        COMMUNE_CODE: pd.array(codes, dtype="str"),
        PERIOD: np.full(n, year, dtype=np.int64),
        VINTAGE: pd.array([vintage] * n, dtype="str"),
    }
    models = pd.DataFrame(
        {
            **key,
            **{FIELD_COLUMNS[f]: pd.array(state.counts[f], dtype="Int64") for f in FIELDS},
            MODELS_REPLICATED: pd.array(state.replicated, dtype="Int64"),
            POPULATION: pd.array(state.population, dtype="Int64"),
        }
    )
    levels = np.array([None, *NTM_LEVELS], dtype=object)  # state.level + 1 indexes this
    ntm_spec = FAMILIES[NTM].column(NTM_LEVEL)
    ntm = pd.DataFrame(
        {
            **key,
            NTM_LEVEL: pd.Categorical(levels[state.level + 1], dtype=ntm_spec.dtype),
            NTM_YEAR: pd.array(np.where(state.ntm_year > 0, state.ntm_year, None), dtype="Int64"),
            CRITERIA_MET: pd.array(np.where(is_xa, state.criteria, None), dtype="Int64"),
        }
    )
    done, planned = state.done, state.planned
    status = np.select(
        [done >= planned, done > 0], [LAND_DONE, LAND_IN_PROGRESS], LAND_NOT_STARTED
    ).astype(object)
    land = pd.DataFrame(
        {
            **key,
            LAND_DONE_HA: np.where(land_rated, done / 10, np.nan),
            LAND_PLANNED_HA: np.where(land_rated, planned / 10, np.nan),
            LAND_STATUS: pd.Categorical(
                np.where(land_rated, status, None), dtype=FAMILIES[LAND].column(LAND_STATUS).dtype
            ),
            LAND_YEAR: pd.array(
                np.where(state.land_year > 0, state.land_year, None), dtype="Int64"
            ),
        }
    )
    order = {code: i for i, code in enumerate(codes)}
    rows = sorted(state.named, key=lambda m: order[m.code])  # stable: creation order inside
    named = pd.DataFrame(
        {
            COMMUNE_CODE: pd.array([m.code for m in rows], dtype="str"),
            PERIOD: np.full(len(rows), year, dtype=np.int64),
            VINTAGE: pd.array([vintage] * len(rows), dtype="str"),
            MODEL_NAME: pd.array([m.name for m in rows], dtype="str"),
            FIELD: pd.Categorical(
                [m.field for m in rows], dtype=FAMILIES[NAMED_MODELS].column(FIELD).dtype
            ),
            YEAR_RECOGNISED: pd.array([m.year for m in rows], dtype="Int64"),
            REPLICATED: np.array([m.replicated for m in rows], dtype=bool),
            PROVENANCE: pd.array([m.provenance for m in rows], dtype="str"),
        }
    )
    return {MODELS: models, NAMED_MODELS: named, NTM: ntm, LAND: land}


# --- after the reform: the 2025 units --------------------------------------------------------


@dataclass(frozen=True)
class _Units:
    """The units one period's figures are keyed on (arrays in code order)."""

    codes: list[str]
    is_xa: np.ndarray  # rated for NTM
    land_rated: np.ndarray  # has land figures
    ntm_factor: np.ndarray
    land_factor: np.ndarray
    vintage: str


@dataclass(frozen=True)
class _Walk:
    """The crosswalk 2020–2025 → 2025 as index arrays: one entry per (old, new) pair."""

    old: np.ndarray
    new: np.ndarray
    share: np.ndarray
    size: int

    def carry(self, values: np.ndarray) -> np.ndarray:
        """Whole numbers summed over the predecessors, a split one's divided by its shares with
        the largest remainder (the rule of :mod:`geo.analysis.conversion`, so the demo's base
        equals the converted figures)."""
        parts = values[self.old].astype(np.int64)
        for index in np.unique(self.old[self.share < 1.0]):
            rows = np.flatnonzero(self.old == index)
            parts[rows] = allocate(int(values[index]), self.share[rows])
        out = np.zeros(self.size, dtype=np.int64)
        np.add.at(out, self.new, parts)
        return out

    def extreme(self, values: np.ndarray, valid: np.ndarray, *, lowest: bool) -> np.ndarray:
        """The lowest (or highest) value among the valid predecessors; -1 where none is."""
        keep = valid[self.old]
        out = np.full(self.size, np.iinfo(np.int64).max if lowest else -1, dtype=np.int64)
        (np.minimum if lowest else np.maximum).at(out, self.new[keep], values[self.old][keep])
        return np.where(out == np.iinfo(np.int64).max, -1, out)

    def mean(self, values: np.ndarray) -> np.ndarray:
        """Share-weighted mean over the predecessors."""
        weights = np.bincount(self.new, weights=self.share, minlength=self.size)
        return np.bincount(self.new, weights=values[self.old] * self.share, minlength=self.size) / (
            weights
        )


def _reform_walk(old: _Units) -> tuple[_Walk, _Units, dict[str, tuple[str, str]]]:
    """The crosswalk onto the 46 units of 2025, the new units, and per old code the successor
    that took its largest share (where its named models go, as the conversion places them)
    and the old name."""
    table = crosswalk(VINTAGE_2020_2025, VINTAGE_2025, province_codes=HOA_BINH).table
    units = communes_2025(HOA_BINH)
    units = units[units[COMMUNE_CODE].isin(set(table["to_code"]))].sort_values(COMMUNE_CODE)
    codes = units[COMMUNE_CODE].tolist()
    old_index = {code: i for i, code in enumerate(old.codes)}
    new_index = {code: i for i, code in enumerate(codes)}
    walk = _Walk(
        old=table["from_code"].map(old_index).to_numpy(np.int64),
        new=table["to_code"].map(new_index).to_numpy(np.int64),
        share=table["share"].to_numpy(float),
        size=len(codes),
    )
    best = table.sort_values(["from_code", "share"], ascending=[True, False], kind="stable")
    best = best.drop_duplicates("from_code")
    pairs = zip(best["to_code"], best["from_name"], strict=True)
    successor = dict(zip(best["from_code"], pairs, strict=True))
    new = _Units(
        codes=codes,
        is_xa=(units[COMMUNE_TYPE] == _XA).to_numpy(),
        land_rated=walk.extreme(old.land_rated.astype(np.int64), old.land_rated, lowest=False) > 0,
        ntm_factor=walk.mean(old.ntm_factor),
        land_factor=walk.mean(old.land_factor),
        vintage=VINTAGE_2025,
    )
    return walk, new, successor


def _move_named(named: list[_Named], successor: dict[str, tuple[str, str]]) -> list[_Named]:
    """Each named model in its commune's successor; two models of one name from different
    former communes keep both, the later one named with its former commune."""
    moved: list[_Named] = []
    seen: set[tuple[str, str]] = set()
    for model in named:
        code, old_name = successor[model.code]
        title = model.name if (code, model.name) not in seen else f"{model.name} ({old_name})"
        seen.add((code, title))
        moved.append(replace(model, code=code, name=title))
    return moved


def _to_2025_units(rng: np.random.Generator, state: _State, old: _Units) -> tuple[_State, _Units]:
    """The end-of-2024 state carried to the 2025 units as the conversion carries figures:
    counts summed, NTM level and criteria the lowest of the rated predecessors (a merged
    commune has reached a level only where every part has), land in tenths of a hectare
    rounded up."""
    walk, new, successor = _reform_walk(old)
    rated = state.level >= 0
    level = walk.extreme(state.level, rated, lowest=True)
    criteria = walk.extreme(state.criteria, rated, lowest=True)
    # A 2025 xã formed from thị trấn or phường only: rated from now on, not yet at NTM.
    fresh = new.is_xa & (level < 0)
    criteria = np.where(fresh, 12 + rng.integers(0, 6, walk.size), criteria)
    level = np.where(new.is_xa, np.maximum(level, 0), -1)
    reached = level >= 1
    done = -(-walk.carry(state.done * 10) // 10)  # hundredths (as converted), up to tenths
    planned = -(-walk.carry(state.planned * 10) // 10)
    finished = new.land_rated & (done >= planned) & (done > 0)
    land_year = walk.extreme(state.land_year, state.land_year > 0, lowest=False)
    moved = _move_named(state.named, successor)
    counts = {name: walk.carry(state.counts[name]) for name in FIELDS}
    for index, code in enumerate(new.codes):
        for name in FIELDS:  # a split commune's named models all went to one successor
            named = sum(m.code == code and m.field == name for m in moved)
            counts[name][index] = max(counts[name][index], named)
    total = sum(counts.values())
    flagged = np.array([sum(m.code == c and m.replicated for m in moved) for c in new.codes])
    carried = _State(
        population=walk.carry(state.population),
        counts=counts,
        replicated=np.minimum(np.maximum(walk.carry(state.replicated), flagged), total),
        named=moved,
        level=level,
        level_since=np.where(reached, walk.extreme(state.level_since, rated, lowest=False), 0),
        ntm_year=np.where(
            reached, walk.extreme(state.ntm_year, state.ntm_year > 0, lowest=False), 0
        ),
        criteria=np.where(reached, NTM_CRITERIA_COUNT, criteria).astype(np.int64),
        done=np.where(new.land_rated, done, 0),
        planned=np.where(new.land_rated, planned, 0),
        land_year=np.where(finished, np.where(land_year > 0, land_year, REFORM_PERIOD - 1), 0),
    )
    return carried, new


def _rerate_2026(rng: np.random.Generator, state: _State, year: int, factor: np.ndarray) -> None:
    """The first year of the 2026–2030 set (10 criteria; levels not_yet, ntm and the pilot
    modern): a commune at NTM or above keeps the standard and meets the 10 criteria, at most
    :data:`_MODERN_2026` communes of the highest level (model, else advanced) pilot the
    modern level, the others' criteria are
    counted anew on the 10 (about the same share met, at most 9)."""
    criteria_set = criteria_set_for(year)
    if criteria_set is None or year != criteria_set.first_year:
        raise ValueError(f"{year}: the demo re-rates communes only in the first year of a set")
    count = criteria_set.count
    if not {NTM_STANDARD, NTM_MODERN} <= set(criteria_set.levels):
        raise ValueError(f"the {criteria_set.id} set knows no {NTM_MODERN} level")
    # The pilots come from the communes at the highest level above NTM (model, else advanced).
    top = max(int(state.level.max()), NTM_LEVELS.index(NTM_ADVANCED))
    candidates = state.level == top
    pilots = _pick(rng, np.where(candidates, factor, 0.0), min(_MODERN_2026, int(candidates.sum())))
    reached = state.level >= 1
    share = state.criteria / NTM_CRITERIA_COUNT + 0.08 * rng.standard_normal(len(factor))
    state.criteria = np.where(
        reached, count, np.clip(np.floor(share * count), 0, count - 1)
    ).astype(np.int64)
    level = np.where(reached, NTM_LEVELS.index(NTM_STANDARD), state.level)
    state.level = np.where(pilots, NTM_LEVELS.index(NTM_MODERN), level)
    state.level_since = np.where(pilots, year, state.level_since)


def _after_reform(
    rngs: dict[str, np.random.Generator], state: _State, units: _Units, year: int
) -> None:
    """One year on the 2025 units: population, models, named models, NTM, land."""
    growth = 0.004 + 0.008 * rngs["pop"].random(len(units.codes))
    # At least 3,000 residents and 0.4 % growth: rounding to tens never lowers the count.
    state.population = np.round(state.population * (1 + growth), -1).astype(np.int64)
    _grow_models(rngs["models"], state)
    for index in np.flatnonzero(rngs["named"].random(len(units.codes)) < 0.3):
        _add_demo_named(rngs["named"], state, units.codes, int(index), year)
    _flag_replicated(rngs["named"], state, units.codes, 0.12)
    if year == REFORM_PERIOD:
        _grow_ntm(rngs["ntm"], state, year, 0, units.ntm_factor, quotas=_NEW_2025)
    else:
        _rerate_2026(rngs["ntm"], state, year, units.ntm_factor)
    _grow_land(rngs["land"], state, year, units.land_rated, units.land_factor, of_gap=True)


def generate_demo(
    *, seed: int = DEFAULT_SEED, periods: Iterable[int] = DEFAULT_PERIODS
) -> dict[str, pd.DataFrame]:
    """Generate the demo tables of Hòa Bình, calibrated to the published 2019 figures.

    Parameters
    ----------
    seed : int
        Seed of all random draws; the same seed gives the same tables.
    periods : iterable of int
        Consecutive years starting with 2019 (the calibration period).

    Returns
    -------
    dict of str to pandas.DataFrame
        One table per family (``models``, ``named_models``, ``ntm``, ``land``), all periods
        stacked, with the columns and dtypes of :data:`geo.figures.indicators.FAMILIES`.

    Examples
    --------
    >>> tables = generate_demo(periods=[2019])
    >>> reached = tables["ntm"]["ntm_level"] >= "ntm"
    >>> int(reached.sum()), round(float(tables["land"]["land_done_ha"].sum()), 1)
    (82, 4657.0)
    """
    years = _check_periods(periods)
    units = communes(HOA_BINH).sort_values(COMMUNE_CODE).reset_index(drop=True)
    codes = units[COMMUNE_CODE].tolist()
    is_xa = (units[COMMUNE_TYPE] == _XA).to_numpy()
    ntm_factor = units[DISTRICT_NAME].map(_NTM_FACTOR).fillna(1.0).to_numpy(float)
    land_factor = units[DISTRICT_NAME].map(_LAND_FACTOR).fillna(1.0).to_numpy(float)
    # One independent stream per concern: editing one rule does not reshuffle the others.
    streams = np.random.SeedSequence(seed).spawn(5)
    rng_pop, rng_models, rng_named, rng_ntm, rng_land = (np.random.default_rng(s) for s in streams)

    forced = {name: np.zeros(len(codes), dtype=bool) for name in (*FIELDS, "replicated")}
    for model in PUBLISHED_MODELS:
        forced[model.field][codes.index(model.commune_code)] = True
        if model.replicated:
            forced["replicated"][codes.index(model.commune_code)] = True

    population = _populations(rng_pop, units[COMMUNE_TYPE])
    growth = 0.004 + 0.008 * rng_pop.random(len(codes))
    counts, replicated = _models_2019(rng_models, population, forced)
    state = _State(population=population, counts=counts, replicated=replicated)
    _named_2019(rng_named, state, codes)
    _ntm_2019(rng_ntm, state, is_xa, ntm_factor)
    _land_2019(rng_land, state, is_xa, land_factor)

    frames: dict[str, list[pd.DataFrame]] = {family: [] for family in FAMILY_NAMES}
    units = _Units(codes, is_xa, is_xa, ntm_factor, land_factor, VINTAGE_2020_2025)
    rngs = {"pop": rng_pop, "models": rng_models, "named": rng_named, "ntm": rng_ntm}
    rngs["land"] = rng_land
    for step, year in enumerate(years):
        if year >= REFORM_PERIOD:
            if year == REFORM_PERIOD:
                state, units = _to_2025_units(rng_ntm, state, units)
            _after_reform(rngs, state, units, year)
        elif step:
            state.population = np.round(population * (1 + growth) ** step, -1).astype(np.int64)
            _grow_models(rng_models, state)
            for index in np.flatnonzero(rng_named.random(len(codes)) < 0.3):
                _add_demo_named(rng_named, state, codes, int(index), year)
            _flag_replicated(rng_named, state, codes, 0.12)
            _grow_ntm(rng_ntm, state, year, step, ntm_factor)
            _grow_land(rng_land, state, year, is_xa, land_factor)
        snapshot = _snapshot(
            state,
            year,
            units.codes,
            units.is_xa,
            vintage=units.vintage,
            land_rated=units.land_rated,
        )
        for family, frame in snapshot.items():
            frames[family].append(frame)
    return {family: pd.concat(parts, ignore_index=True) for family, parts in frames.items()}


def demo_csv_texts(
    *, seed: int = DEFAULT_SEED, periods: Iterable[int] = DEFAULT_PERIODS
) -> dict[str, str]:
    """The canonical CSV text of each demo family (what :func:`write_demo` writes).

    Examples
    --------
    >>> texts = demo_csv_texts(periods=[2019])
    >>> texts["models"].splitlines()[0].split(",")[:4]
    ['commune_code', 'period', 'vintage', 'models_economy']
    """
    tables = generate_demo(seed=seed, periods=periods)
    return {family: family_csv_text(tables[family], family) for family in FAMILY_NAMES}


def write_demo(
    directory: str | os.PathLike[str] | None = None,
    *,
    seed: int = DEFAULT_SEED,
    periods: Iterable[int] = DEFAULT_PERIODS,
) -> dict[str, Path]:
    """Generate the demo tables and write one ``<family>.csv`` per family.

    Parameters
    ----------
    directory : str or path, optional
        Output folder (created if needed); defaults to ``data/demo`` of the repository.
    seed, periods
        As for :func:`generate_demo`.

    Returns
    -------
    dict of str to pathlib.Path
        The written file of each family.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     sorted(path.name for path in write_demo(folder).values())
    ['land.csv', 'models.csv', 'named_models.csv', 'ntm.csv']
    """
    folder = Path(directory) if directory is not None else DEMO_DIR
    folder.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    for family, text in demo_csv_texts(seed=seed, periods=periods).items():
        path = folder / f"{family}.csv"
        path.write_bytes(text.encode("utf-8"))  # bytes: no platform newline translation
        written[family] = path
    return written


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``python -m geo.figures.demo [--out DIR] [--seed N] [--check]``.

    Examples
    --------
    >>> main(["--check"])
    0
    """
    parser = argparse.ArgumentParser(
        prog="python -m geo.figures.demo",
        description=f"Write the seeded demo indicator tables ({DEMO_LABEL}).",
    )
    parser.add_argument("--out", type=Path, default=DEMO_DIR, help="output folder")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed")
    parser.add_argument(
        "--check",
        action="store_true",
        help="only compare the files in --out with a fresh generation",
    )
    args = parser.parse_args(argv)
    if not args.check:
        for path in write_demo(args.out, seed=args.seed).values():
            print(f"wrote {path}")
        return 0
    stale = [
        family
        for family, text in demo_csv_texts(seed=args.seed).items()
        if not (args.out / f"{family}.csv").is_file()
        or (args.out / f"{family}.csv").read_bytes() != text.encode("utf-8")
    ]
    for family in stale:
        print(f"{args.out / f'{family}.csv'} differs from a fresh generation", file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    raise SystemExit(main())
