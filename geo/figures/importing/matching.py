"""Matching rows to communes: by GSO code when the file has one, else by name within a district.

A code is checked against the name and district the row also gives; a name is matched among the
communes of its district (the district column, or the last "Huyện …" section above it) with
:func:`geo.geography.matching.match_names`. Nothing is guessed: an unknown or ambiguous name is
rejected with the closest communes, a name found only in another district is rejected naming it.

Examples
--------
>>> place = load_place("17", "2020-2025")
>>> place.describe("04789"), place.is_commune_name("Tong Dau"), place_name(place.units["05233"])
('Phường Thái Bình (Thành phố Hòa Bình, 04789)', True, 'Xã Tòng Đậu (Huyện Mai Châu)')
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from geo.figures.importing.findings import Findings
from geo.figures.importing.header import DISTRICT_COLUMN
from geo.figures.importing.rows import Group, Row
from geo.geography.matching import (
    ascii_key,
    closest_candidates,
    match_names,
    name_key,
    unit_type,
)
from geo.geography.units_2025 import VINTAGE_2025, communes_2025
from geo.i18n import LANGUAGES, Lang, t
from geo.schema import (
    COMMUNE_CODE,
    COMMUNE_NAME,
    COMMUNE_TYPE,
    DISTRICT_CODE,
    DISTRICT_NAME,
    PROVINCE_NAME,
    VINTAGE_2020_2025,
)

#: Vintages :func:`~geo.figures.importing.import_file` can match codes and names against.
VINTAGES: tuple[str, ...] = (VINTAGE_2020_2025, VINTAGE_2025)


@dataclass
class Unit:
    """A commune rows can be matched to, with its district (empty for the 2025 vintage)."""

    code: str
    name: str
    kind: str
    district_code: str
    district_name: str


@dataclass
class Place:
    """The communes a file's rows can be matched to."""

    province: str
    units: dict[str, Unit]
    districts: dict[str, str]  # district code → name
    has_districts: bool
    keys: tuple[set[str], set[str], set[str]] | tuple[()] = ()

    def in_district(self, district: str | None) -> dict[str, str]:
        """Code → name of the communes of ``district`` (of all, for None)."""
        return {
            code: unit.name
            for code, unit in self.units.items()
            if district is None or unit.district_code == district
        }

    def is_commune_name(self, label: str) -> bool:
        """Whether ``label`` names a commune here ("Tong Dau" does; "Huyện Mai Châu" not)."""
        if not self.keys:
            units = self.units.values()
            self.keys = (
                {name_key(u.name, keep_type=True) for u in units},
                {name_key(u.name) for u in units},
                {ascii_key(u.name) for u in units},
            )
        typed, plain, bare = self.keys
        if unit_type(label) is not None:
            return name_key(label, keep_type=True) in typed
        return name_key(label) in plain or (label.isascii() and ascii_key(label) in bare)

    def describe(self, code: str) -> str:
        """``"Xã Tòng Đậu (Huyện Mai Châu, 05233)"``."""
        unit = self.units[code]
        return (
            f"{unit.name} ({unit.district_name}, {code})"
            if unit.district_name
            else (f"{unit.name} ({code})")
        )


def load_place(province_codes: str | tuple[str, ...], vintage: str) -> Place:
    """The communes of the provinces ``province_codes`` in boundary set ``vintage``."""
    from geo.geography.admin_units import communes

    if vintage == VINTAGE_2020_2025:
        table = communes(province_codes)
        has_districts = True
    elif vintage == VINTAGE_2025:
        table = communes_2025(province_codes)
        table[DISTRICT_CODE] = ""
        table[DISTRICT_NAME] = ""
        has_districts = False
    else:
        raise ValueError(f"vintage must be one of {', '.join(VINTAGES)}, got {vintage!r}")
    units = {
        code: Unit(code, name, kind, dcode, dname)
        for code, name, kind, dcode, dname in table[
            [COMMUNE_CODE, COMMUNE_NAME, COMMUNE_TYPE, DISTRICT_CODE, DISTRICT_NAME]
        ].itertuples(index=False)
    }
    districts = dict(zip(table[DISTRICT_CODE], table[DISTRICT_NAME], strict=True))
    districts.pop("", None)
    province = ", ".join(dict.fromkeys(table[PROVINCE_NAME]))
    return Place(province, units, districts, has_districts)


def _closest_text(closest: Sequence[Any], place: Place, lang: Lang) -> str:
    """The closest communes of an unknown name, described, or "none"."""
    if not closest:
        return t("importer.none", lang)
    return "; ".join(place.describe(c.id) for c in closest)


def place_name(unit: Unit) -> str:
    """``"Xã Tòng Đậu (Huyện Mai Châu)"``."""
    return f"{unit.name} ({unit.district_name})" if unit.district_name else unit.name


class CommuneMatcher:
    """Matches the rows of one file to the communes of ``place``, rejecting what does not match.

    Sets :attr:`Row.district` (the district code the row is under) and :attr:`Row.code` (the
    commune) of every row it does not reject.
    """

    def __init__(self, place: Place, vintage: str, findings: Findings) -> None:
        self.place = place
        self.vintage = vintage
        self.findings = findings
        self.district_cache: dict[str, str | None] = {}

    def district_of(self, text: str) -> str | None:
        """The code of the district ``text`` names, or None (also when there are no districts)."""
        if not self.place.has_districts or not text:
            return None
        if text not in self.district_cache:
            result = match_names([text], self.place.districts)
            self.district_cache[text] = result.matched[0].candidate_id if result.matched else None
        return self.district_cache[text]

    def match(self, rows: Sequence[Row], groups: Sequence[Group]) -> None:
        """Match every row: by code when it has one, else by name within its district."""
        place = self.place
        by_district: dict[str | None, list[int]] = {}
        district_of_group = {
            position: group.district for group in groups for position in group.rows
        }
        for position, row in enumerate(rows):
            district = district_of_group.get(position)
            text = row.cells.get(DISTRICT_COLUMN, "")
            if text and place.has_districts:
                found = self.district_of(text)
                if found is None:
                    closest = closest_candidates(text, place.districts, n=3)
                    self.findings.reject(
                        row,
                        DISTRICT_COLUMN,
                        "importer.reject.unknown_district",
                        name=text,
                        closest=", ".join(c.name for c in closest) or "–",
                    )
                    continue
                district = found
            row.district = district
            if row.cells.get(COMMUNE_CODE):
                self.match_code(row)
            else:
                by_district.setdefault(district, []).append(position)
        for district, positions in by_district.items():
            self.match_names(district, [rows[p] for p in positions])

    def match_code(self, row: Row) -> None:
        """Match ``row`` by its code, checked against its name and district."""
        text = row.cells[COMMUNE_CODE].lstrip("'").replace(" ", "")
        if not re.fullmatch(r"[0-9]{1,5}", text):
            self.findings.reject(row, COMMUNE_CODE, "importer.reject.bad_code", value=text)
            return
        code = text.zfill(5)
        unit = self.place.units.get(code)
        if unit is None:
            self.findings.reject(
                row,
                COMMUNE_CODE,
                "importer.reject.unknown_code",
                code=code,
                province=self.place.province,
                vintage=self.vintage,
            )
            return
        name = row.cells.get(COMMUNE_NAME, "")
        if name and name_key(name) != name_key(unit.name):
            if ascii_key(name) == ascii_key(unit.name):
                self.findings.warn(
                    f"row {row.index + 1}",
                    "importer.warn.ascii_match",
                    name=name,
                    official=unit.name,
                )
            else:
                self.findings.reject(
                    row,
                    COMMUNE_NAME,
                    "importer.reject.code_name_mismatch",
                    code=code,
                    official=unit.name,
                    name=name,
                )
                return
        if row.district and unit.district_code and row.district != unit.district_code:
            self.findings.reject(
                row,
                DISTRICT_COLUMN if row.cells.get(DISTRICT_COLUMN) else COMMUNE_CODE,
                "importer.reject.code_district_mismatch",
                code=code,
                official=place_name(unit),
                district=self.place.districts.get(row.district, ""),
            )
            return
        row.code = code

    def match_names(self, district: str | None, rows: Sequence[Row]) -> None:
        """Match ``rows`` (without a code) by name among the communes of ``district``."""
        place = self.place
        candidates = place.in_district(district)
        names = [row.cells[COMMUNE_NAME] for row in rows]
        result = match_names(names, candidates)
        area = place.districts.get(district, "") if district else place.province
        for match in result.matched:
            self.accept_match(rows[match.index], match)
        for item in result.ambiguous:
            row = rows[item.index]
            if len(item.candidates) == 1:
                # Two rows claim the same commune: a duplicate, rejected as such later.
                row.code = item.candidates[0].id
                continue
            self.findings.reject(
                row,
                COMMUNE_NAME,
                "importer.reject.ambiguous_name",
                name=item.name,
                candidates="; ".join(place.describe(c.id) for c in item.candidates),
            )
        for item in result.unmatched:
            row = rows[item.index]
            alone = match_names([item.name], candidates)
            if alone.matched:  # its commune was taken by another row: a duplicate
                self.accept_match(row, alone.matched[0])
                continue
            if district is not None:
                anywhere = match_names([item.name], place.in_district(None))
                if anywhere.matched:
                    found = anywhere.matched[0].candidate_id
                    self.findings.reject(
                        row,
                        COMMUNE_NAME,
                        "importer.reject.other_district",
                        name=item.name,
                        district=area,
                        official=place.describe(found),
                    )
                    continue
            self.findings.reject(
                row,
                COMMUNE_NAME,
                "importer.reject.unknown_name",
                name=item.name,
                area=area,
                closest={lang: _closest_text(item.closest, place, lang) for lang in LANGUAGES},
            )

    def accept_match(self, row: Row, match: Any) -> None:
        """Give ``row`` the commune of ``match``, warning when only a looser key matched."""
        row.code = match.candidate_id
        official = self.place.units[row.code].name
        if match.method == "ascii":
            self.findings.warn(
                f"row {row.index + 1}",
                "importer.warn.ascii_match",
                name=match.name,
                official=official,
            )
        elif match.type_differs:
            self.findings.warn(
                f"row {row.index + 1}",
                "importer.warn.type_differs",
                name=match.name,
                official=official,
            )
