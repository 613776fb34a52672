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


def geojson_text(coordinates: list, crs: str | None = None) -> str:
    """A one-feature GeoJSON (commune 04701) written as text, ``crs`` member optional."""
    member = f',"crs":{{"type":"name","properties":{{"name":"{crs}"}}}}' if crs else ""
    feature = json.dumps(
        {
            "type": "Feature",
            "properties": {"ma_xa": "04701", "ten_xa": "Xã Tòng Đậu"},
            "geometry": {"type": "Polygon", "coordinates": coordinates},
        }
    )
    return f'{{"type":"FeatureCollection"{member},"features":[{feature}]}}'


def test_boundaries_bad_feature_is_named_and_the_rest_loads(tmp_path, capsys):
    good = [[105.3, 20.8], [105.31, 20.8], [105.31, 20.81], [105.3, 20.81], [105.3, 20.8]]
    text = geojson_text([good])
    bad = geojson_text([[[105.4, 20.8], [105.41, 20.8]]]).split('"features":[')[1][:-2]
    path = tmp_path / "xa.geojson"
    path.write_text(text[:-2] + "," + bad.replace("04701", "04702") + "]}", encoding="utf-8")
    assert main(["boundaries", str(path), "--no-cache"]) == 0
    out = capsys.readouterr().out
    assert "features:    1 communes" in out
    assert (
        "error   xa.geojson [04702 Xã Tòng Đậu (feature #2)]: unclosed ring closed; "
        "rings of fewer than 4 points dropped: 1; no ring of 4 or more valid points left; "
        "feature dropped\n"
    ) in out
    assert main(["boundaries", str(path), "--no-cache", "--strict"]) == 1


def test_boundaries_unknown_crs_is_one_line_naming_it(tmp_path, capsys):
    path = tmp_path / "xa.geojson"
    square = [[105.3, 20.8], [105.31, 20.8], [105.31, 20.81], [105.3, 20.8]]
    path.write_text(geojson_text([square], crs="urn:ogc:def:crs:EPSG::99999"), encoding="utf-8")
    assert main(["boundaries", str(path), "--no-cache"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith("error: xa.geojson: the file names the CRS 'urn:ogc:def:crs:EPSG::99999'")
    assert "--crs" in err
    assert main(["boundaries", str(path), "--no-cache", "--crs", "EPSG:4326"]) == 0


def test_boundaries_unexpected_failure_is_a_reason_not_a_traceback(tmp_path, capsys, monkeypatch):
    import geo.cli.commands as commands

    def broken(*args, **kwargs):
        raise MemoryError("out of memory")

    monkeypatch.setattr(commands, "load_boundaries", broken)
    assert main(["boundaries", str(tmp_path / "xa.geojson")]) == 1
    err = capsys.readouterr().err
    assert err == (
        "error: xa.geojson: unexpected error while reading the layer (MemoryError: out of memory)\n"
    )


def test_boundaries_encoding_option(tmp_path, capsys):
    import geopandas as gpd
    import shapely

    path = tmp_path / "xa.shp"
    frame = gpd.GeoDataFrame(
        {"ma_xa": ["04701"], "ten_xa": ["Xã Tòng Đậu"]},
        geometry=[shapely.box(105.3, 20.8, 105.31, 20.81)],
        crs=4326,
    )
    frame.to_file(path, encoding="cp1258")
    path.with_suffix(".cpg").unlink()
    assert main(["boundaries", str(path), "--no-cache", "--json", "--encoding", "cp1258"]) == 0
    assert json.loads(capsys.readouterr().out)["warnings"] == 0
    assert main(["boundaries", str(path), "--no-cache", "--encoding", "klingon"]) == 1
    assert "unknown text encoding 'klingon'" in capsys.readouterr().err
