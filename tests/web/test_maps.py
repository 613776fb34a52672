import json
import re

import folium
import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from geo.analysis.metrics import commune_metrics
from geo.view import MapView
from geo.web.maps import (
    NO_DATA_COLOR,
    NOT_APPLICABLE_COLOR,
    NTM_COLORS,
    build_map,
    classify_layer,
    legend_html,
)


def _grid(n=4):
    rows = []
    for i in range(n):
        for j in range(n):
            code = f"{i * n + j + 1:05d}"
            rows.append(
                {
                    "commune_code": code,
                    "commune_name": f"Xã {code}",
                    "commune_type": "Xã" if (i + j) % 5 else "Phường",
                    "district_code": "001" if i < n / 2 else "002",
                    "district_name": "Huyện Một" if i < n / 2 else "Huyện Hai",
                    "area_km2": 10.0,
                    "geometry": box(
                        105 + j * 0.05, 20.5 + i * 0.05, 105.05 + j * 0.05, 20.55 + i * 0.05
                    ),
                }
            )
    return gpd.GeoDataFrame(rows, crs="EPSG:4326")


@pytest.fixture
def communes():
    return _grid()


@pytest.fixture
def metrics(communes):
    codes = communes["commune_code"].tolist()
    models = pd.DataFrame(
        {
            "commune_code": codes[:-1],  # the last commune has no data
            "period": 2019,
            "models_economy": list(range(len(codes) - 1)),
            "models_culture_society": 1,
            "models_defence_security": 0,
            "models_political_system": 0,
            "models_replicated": 0,
        }
    )
    models.loc[0, "models_culture_society"] = 0  # one commune with no model at all
    levels = ["not_yet", "ntm", "advanced", "model"]
    rural = communes[communes["commune_type"] == "Xã"]["commune_code"].tolist()
    ntm = pd.DataFrame(
        {
            "commune_code": rural[:-1],
            "period": 2019,
            "ntm_level": [levels[i % 4] for i in range(len(rural) - 1)],
            "criteria_met": [12 if i % 4 == 0 else 19 for i in range(len(rural) - 1)],
        }
    )
    land = pd.DataFrame(
        {
            "commune_code": codes[:8],
            "period": 2019,
            "land_done_ha": [0, 10, 20, 30, 40, 50, 0, 5],
            "land_planned_ha": [100, 100, 100, 100, 50, 50, 0, 0],
        }
    )
    return commune_metrics(communes, {"models": models, "ntm": ntm, "land": land}, period=2019)


def test_density_classes_count_every_commune(metrics):
    c = classify_layer(metrics, "models_density", k=5, lang="en")
    assert sum(e.count for e in c.legend) == len(metrics)
    assert c.legend[0].label == "No models" and c.legend[0].count == 1
    assert c.legend[-1].label == "No data" and c.legend[-1].count == 1
    assert c.colors.iloc[-1] == NO_DATA_COLOR
    assert len(c.bins) == 5
    # natural breaks (Fisher–Jenks) is deterministic: same input, same bins
    assert classify_layer(metrics, "models_density", k=5).bins == c.bins


def test_no_colour_is_black(metrics):
    for layer in ("models_density", "ntm", "land"):
        c = classify_layer(metrics, layer)
        assert not c.colors.isin(["#000", "#000000", "black"]).any()
        assert NO_DATA_COLOR in {e.color for e in c.legend}


def test_known_bins_with_few_values():
    m = pd.DataFrame({"models_per_km2": [1.0, 1.0, 5.0, 5.0], "models_total": [1, 1, 5, 5]})
    c = classify_layer(m, "models_density", k=5, lang="en")
    assert c.bins == [1.0, 5.0]  # never more classes than distinct values
    assert [e.count for e in c.legend] == [2, 2, 0]


def test_ntm_is_ordered_categories_with_not_applicable(metrics):
    c = classify_layer(metrics, "ntm", lang="vi", period=2019)
    labels = [e.label for e in c.legend]
    assert labels[:4] == ["Chưa đạt", "Đạt chuẩn NTM", "NTM nâng cao", "NTM kiểu mẫu"]
    assert "Không áp dụng (phường, thị trấn)" in labels
    wards = metrics["commune_type"].eq("Phường")
    assert (c.colors[wards] == NOT_APPLICABLE_COLOR).all()
    assert sum(e.count for e in c.legend) == len(metrics)
    first = metrics.index[metrics["ntm_level"].astype(str) == "not_yet"][0]
    assert c.colors[first] == NTM_COLORS["not_yet"]
    assert c.labels[first] == "Chưa đạt (12/19)"


def test_land_layer_no_plan_not_applicable_and_no_data(metrics):
    c = classify_layer(metrics, "land", lang="en")
    counts = {e.label: e.count for e in c.legend}
    # 2 communes with a zero plan, plus the 2 wards (codes 00012, 00015) without land figures
    assert counts["No plan, or not applicable (wards, towns)"] == 4
    assert counts["No data"] == len(metrics) - 8 - 2
    assert counts["0%"] == 1
    assert sum(counts.values()) == len(metrics)
    by_code = dict(zip(metrics["commune_code"], c.labels, strict=True))
    assert by_code["00012"] == "Not applicable (wards, towns)"
    assert by_code["00007"] == "No plan"
    assert by_code["00016"] == "No data"


def test_script_in_names_is_escaped(communes, metrics):
    communes.loc[0, "commune_name"] = "<script>alert('x')</script>"
    metrics.loc[0, "commune_name"] = "<script>alert('x')</script>"
    fmap = build_map(communes, metrics, MapView(layer="models_density", period=2019))
    html = fmap.get_root().render()
    assert "<script>alert" not in html
    layer = next(c for c in fmap._children.values() if isinstance(c, folium.GeoJson))
    names = [f["properties"]["name"] for f in layer.data["features"]]
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in names
    # ... and so it arrives in the browser: escaped text, never markup.
    decoded = [f["properties"]["name"] for f in layer.features()]
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in decoded


def _code_lists(html):
    """Every ``code`` property column embedded in the page (one per compact layer), decoded as
    the browser decodes it."""
    from geo.web.geometry import decode_compact

    return [
        [f["properties"]["code"] for f in decode_compact(json.loads(data))]
        for data in re.findall(r"atlasFeatures\((\{.*?\})\);", html)
    ]


def test_build_map_draws_each_commune_and_district_filter(communes, metrics):
    fmap = build_map(
        communes, metrics, MapView(layer="ntm", period=2019), districts=None, notes=["Sơ đồ"]
    )
    html = fmap.get_root().render()
    # One feature per commune, each code exactly once in the page.
    assert _code_lists(html) == [communes["commune_code"].tolist()]
    assert "atlas-legend" in html
    assert "Sơ đồ" in html or "S\\u01a1 \\u0111\\u1ed3" in html
    # What the browser decodes: one polygon per commune, with its code.
    layer = next(c for c in fmap._children.values() if isinstance(c, folium.GeoJson))
    decoded = layer.features()
    assert [f["properties"]["code"] for f in decoded] == communes["commune_code"].tolist()
    assert all(f["geometry"]["coordinates"] for f in decoded)
    one = build_map(communes, metrics, MapView(layer="ntm", period=2019, district_code="002"))
    in_district = communes.loc[communes["district_code"] == "002", "commune_code"].tolist()
    interactive = [
        c.features()
        for c in one._children.values()
        if isinstance(c, folium.GeoJson) and c.options.get("interactive", True)
    ]
    assert [[f["properties"]["code"] for f in fs] for fs in interactive] == [in_district]
    # Each commune at most once in the page (the rest of the province may be faded context).
    codes = [code for column in _code_lists(one.get_root().render()) for code in column]
    assert len(codes) == len(set(codes)) and set(in_district) <= set(codes)


def test_legend_html_escapes_notes(metrics):
    c = classify_layer(metrics, "land")
    body = legend_html(c, notes=["<b>x</b>"])
    assert "<b>x</b>" not in body and "&lt;b&gt;x&lt;/b&gt;" in body


@pytest.fixture
def district_maps(communes, metrics):
    """Maps with district outlines and names: the whole grid, and zoomed on district 002."""
    districts = communes.dissolve("district_code").reset_index()
    whole = build_map(communes, metrics, MapView(layer="ntm", period=2019), districts=districts)
    one = build_map(
        communes,
        metrics,
        MapView(layer="ntm", period=2019, district_code="002"),
        districts=districts,
    )
    return whole, one


def test_district_outlines_follow_the_commune_borders(communes, metrics, district_maps):
    from shapely import from_geojson

    from geo.web.compact import CompactOutline

    fmap, one = district_maps
    (outline,) = [c for c in fmap._children.values() if isinstance(c, CompactOutline)]
    drawn = {f["properties"]["district"]: f["geometry"] for f in outline.features()}
    assert sorted(drawn) == ["Huyện Hai", "Huyện Một"]
    for geometry in drawn.values():
        # Each district is 4 × 2 cells of 0.05°: its outline is 0.6° long, its inner borders
        # are not drawn.
        assert from_geojson(json.dumps(geometry)).length == pytest.approx(0.6, abs=1e-3)
    html = fmap.get_root().render()
    assert "atlasOutlines" in html and "atlas-district" in html
    # Zoomed on a district: its outline only.
    (outline,) = [c for c in one._children.values() if isinstance(c, CompactOutline)]
    assert [f["properties"]["district"] for f in outline.features()] == ["Huyện Hai"]
    # Without districts, no outline.
    bare = build_map(communes, metrics, MapView(layer="ntm", period=2019))
    assert not [c for c in bare._children.values() if isinstance(c, CompactOutline)]


def test_district_labels_name_the_province_when_several(communes, metrics):
    communes = communes.assign(
        province_name=["Tỉnh A" if c < "00009" else "Tỉnh B" for c in communes["commune_code"]],
        district_name="Huyện Châu Thành",
    )
    fmap = build_map(communes, metrics, MapView(layer="ntm", period=2019))
    layer = next(c for c in fmap._children.values() if isinstance(c, folium.GeoJson))
    labels = {f["properties"]["district"] for f in layer.features()}
    assert labels == {"Huyện Châu Thành, Tỉnh A", "Huyện Châu Thành, Tỉnh B"}


def test_outline_script_survives_streamlit_folium_renaming(communes, metrics):
    """streamlit-folium renames every element as it renders (``compact_geo_json_div_3``): the
    outline and the labels must name the layer's variables as rendered, not as first built."""
    import copy

    from streamlit_folium import _get_map_string

    districts = communes.dissolve("district_code").reset_index()
    fmap = copy.deepcopy(
        build_map(communes, metrics, MapView(layer="ntm", period=2019), districts=districts)
    )
    fmap.get_root().render()
    script = _get_map_string(fmap)
    used = set(re.findall(r"(\w+)_topology\b", script))
    defined = set(re.findall(r"var (\w+)_topology =", script))
    assert "atlasOutlines" in script and used and used <= defined
    labelled = set(re.findall(r"(\w+)_features, \[\[", script))  # the labels' layer
    defined = set(re.findall(r"var (\w+)_features =", script))
    assert "atlas-label" in script and labelled and labelled <= defined


def _two_periods(communes, metrics):
    """The fixture's metrics as 2019, and a 2024 with twice the models per km²."""
    later = metrics.assign(models_per_km2=metrics["models_per_km2"] * 2)
    return later, pd.concat([metrics.assign(period=2019), later.assign(period=2024)])


def test_same_classes_for_every_period(communes, metrics):
    later, both = _two_periods(communes, metrics)
    early = classify_layer(metrics, "models_density", k=3, lang="en", reference=both)
    late = classify_layer(later, "models_density", k=3, lang="en", reference=both)
    # One set of classes for both periods, computed over both; the counts differ.
    assert early.bins == late.bins
    assert [e.label for e in early.legend] == [e.label for e in late.legend]
    assert early.bins[-1] == pytest.approx(later["models_per_km2"].max())
    assert early.legend[-2].count == 0 < late.legend[-2].count  # the top class: 2024 only
    assert sum(e.count for e in early.legend) == sum(e.count for e in late.legend) == 16
    # Each period on its own fills its own top class.
    alone = classify_layer(metrics, "models_density", k=3, lang="en")
    assert alone.bins[-1] == pytest.approx(metrics["models_per_km2"].max())
    # Manual breaks and categories have nothing to share: the reference is ignored.
    manual = classify_layer(metrics, "models_density", breaks=[1.0], reference=both)
    assert manual.bins == classify_layer(metrics, "models_density", breaks=[1.0]).bins
    ntm = classify_layer(metrics, "ntm", reference=both)
    assert ntm.legend == classify_layer(metrics, "ntm").legend


def test_a_period_missing_from_the_reference_still_gets_classes(metrics):
    reference = metrics.assign(models_per_km2=metrics["models_per_km2"] / 10)
    c = classify_layer(metrics, "models_density", k=3, reference=reference)
    # The period's own values join the reference: every commune with data is in a class.
    assert c.bins[-1] == pytest.approx(metrics["models_per_km2"].max())
    assert sum(e.count for e in c.legend) == 16


def test_build_map_says_when_classes_are_shared(communes, metrics):
    later, both = _two_periods(communes, metrics)
    view = MapView(layer="models_density", period=2024, same_classes=True, lang="en")
    shared = build_map(communes, later, view, reference=both).get_root().render()
    assert "Same classes for periods 2019–2024" in shared.replace("\\u2013", "–")
    # Without the view asking, or without a reference, each period has its own classes.
    own = build_map(communes, later, view.replace(same_classes=False), reference=both)
    assert "Same classes" not in own.get_root().render()
    assert "Same classes" not in build_map(communes, later, view).get_root().render()


def test_map_names_its_districts_and_measures_in_km(district_maps):
    from geo.web.compact import CompactLabels

    fmap, one = district_maps
    (labels,) = [c for c in fmap._children.values() if isinstance(c, CompactLabels)]
    layer = labels.layer
    names = {
        layer.features()[row]["properties"]["district"]: (lat, lng)
        for lat, lng, row in labels.points
    }
    assert sorted(names) == ["Huyện Hai", "Huyện Một"]
    # Each name stands inside its district (rows 0-1 and 2-3 of the 4 × 4 grid of 0.05°).
    assert 20.5 < names["Huyện Một"][0] < 20.6 < names["Huyện Hai"][0] < 20.7
    html = fmap.get_root().render()
    assert "atlas-label-district" in html and "imperial: false" in html
    assert "L.control.scale()" not in html  # Leaflet's default scale adds miles
    # Zoomed on a district: its name only (the faded rest is context).
    (labels,) = [c for c in one._children.values() if isinstance(c, CompactLabels)]
    rows = [row for _, _, row in labels.points]
    assert [labels.layer.features()[r]["properties"]["district"] for r in rows] == ["Huyện Hai"]


def test_labels_need_names_and_groups(communes, metrics):
    from geo.web.compact import CompactGeoJson, CompactLabels
    from geo.web.geometry import web_feature_collection

    layer = CompactGeoJson(
        web_feature_collection(communes, pd.DataFrame({"code": communes["commune_code"]}))
    )
    with pytest.raises(ValueError, match="name"):
        CompactLabels(layer, points=[], group="district")


def test_scale_bar_is_metric_only(communes, metrics):
    html = build_map(communes, metrics, MapView(layer="ntm", period=2019)).get_root().render()
    scales = re.findall(r"L\.control\.scale\(([^)]*)\)", html)
    assert scales == ["{metric: true, imperial: false}"]  # one scale, no miles


def _ntm_2026(communes):
    """Figures of a 2026 period, measured on the 10 criteria of the 2026–2030 set."""
    rural = communes[communes["commune_type"] == "Xã"]["commune_code"].tolist()
    ntm = pd.DataFrame(
        {
            "commune_code": rural,
            "period": 2026,
            "ntm_level": ["not_yet", "ntm"] * (len(rural) // 2) + ["ntm"] * (len(rural) % 2),
            "criteria_met": [8, 10] * (len(rural) // 2) + [10] * (len(rural) % 2),
        }
    )
    return commune_metrics(communes, {"ntm": ntm}, period=2026)


def test_ntm_counts_criteria_out_of_the_period_set(communes):
    metrics = _ntm_2026(communes)
    c = classify_layer(metrics, "ntm", lang="vi", period=2026)
    first = metrics.index[metrics["ntm_level"].astype(str) == "not_yet"][0]
    assert c.labels[first] == "Chưa đạt (8/10)"
    assert c.unit == "mức đạt; bộ tiêu chí 2026–2030, 10 tiêu chí"
    # Only the levels of the 2026–2030 set ("advanced" and "model" are no levels of it).
    assert [e.label for e in c.legend] == [
        "Chưa đạt",
        "Đạt chuẩn NTM",
        "Không áp dụng (phường, thị trấn)",
        "Không có số liệu",
    ]
    # The same figures said of a 2024 period count out of 19 (the 2021–2025 set).
    old = classify_layer(metrics, "ntm", lang="en", period=2024)
    assert old.labels[first] == "Not yet (8/19)"
    assert old.unit == "level; 2021–2025 criteria set, 19 criteria"
    # Without a period no count is claimed.
    assert classify_layer(metrics, "ntm", lang="vi").labels[first] == "Chưa đạt (8)"


def test_ntm_legend_of_the_map_names_the_set(communes):
    fmap = build_map(communes, _ntm_2026(communes), MapView(layer="ntm", period=2026))
    html = fmap.get_root().render()
    # The legend's body is a JSON string in the page.
    assert json.dumps("mức đạt; bộ tiêu chí 2026–2030, 10 tiêu chí")[1:-1] in html
    assert "8/10" in html and "/19" not in html


def _tooltip(fmap):
    layer = next(c for c in fmap._children.values() if isinstance(c, folium.GeoJson))
    tooltip = next(c for c in layer._children.values() if isinstance(c, folium.GeoJsonTooltip))
    return tooltip, [f["properties"] for f in layer.features()]


def test_tooltip_of_a_2025_layer_names_the_former_district_never_a_huyen(communes, metrics):
    # 1 July 2025: no districts; the communes carry their former district.
    later = communes.assign(district_name=None, former_district_name=communes["district_name"])
    tooltip, features = _tooltip(build_map(later, metrics, MapView(layer="ntm", period=2019)))
    assert tooltip.fields == ["name", "district", "value"]
    assert tooltip.aliases == ["Xã", "Khu vực huyện cũ", "Nông thôn mới"]
    assert features[0]["district"] == "Huyện Một"
    # Neither a district nor a former one: the row is left out, not shown empty.
    bare = communes.drop(columns="district_name")
    tooltip, features = _tooltip(build_map(bare, metrics, MapView(layer="ntm", period=2019)))
    assert tooltip.fields == ["name", "value"] and "district" not in features[0]
    # A layer with districts keeps "Huyện".
    tooltip, _ = _tooltip(build_map(communes, metrics, MapView(layer="ntm", period=2019)))
    assert tooltip.aliases[1] == "Huyện"
