"""Recognising spreadsheet headers: every documented header, every alias documented."""

from __future__ import annotations

import re

import pytest
from repo_paths import REPO_ROOT

from geo.figures import indicators as ind
from geo.figures.importing import HEADER_ALIASES, recognise_header

DOCS = REPO_ROOT / "docs" / "indicators.md"


def documented_headers() -> list[tuple[str | None, str, str]]:
    """(family or None for all, column, header) from the tables of docs/indicators.md."""
    found: list[tuple[str | None, str, str]] = []
    family: str | None = None
    section = False
    for line in DOCS.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            section = line.startswith("## Spreadsheet headers")
        if not section:
            continue
        heading = re.match(r"^### (?:All families|`(\w+)`)", line)
        if heading:
            family = heading.group(1)
            continue
        cells = line.split(" | ")
        if len(cells) == 2 and "`" in cells[1]:
            column = re.search(r"`(\w+)`", cells[0])
            key = column.group(1) if column else None
            for header in re.findall(r"`([^`]+)`", cells[1]):
                found.append((family, key or cells[0].strip("| "), header))
    return found


def test_documented_headers_are_recognised():
    headers = documented_headers()
    assert len(headers) > 150
    pseudo = {"STT (row number, not used)": "_stt", "district (for matching names)": "_district"}
    pseudo |= {"ignored on purpose": "_ignore", "total (cross-check only)": "_total"}
    pseudo |= {"district code (not used)": "_district_code"}
    for family, column, header in headers:
        expected = pseudo.get(column, column)
        for name in [family] if family else ind.FAMILY_NAMES:
            assert recognise_header(header, name) == expected, (name, header)


def test_every_alias_is_documented():
    documented = {header for _, _, header in documented_headers()}
    for aliases in HEADER_ALIASES.values():
        for column, names in aliases.items():
            assert set(names) - {column} <= documented, column


@pytest.mark.parametrize(
    ("header", "family", "column"),
    [
        ("Số mô hình Kinh tế", "models", "models_economy"),
        ("Số mô hình Tổng số", "models", "_total"),
        ("Văn hoá – xã hội", "models", "models_culture_society"),
        ("QP - AN", "models", "models_defence_security"),
        ("MA XA", "ntm", "commune_code"),
        ("Diện tích đã dồn điền đổi thửa (ha)", "land", "land_done_ha"),
        ("Kết quả DĐĐT Đã thực hiện (ha)", "land", "land_done_ha"),
        ("Năm đạt chuẩn NTM", "ntm", "ntm_year"),
        ("Năm", "ntm", "period"),
        ("Đơn vị tính", "land", "_ignore"),
        ("Ghi chú", "models", "_ignore"),
        ("Họ và tên", "models", None),
    ],
)
def test_header_recognition(header, family, column):
    assert recognise_header(header, family) == column
