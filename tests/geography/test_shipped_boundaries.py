"""The shipped 2025 layer of Phú Thọ is what ``scripts/build_boundaries.py`` makes of its source.

The rebuild reads the byte-identical copy of the source in ``../shared`` (skipped when it is
absent). Parquet bytes depend on the versions of the writing libraries (pyarrow writes its own
into the footer), so the test always compares the canonical content (column names and types,
values, geometry WKB exactly) and also the bytes when the versions recorded in the file are
those installed here; a different GEOS may simplify differently, so the content is then only
compared when GEOS matches.
"""

from __future__ import annotations

import importlib.util
import json
import sys

import geopandas as gpd
import pyarrow.parquet as pq
import pytest
import shapely
from repo_paths import REPO_ROOT, SHARED_DATA

SHIPPED = REPO_ROOT / "data" / "boundaries" / "phutho_communes_2025_vnpdb.parquet"
MIRROR = SHARED_DATA / "sources" / "vietnamese-provinces-database"


def build_script():
    spec = importlib.util.spec_from_file_location(
        "build_boundaries", REPO_ROOT / "scripts" / "build_boundaries.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("build_boundaries", module)
    spec.loader.exec_module(module)
    return module


def shipped_metadata() -> dict:
    return json.loads(pq.read_schema(SHIPPED).metadata[b"atlas"])


def test_shipped_layer_is_small_complete_and_attributed():
    assert SHIPPED.stat().st_size <= 600_000
    layer = gpd.read_parquet(SHIPPED)
    assert len(layer) == 148 and layer["commune_code"].is_unique
    assert set(layer["vintage"]) == {"2025"} and set(layer["province_code"]) == {"25"}
    assert layer.crs.to_epsg() == 4326
    assert bool(shapely.coverage_is_valid(layer.geometry.values))
    meta = shipped_metadata()
    assert meta["licence"] == "MIT" and "sapnhap.bando.com.vn" in meta["attribution"]
    assert "cd58063299585146ded3981f2272946ef19ced54" in meta["pinned"]
    assert meta["content_sha256"] == build_script().canonical_digest(pq.read_table(SHIPPED))
    note = json.loads(SHIPPED.with_suffix(".json").read_text(encoding="utf-8"))
    assert (
        note["content_sha256"] == meta["content_sha256"] and len(note["input_git_blob_ids"]) == 148
    )


@pytest.mark.shared
@pytest.mark.skipif(
    not (MIRROR / "json/geojson/25_phu_tho/wards").is_dir(),
    reason=f"the copy of vietnamese-provinces-database is not at {MIRROR}",
)
def test_rebuild_from_the_shared_copy_is_identical(tmp_path, monkeypatch):
    monkeypatch.delenv("GEO_BOUNDARY_MIRROR", raising=False)
    script = build_script()
    out = tmp_path / SHIPPED.name
    script.build(str(MIRROR), out)
    recorded = shipped_metadata()["versions"]
    here = script.library_versions()
    if recorded["geos"] != here["geos"]:
        pytest.skip(f"shipped with GEOS {recorded['geos']}, here {here['geos']}: may differ")
    rebuilt, shipped = pq.read_table(out), pq.read_table(SHIPPED)
    assert rebuilt.schema.names == shipped.schema.names
    assert rebuilt.schema.types == shipped.schema.types
    for name in shipped.schema.names:
        assert rebuilt[name].to_pylist() == shipped[name].to_pylist(), name
    assert script.canonical_digest(rebuilt) == script.canonical_digest(shipped)
    if recorded == here:
        assert out.read_bytes() == SHIPPED.read_bytes()
