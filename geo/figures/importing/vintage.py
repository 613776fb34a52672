"""Which boundary vintage a file's rows are keyed to: what the file says, its codes, the period.

Communes changed on 1 July 2025 (no more districts, 3,321 new communes), and many new communes
kept the code of one of the communes they took in: ``04795`` is Phường Thịnh Lang before and
Phường Hòa Bình after. A file's vintage is therefore taken, in this order, from

1. what the file **says**: the hidden sheet of a template (:mod:`geo.figures.templates`) or a
   ``vintage`` column with one value (:func:`file_marker`);
2. its **codes**, read with their names (:func:`detect_vintage`): a row whose code and name
   fit only one vintage's registry decides; codes that fit both (or rows without a code) do
   not; rows pointing both ways leave the vintage undecided;
3. the planner's **choice** (the import page's box, ``--vintage``), else the **period**:
   figures up to 2024 belong on 2020–2025 units, from 2025 on 2025 units (:func:`period_vintage`).

A choice, a file's word and its codes that disagree are an error naming the codes, never a
silent pick (:func:`resolve_vintage`); so is a period on the other vintage's units (2026 figures
on 2020–2025 codes).

Examples
--------
>>> detect_vintage([("04795", "Phường Hòa Bình"), ("05200", "Xã Mai Châu")], "17").vintage
'2025'
>>> detect_vintage([("04795", "Phường Thịnh Lang"), ("4792", "")], "17").vintage
'2020-2025'
>>> print(detect_vintage([("04792", "Phường Tân Hòa")], "17").vintage)  # same code and name
None
>>> resolve_vintage(VintageEvidence(), chosen=None, period=2026, file_name="f.csv")
('2025', 'period')
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache

from geo.figures.importing.findings import UnreadableFileError, unreadable
from geo.geography.matching import name_key, unit_type
from geo.geography.units_2025 import VINTAGE_2025
from geo.i18n import LANGUAGES, Lang, t
from geo.schema import COMMUNE_CODE, COMMUNE_NAME, VINTAGE, VINTAGE_2020_2025

__all__ = [
    "FIRST_2025_PERIOD",
    "SOURCES",
    "VintageEvidence",
    "detect_vintage",
    "evidence_of",
    "file_marker",
    "period_vintage",
    "resolve_vintage",
    "vintage_label",
]

#: The first period whose figures belong on the 2025 units (the reform took effect 1 July 2025).
FIRST_2025_PERIOD = 2025
#: Where a file's vintage came from, in the order they are asked.
SOURCES: tuple[str, ...] = ("template", "column", "codes", "choice", "period")
# How many codes an error names before "and N more".
_SHOWN_CODES = 5
_CODE = re.compile(r"[0-9]{1,5}")


@dataclass(frozen=True)
class VintageEvidence:
    """What a file says and shows about its vintage.

    Attributes
    ----------
    marked : str or None
        The vintage the file says it is for (template sheet, or a ``vintage`` column with one
        value); None when it says nothing.
    marked_by : str
        ``"template"``, ``"column"`` or ``""``.
    vintage : str or None
        The vintage its codes point to, None when undecided.
    only : dict of str to tuple of str
        Per vintage, the codes (of rows with a code) that fit only that vintage, in file order.
    """

    marked: str | None = None
    marked_by: str = ""
    vintage: str | None = None
    only: Mapping[str, tuple[str, ...]] | None = None

    def codes_of(self, vintage: str) -> tuple[str, ...]:
        """The file's codes that fit only ``vintage``."""
        return (self.only or {}).get(vintage, ())


def period_vintage(period: int) -> str:
    """The units figures of ``period`` belong on.

    Examples
    --------
    >>> period_vintage(2024), period_vintage(2025)
    ('2020-2025', '2025')
    """
    return VINTAGE_2025 if int(period) >= FIRST_2025_PERIOD else VINTAGE_2020_2025


@cache
def _registry(vintage: str, province_codes: tuple[str, ...]) -> dict[str, tuple[str, str]]:
    """Code → (name key, name key with the unit type) of the communes in ``vintage``."""
    from geo.figures.importing.matching import load_place

    place = load_place(province_codes, vintage)
    return {
        code: (name_key(unit.name), name_key(unit.name, keep_type=True))
        for code, unit in place.units.items()
    }


def _fits(registry: Mapping[str, tuple[str, str]], code: str, name: str) -> bool:
    """Whether a row's code (and its name, when it has one) is a commune of ``registry``.

    A name with its type must match with it: ``04831`` is "Thị trấn Đà Bắc" before 1 July 2025
    and "Xã Đà Bắc" after, so "Xã Đà Bắc" fits only the later.
    """
    keys = registry.get(code)
    if keys is None or not name:
        return keys is not None
    if unit_type(name) is not None:
        return name_key(name, keep_type=True) == keys[1]
    return name_key(name) == keys[0]


def detect_vintage(
    rows: Iterable[tuple[str, str]], province_codes: str | tuple[str, ...] = "17"
) -> VintageEvidence:
    """The vintage the ``(code, name)`` pairs of a file point to (name ``""`` when not given).

    A row decides when its code (with its name, if any) is a commune of one vintage and not of
    the other; rows without a readable code, and codes that fit both, do not decide.

    Examples
    --------
    >>> evidence = detect_vintage([("05233", "Xã Tòng Đậu"), ("04828", "")])
    >>> evidence.vintage, evidence.codes_of("2020-2025")
    ('2020-2025', ('05233',))
    """
    codes = (province_codes,) if isinstance(province_codes, str) else tuple(province_codes)
    registries = {v: _registry(v, codes) for v in (VINTAGE_2020_2025, VINTAGE_2025)}
    only: dict[str, list[str]] = {v: [] for v in registries}
    for text, name in rows:
        text = text.lstrip("'").replace(" ", "")
        if not _CODE.fullmatch(text):
            continue
        code = text.zfill(5)
        fitting = [v for v, registry in registries.items() if _fits(registry, code, name)]
        if len(fitting) == 1 and code not in only[fitting[0]]:
            only[fitting[0]].append(code)
    pointing = [v for v, found in only.items() if found]
    detected = pointing[0] if len(pointing) == 1 else None
    return VintageEvidence(vintage=detected, only={v: tuple(c) for v, c in only.items()})


def file_marker(meta: Mapping[str, str], vintage_cells: Iterable[str]) -> tuple[str | None, str]:
    """The vintage a file says it is for, and where it says so (``"template"``, ``"column"``).

    Examples
    --------
    >>> file_marker({"vintage": "2025"}, []), file_marker({}, ["2025", "", "2025"])
    (('2025', 'template'), ('2025', 'column'))
    >>> file_marker({}, ["2025", "2020-2025"])  # a column of both says nothing about the file
    (None, '')
    """
    from geo.figures.importing.matching import VINTAGES

    if meta.get("vintage") in VINTAGES:
        return meta["vintage"], "template"
    values = {text.strip() for text in vintage_cells if text.strip()}
    if len(values) == 1 and (value := values.pop()) in VINTAGES:
        return value, "column"
    return None, ""


def vintage_label(vintage: str, lang: Lang) -> str:
    """ "địa giới từ 1/7/2025 (không có cấp huyện)" / "2020–2025 units (with districts)"."""
    return t(f"importer.vintage.{vintage}", lang)


def _codes_text(codes: tuple[str, ...]) -> dict[str, str]:
    """The first codes, and how many more, in each language."""
    shown = ", ".join(codes[:_SHOWN_CODES])
    more = len(codes) - _SHOWN_CODES
    return {
        lang: shown + (t("importer.more_codes", lang, n=more) if more > 0 else "")
        for lang in LANGUAGES
    }


def _labels(vintage: str) -> dict[str, str]:
    return {lang: vintage_label(vintage, lang) for lang in LANGUAGES}


def _against_codes(
    evidence: VintageEvidence, file_name: str, key: str, chosen: str | None = None
) -> UnreadableFileError:
    """The error of a vintage (the file's word, or ``chosen``) its codes contradict."""
    detected = evidence.vintage or ""
    said = {"chosen": _labels(chosen)} if chosen else {"said": _labels(evidence.marked or "")}
    codes = _codes_text(evidence.codes_of(detected))
    return unreadable(file_name, key, found=_labels(detected), codes=codes, **said)


def resolve_vintage(
    evidence: VintageEvidence, *, chosen: str | None, period: int, file_name: str
) -> tuple[str, str]:
    """The vintage to read the file under and where it came from (one of :data:`SOURCES`).

    Raises
    ------
    UnreadableFileError
        When the file's word, its codes and the choice disagree (naming the codes), or the
        vintage does not hold the period (2026 figures on 2020–2025 units).

    Examples
    --------
    >>> evidence = VintageEvidence("2025", "template", "2020-2025", {"2020-2025": ("05233",)})
    >>> try:
    ...     resolve_vintage(evidence, chosen=None, period=2026, file_name="mau.xlsx")
    ... except Exception as error:
    ...     print(error.text("en"))  # doctest: +ELLIPSIS
    mau.xlsx: the file says it is for the 2025 units (no districts), but its code(s) 05233 exist ...
    """
    marked, detected = evidence.marked, evidence.vintage
    if marked and detected and marked != detected:
        raise _against_codes(evidence, file_name, f"importer.error.vintage_{evidence.marked_by}")
    if chosen and marked and chosen != marked:
        raise unreadable(
            file_name,
            f"importer.error.vintage_choice_{evidence.marked_by}",
            said=_labels(marked),
            chosen=_labels(chosen),
        )
    if chosen and detected and chosen != detected:
        raise _against_codes(evidence, file_name, "importer.error.vintage_choice_codes", chosen)
    if marked:
        vintage, source = marked, evidence.marked_by
    elif detected:
        vintage, source = detected, "codes"
    elif chosen:
        vintage, source = chosen, "choice"
    else:
        vintage, source = period_vintage(period), "period"
    if vintage != period_vintage(period):
        raise unreadable(
            file_name,
            "importer.error.vintage_period",
            period=str(period),
            vintage=_labels(vintage),
            expected=_labels(period_vintage(period)),
            first=str(FIRST_2025_PERIOD),
        )
    return vintage, source


def evidence_of(
    cells: Iterable[Mapping[str, str]],
    meta: Mapping[str, str],
    province_codes: str | tuple[str, ...],
) -> VintageEvidence:
    """The :class:`VintageEvidence` of a file: its marker, and its rows' codes and names."""
    rows = list(cells)
    marked, marked_by = file_marker(meta, (row.get(VINTAGE, "") for row in rows))
    detected = detect_vintage(
        ((row.get(COMMUNE_CODE, ""), row.get(COMMUNE_NAME, "")) for row in rows), province_codes
    )
    return VintageEvidence(marked, marked_by, detected.vintage, detected.only)
