import json
import zipfile

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from repo_paths import SHARED_DATA

from geo.analysis.conversion import convert_tables
from geo.cli.commands import main
from geo.figures.indicators import load_demo
from geo.figures.published import FIGURES
from geo.geography.crosswalk import crosswalk

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


@pytest.mark.parametrize("period", [2019, 2024])
def test_summary_on_2025_units_converts_through_the_crosswalk(capsys, period):
    assert main(["summary", "--period", str(period), "--vintage", "2025", "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["vintage"] == "2025" and payload["converted_from"] == "2020-2025"
    assert payload["communes"] == 46 and payload["split_predecessors"] == 3
    kpis = payload["kpis"]
    assert main(["summary", "--period", str(period), "--json"]) == 0
    before = json.loads(capsys.readouterr().out)["kpis"]
    additive = ["models_total", "models_economy", "models_replicated", "land_done_ha"]
    assert {k: kpis[k]["value"] for k in additive} == {k: before[k]["value"] for k in additive}
    if period == 2019:
        for key in additive:
            assert kpis[key]["value"] == FIGURES[key].value and kpis[key]["difference"] == 0
        # Counts of communes were published on the 2019 units: no comparison on 2025 units.
        assert kpis["ntm_communes"]["published"] is None


def test_summary_on_2025_units_says_it_converted(capsys):
    assert main(["summary", "--period", "2019", "--vintage", "2025", "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "figures converted from the 2020-2025 units" in out and "4,648" in out


@pytest.mark.parametrize(
    ("period", "set_id", "decision", "count"),
    [
        (2019, "2016-2020", "1980/QĐ-TTg", 19),
        (2024, "2021-2025", "318/QĐ-TTg", 19),
        (2026, "2026-2030", "51/2025/QĐ-TTg", 10),
    ],
)
def test_summary_names_the_criteria_set_of_the_period(capsys, period, set_id, decision, count):
    assert main(["summary", "--period", str(period), "--json", "--lang", "en"]) == 0
    criteria_set = json.loads(capsys.readouterr().out)["criteria_set"]
    assert (criteria_set["id"], criteria_set["decision"], criteria_set["count"]) == (
        set_id,
        decision,
        count,
    )
    assert criteria_set["name"] == f"{set_id.replace('-', '–')} criteria set"
    assert main(["summary", "--period", str(period)]) == 0
    out = capsys.readouterr().out
    assert f"Số liệu NTM đo theo bộ tiêu chí {set_id.replace('-', '–')} ({decision}" in out


def test_summary_after_the_reform_is_on_the_2025_units_and_not_set_against_2019(capsys):
    assert main(["summary", "--period", "2026", "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["vintage"] == "2025" and payload["communes"] == 46
    assert "converted_from" not in payload
    kpis = payload["kpis"]
    assert kpis["models_total"]["value"] == 7852
    assert kpis["models_total"]["published"] is None  # the published figures are of 2019
    assert 0 < kpis["ntm_communes"]["value"] <= 42  # xã only: the 4 phường are not rated
    assert main(["summary", "--period", "2026", "--vintage", "2020-2025", "--lang", "en"]) == 1
    err = capsys.readouterr().err
    assert "period 2026" in err and "not converted back to the 2020-2025 units" in err


def test_summary_on_2019_units_is_refused_with_the_reason(capsys):
    assert main(["summary", "--period", "2019", "--vintage", "2019", "--lang", "en"]) == 1
    assert "no conversion table" in capsys.readouterr().err


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


def test_summary_on_a_2025_file_never_joins_by_code_coincidence(tmp_path, capsys):
    """Two 2025 communes that reuse predecessors' codes get their converted sums."""
    layer = gpd.GeoDataFrame(
        {
            "commune_code": ["04828", "04891"],
            "commune_name": ["Phường Thống Nhất", "Xã Tiền Phong"],
            "vintage": ["2025", "2025"],
        },
        geometry=[
            shapely.box(105.30, 20.80, 105.32, 20.82),
            shapely.box(105.20, 20.80, 105.22, 20.82),
        ],
        crs=4326,
    )
    path = tmp_path / "two_2025.geojson"
    layer.to_file(path)
    assert main(["summary", "--period", "2019", "--boundaries", str(path), "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["vintage"] == "2025" and payload["communes"] == 2
    demo = load_demo()
    converted = convert_tables(demo, crosswalk("2020-2025", "2025", province_codes="17"))["models"]
    rows = converted.query("period == 2019 and commune_code in ['04828', '04891']")
    assert payload["kpis"]["models_economy"]["value"] == int(rows["models_economy"].sum())
    own = demo["models"].query("period == 2019 and commune_code in ['04828', '04891']")
    assert payload["kpis"]["models_economy"]["value"] != int(own["models_economy"].sum())


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


def test_summary_estimates_newer_figures_on_older_units_only_when_asked(capsys):
    args = ["summary", "--period", "2026", "--vintage", "2020-2025"]
    assert main([*args, "--estimate", "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["estimate"] is True and payload["estimated_from"] == "2025"
    assert payload["vintage"] == "2020-2025" and payload["communes"] == 151
    assert payload["kpis"]["models_total"]["value"] == 7852  # every model kept
    assert main([*args, "--estimate", "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "area-apportioned ESTIMATE" in out.splitlines()[0]
    assert out.splitlines()[1].startswith("ESTIMATE: figures of the 2025 units divided")
    assert main([*args, "--lang", "en"]) == 1
    assert "--estimate for an area-apportioned estimate" in capsys.readouterr().err


def test_export_of_newer_figures_on_older_units_needs_estimate(tmp_path, capsys):
    out = tmp_path / "ntm.xlsx"
    args = ["export", "data", "--demo", "--layer", "ntm", "--period", "2026", "--out", str(out)]
    assert main([*args, "--vintage", "2020-2025"]) == 1
    assert "--vintage 2025, hoặc --estimate" in capsys.readouterr().err and not out.exists()
    assert main([*args, "--vintage", "2020-2025", "--estimate"]) == 0
    assert "ước tính theo tỷ lệ diện tích" in capsys.readouterr().out
    notes = pd.read_excel(out, sheet_name=None)
    text = " ".join(
        str(v) for frame in notes.values() for v in frame.astype(str).to_numpy().ravel()
    )
    assert "ƯỚC TÍNH" in text
