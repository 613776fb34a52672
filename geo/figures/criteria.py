"""National NTM criteria sets, one per programme period, read from package data.

The yardstick of the new-rural programme (nông thôn mới, NTM) changes with each period: 19
criteria in 2010–2015, 2016–2020 (Decision 1980/QĐ-TTg) and 2021–2025 (318/QĐ-TTg), 10 criteria
from 2026 (51/2025/QĐ-TTg), with other levels. The sets live in
``geo/figures/data/ntm_criteria.toml`` with their source documents and the pages each fact was
read from; figures of period ``Y`` are measured against :func:`criteria_set_for` ``(Y)``.

Examples
--------
>>> criteria_set_for(2019).count, criteria_set_for(2026).count
(19, 10)
>>> criteria_set_for(2026).document.number
'51/2025/QĐ-TTg'
>>> criteria_text(8, 2026)
'đạt 8/10 tiêu chí (bộ tiêu chí 2026–2030)'
>>> same_set(2024, 2026), same_set(2021, 2025)
(False, True)
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from itertools import pairwise

from geo.i18n import DEFAULT_LANG, Lang, t

__all__ = [
    "CRITERION_PREFIX",
    "CriteriaSet",
    "Criterion",
    "Document",
    "criteria_set_for",
    "criteria_sets",
    "criteria_text",
    "criterion_column",
    "criterion_number",
    "same_set",
    "set_label",
    "set_reference",
    "set_summary",
]

#: Optional per-criterion columns of an NTM table: ``criterion_1`` … (true = met).
CRITERION_PREFIX = "criterion_"


@dataclass(frozen=True)
class Criterion:
    """One criterion of a set: its number, Vietnamese name and indicators (empty: not recorded)."""

    number: int
    name_vi: str
    indicators: tuple[str, ...] = ()


@dataclass(frozen=True)
class Document:
    """The legal document that issues a set or a level."""

    number: str
    date: str
    title: str
    issuer: str = ""
    published: str = ""
    level: str = ""


@dataclass(frozen=True)
class CriteriaSet:
    """One national criteria set for an NTM commune.

    Attributes
    ----------
    id : str
        ``"2016-2020"`` etc.
    first_year, last_year : int
        Period of validity (inclusive).
    count : int
        Number of criteria; ``criteria_met`` counts these.
    criteria : tuple of Criterion
        The criteria, by number (empty when only the count is sourced).
    levels : tuple of str
        Level codes the set knows (``not_yet``, ``ntm``, ``advanced``, ``model``, ``modern``).
    document : Document
        The decision that issues the set.
    level_documents : tuple of Document
        Decisions for the higher levels.
    indicators_count : int or None
        Number of indicators (chỉ tiêu) where a source gives it.
    names_complete : bool
        Whether every criterion is named from a source.
    sources : tuple of (str, str)
        ``(url, what it gave)``.
    notes : str
        What is known to be missing or unchecked.
    """

    id: str
    first_year: int
    last_year: int
    count: int
    criteria: tuple[Criterion, ...]
    levels: tuple[str, ...]
    document: Document
    level_documents: tuple[Document, ...] = ()
    indicators_count: int | None = None
    names_complete: bool = True
    sources: tuple[tuple[str, str], ...] = ()
    notes: str = ""

    def holds(self, period: int) -> bool:
        """Whether figures of ``period`` are measured against this set."""
        return self.first_year <= int(period) <= self.last_year

    def criterion(self, number: int) -> Criterion | None:
        """The criterion numbered ``number`` (None when the names are missing or out of range)."""
        return next((c for c in self.criteria if c.number == number), None)


def _document(raw: dict[str, object]) -> Document:
    return Document(
        number=str(raw["number"]),
        date=str(raw["date"]),
        title=str(raw["title"]),
        issuer=str(raw.get("issuer", "")),
        published=str(raw.get("published", "")),
        level=str(raw.get("level", "")),
    )


def _criteria_set(raw: dict) -> CriteriaSet:
    criteria = tuple(
        Criterion(int(c["number"]), str(c["name_vi"]), tuple(c.get("indicators", ())))
        for c in raw.get("criteria", ())
    )
    count = int(raw["criteria_count"])
    complete = raw["names_status"] == "complete"
    numbers = [c.number for c in criteria]
    # The data must say what it has: a "complete" set names every criterion once, in order.
    if complete and numbers != list(range(1, count + 1)):
        raise ValueError(f"criteria set {raw['id']}: criteria {numbers} do not match count {count}")
    return CriteriaSet(
        id=str(raw["id"]),
        first_year=int(raw["first_year"]),
        last_year=int(raw["last_year"]),
        count=count,
        criteria=criteria,
        levels=tuple(raw["levels"]),
        document=_document(raw["document"]),
        level_documents=tuple(_document(d) for d in raw.get("level_documents", ())),
        indicators_count=raw.get("indicators_count"),
        names_complete=complete,
        sources=tuple((str(s["url"]), str(s["gave"])) for s in raw.get("sources", ())),
        notes=str(raw.get("notes", "")),
    )


@cache
def criteria_sets() -> tuple[CriteriaSet, ...]:
    """All sets, oldest first (read once from ``geo/figures/data/ntm_criteria.toml``).

    Examples
    --------
    >>> [s.id for s in criteria_sets()]
    ['2010-2015', '2016-2020', '2021-2025', '2026-2030']
    """
    text = resources.files("geo.figures").joinpath("data/ntm_criteria.toml").read_text("utf-8")
    sets = tuple(
        sorted(
            (_criteria_set(raw) for raw in tomllib.loads(text)["set"]), key=lambda s: s.first_year
        )
    )
    for older, newer in pairwise(sets):
        if newer.first_year != older.last_year + 1:
            raise ValueError(f"criteria sets {older.id} and {newer.id} overlap or leave a gap")
    return sets


def criteria_set_for(period: int) -> CriteriaSet | None:
    """The set figures of ``period`` are measured against; None before the first set.

    Examples
    --------
    >>> criteria_set_for(2025).id, criteria_set_for(1999)
    ('2021-2025', None)
    """
    return next((s for s in criteria_sets() if s.holds(period)), None)


def same_set(period_a: int, period_b: int) -> bool:
    """Whether two periods are measured against the same criteria set."""
    a, b = criteria_set_for(period_a), criteria_set_for(period_b)
    return a is not None and a == b


def set_label(criteria_set: CriteriaSet, lang: Lang = DEFAULT_LANG) -> str:
    """ "bộ tiêu chí 2026–2030" / "2026–2030 criteria set".

    Examples
    --------
    >>> set_label(criteria_set_for(2026), "en")
    '2026–2030 criteria set'
    """
    years = f"{criteria_set.first_year}–{criteria_set.last_year}"
    return t("criteria.set", lang, years=years)


def set_reference(criteria_set: CriteriaSet, lang: Lang = DEFAULT_LANG) -> str:
    """ "bộ tiêu chí 2026–2030 (51/2025/QĐ-TTg, 10 tiêu chí)": the set a file's NTM figures
    were measured against.

    Examples
    --------
    >>> set_reference(criteria_set_for(2019), "en")
    '2016–2020 criteria set (1980/QĐ-TTg, 19 criteria)'
    """
    return t(
        "criteria.reference",
        lang,
        set=set_label(criteria_set, lang),
        decision=criteria_set.document.number,
        count=criteria_set.count,
    )


def set_summary(criteria_set: CriteriaSet, lang: Lang = DEFAULT_LANG) -> dict[str, object]:
    """What a file or a command says about the set figures were measured against.

    Examples
    --------
    >>> summary = set_summary(criteria_set_for(2026), "en")
    >>> summary["id"], summary["name"], summary["decision"], summary["count"]
    ('2026-2030', '2026–2030 criteria set', '51/2025/QĐ-TTg', 10)
    """
    return {
        "id": criteria_set.id,
        "name": set_label(criteria_set, lang),
        "decision": criteria_set.document.number,
        "decision_date": criteria_set.document.date,
        "title": criteria_set.document.title,
        "count": criteria_set.count,
        "levels": list(criteria_set.levels),
    }


def criteria_text(criteria_met: object, period: int, lang: Lang = DEFAULT_LANG) -> str:
    """ "đạt 8/10 tiêu chí (bộ tiêu chí 2026–2030)", for the legend and the commune panel.

    ``""`` when ``criteria_met`` is missing or no set holds ``period``.

    Examples
    --------
    >>> criteria_text(19, 2019, "en")
    '19/19 criteria met (2016–2020 criteria set)'
    >>> criteria_text(None, 2019)
    ''
    """
    criteria_set = criteria_set_for(period)
    try:
        met = int(criteria_met)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return ""
    if criteria_set is None:
        return ""
    return t(
        "criteria.text", lang, met=met, count=criteria_set.count, set=set_label(criteria_set, lang)
    )


def criterion_column(number: int) -> str:
    """Name of the optional per-criterion column: ``criterion_3``."""
    return f"{CRITERION_PREFIX}{number}"


def criterion_number(column: str) -> int | None:
    """The criterion a per-criterion column is about (None for other columns).

    Examples
    --------
    >>> criterion_number("criterion_12"), criterion_number("criteria_met")
    (12, None)
    """
    rest = column.removeprefix(CRITERION_PREFIX)
    if rest == column or not rest.isascii() or not rest.isdigit():
        return None
    return int(rest)
