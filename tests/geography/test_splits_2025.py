"""Hòa Bình's 2020–2025 communes split in 2025: what Resolution 1676/NQ-UBTVQH15 states."""

from __future__ import annotations

import tomllib

import pytest

from geo.geography import crosswalk as crosswalk_module
from geo.geography.crosswalk import (
    BASIS_REGISTRY,
    BASIS_RESOLUTION_2025,
    TABLE_SPLITS_2025,
    crosswalk,
)
from geo.geography.units_2025 import successors_2025


def _parts() -> list[dict[str, object]]:
    with TABLE_SPLITS_2025.open("rb") as handle:
        return tomllib.load(handle)["part"]


def test_the_file_names_every_split_pair_of_the_converter_with_its_clause():
    pairs = successors_2025("17").query("split")
    expected = set(zip(pairs["old_code"], pairs["new_code"], strict=True))
    parts = _parts()
    assert {(p["from_code"], p["to_code"]) for p in parts} == expected
    clauses = {(p["from_code"], p["part"]): p["clause"] for p in parts}
    # Vầy Nưa: part to Tiền Phong (clause 99), the rest to Phường Thống Nhất (clause 146).
    assert clauses[("04891", "một phần")] == "Điều 1 khoản 99"
    assert clauses[("04891", "phần còn lại")] == "Điều 1 khoản 146"
    assert clauses[("04957", "một phần")] == "Điều 1 khoản 116"
    assert clauses[("05221", "phần còn lại")] == "Điều 1 khoản 122"


def test_without_stated_areas_the_three_splits_keep_the_registry_shares():
    # Article 1 states no area of any part: no number was written, none is used.
    assert not any("area_km2" in part for part in _parts())
    table = crosswalk("2020-2025", "2025").table
    assert set(table.loc[table["split"], "share_basis"]) == {BASIS_REGISTRY}


def test_stated_areas_of_every_part_are_preferred_to_the_registry(tmp_path, monkeypatch):
    text = TABLE_SPLITS_2025.read_text(encoding="utf-8")
    # Made-up areas for the test only: Vầy Nưa complete, Cao Sơn with one part missing.
    text = text.replace('clause = "Điều 1 khoản 99"', 'clause = "Điều 1 khoản 99"\narea_km2 = 30.0')
    text = text.replace(
        'clause = "Điều 1 khoản 146"', 'clause = "Điều 1 khoản 146"\narea_km2 = 10.0'
    )
    text = text.replace(
        'clause = "Điều 1 khoản 116"', 'clause = "Điều 1 khoản 116"\narea_km2 = 5.0'
    )
    path = tmp_path / "splits.toml"
    path.write_text(text, encoding="utf-8")
    monkeypatch.setattr(crosswalk_module, "TABLE_SPLITS_2025", path)
    table = crosswalk("2020-2025", "2025").table.set_index(["from_code", "to_code"])
    assert table.loc[("04891", "04891"), "share"] == pytest.approx(0.75)
    assert table.loc[("04891", "04828"), "share"] == pytest.approx(0.25)
    assert table.loc[("04891", "04828"), "part_km2"] == pytest.approx(10.0)
    assert table.loc[("04891", "04828"), "share_basis"] == BASIS_RESOLUTION_2025
    assert table.loc[("04891", "04828"), "part_basis"] == BASIS_RESOLUTION_2025
    # One part's area is not enough: shares must sum to 1, so Cao Sơn stays on the registry.
    assert table.loc[("04957", "04924"), "share_basis"] == BASIS_REGISTRY
    assert table.loc[("04957", "04924"), "share"] == pytest.approx(0.522, abs=0.001)
