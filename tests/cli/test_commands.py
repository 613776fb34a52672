import json
import zipfile

import pytest
from repo_paths import SHARED_DATA

from geo.cli.commands import main
from geo.figures.published import FIGURES

SHARED = SHARED_DATA / "boundaries"


def test_summary_2019_gives_the_published_figures(capsys):
    assert main(["summary", "--period", "2019", "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["data"] == "dữ liệu minh họa / demo data"
    assert payload["communes"] == 151
    kpis = payload["kpis"]
    expected = {
        "models_total": 4648,
        "models_economy": 1392,
        "models_culture_society": 1503,
        "models_defence_security": 1102,
        "models_political_system": 651,
        "models_replicated": 646,
        "ntm_communes": 82,
        "land_communes": 55,
        "land_done_ha": 4657,
    }
    assert {key: kpis[key]["value"] for key in expected} == expected
    for key in expected:
        assert kpis[key]["published"] == FIGURES[key].value
        assert kpis[key]["difference"] == 0


def test_summary_text_is_vietnamese_by_default(capsys):
    assert main(["summary", "--period", "2019"]) == 0
    out = capsys.readouterr().out
    assert "Mô hình Dân vận khéo" in out and "4.648" in out and "dữ liệu minh họa" in out


def test_summary_unknown_period_fails(capsys):
    assert main(["summary", "--period", "1990"]) == 1
    assert "1990" in capsys.readouterr().err


def test_boundaries_summary_json(tmp_path, commune_grid, capsys):
    path = tmp_path / "xa.geojson"
    commune_grid.to_file(path)
    assert main(["boundaries", str(path), "--json", "--no-cache"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["feature_count"] == 9
    assert summary["source_crs"] == "EPSG:4326"
    assert summary["bounds_wgs84"] == pytest.approx([105.30, 20.80, 105.36, 20.86])


def test_boundaries_bad_file_exits_non_zero(tmp_path, capsys):
    path = tmp_path / "broken.geojson"
    path.write_text("this is not geojson", encoding="utf-8")
    assert main(["boundaries", str(path)]) == 1
    assert "broken.geojson" in capsys.readouterr().err


@pytest.mark.shared
@pytest.mark.skipif(not SHARED.is_dir(), reason=f"real boundary layers not found at {SHARED}")
def test_boundaries_vn2000_zipped_shapefile(tmp_path, capsys):
    import geopandas as gpd

    from geo.geography.boundaries import vn2000_tm3

    real = gpd.read_file(SHARED / "hoabinh_communes_2020-2025_derived_vietnam63.geojson")
    folder = tmp_path / "shp"
    folder.mkdir()
    real[["commune_code", "commune_name", "district_code", "district_name", "geometry"]].to_crs(
        vn2000_tm3(106)
    ).to_file(folder / "xa_hoabinh.shp", engine="pyogrio")
    archive = tmp_path / "xa_hoabinh_vn2000.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for part in folder.iterdir():
            zipped.write(part, part.name)
    assert main(["boundaries", str(archive), "--json", "--no-cache"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["feature_count"] == 151
    assert "VN-2000" in summary["source_crs"] or summary["source_crs"].startswith("EPSG:")
    minx, miny, maxx, maxy = summary["bounds_wgs84"]
    assert 104.8 < minx < maxx < 105.9 and 20.3 < miny < maxy < 21.2
    assert summary["bounds_wgs84"] == pytest.approx(list(real.total_bounds), abs=1e-4)
