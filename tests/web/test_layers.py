"""The layer registry and how geo.web.maps colours its layers (classes, legend, drill-down)."""

import json

import folium
import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from geo.analysis.compare import compare_periods
from geo.analysis.metrics import commune_metrics
from geo.i18n import has_key
from geo.view import MapView
from geo.web.layers import (
    CHANGE_DECREASE_COLOR,
    CHANGE_NONE_COLOR,
    LAYERS,
    MAX_CLASSES,
    field_layer_key,
    layer_values,
    layers_for,
    parse_breaks,
)
from geo.web.maps import (
    CONTEXT_OPACITY,
    NO_DATA_COLOR,
    NOT_APPLICABLE_COLOR,
    NOT_COMPARABLE_COLOR,
    build_map,
    classify_layer,
)


def test_every_layer_has_a_title_a_unit_and_enough_colours():
    for key, spec in LAYERS.items():
        assert spec.key == key
        assert has_key(spec.title_key) and has_key(spec.unit_key), key
        assert len(set(spec.palette)) == len(spec.palette), key
        if spec.classified:
            assert len(spec.palette) >= 5, key
    assert {"models_density", "ntm", "land"} <= set(LAYERS)  # the original keys still work
    assert [s.key for s in layers_for("compare")] == ["change_models", "change_ntm", "change_land"]


def test_models_per_1000_is_offered_only_with_population():
    with_pop = pd.DataFrame({"population": [100.0, None]})
    without = pd.DataFrame({"population": [None, None]})
    assert "models_per_1000" in [s.key for s in layers_for("period", with_pop)]
    assert "models_per_1000" not in [s.key for s in layers_for("period", without)]


def test_field_layers_count_or_per_km2():
    table = pd.DataFrame({"models_culture_society": [4, 0, None], "area_km2": [2.0, 5.0, 0.0]})
    count = LAYERS[field_layer_key("culture_society", per_km2=False)]
    density = LAYERS[field_layer_key("culture_society", per_km2=True)]
    assert layer_values(table, count).tolist()[:2] == [4.0, 0.0]
    values = layer_values(table, density)
    assert values.tolist()[:2] == [2.0, 0.0] and pd.isna(values.iloc[2])
    with pytest.raises(ValueError):
        layer_values(table, LAYERS["ntm"])


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("1; 2,5; 5", "vi", [1.0, 2.5, 5.0]),
        ("5 1", "vi", [1.0, 5.0]),
        ("1.000; 2", "vi", [2.0, 1000.0]),
        ("0.5", "vi", [0.5]),  # typed the English way: still a decimal
        ("2.5; 1,000", "en", [2.5, 1000.0]),
        ("2,5", "en", [2.5]),
        ("3;3;1", "en", [1.0, 3.0]),
    ],
)
def test_parse_breaks(text, lang, expected):
    assert parse_breaks(text, lang=lang) == expected


@pytest.mark.parametrize("text", ["", "  ; ", "abc", "1; x", "1 2 3 4 5 6", "inf"])
def test_parse_breaks_refuses(text):
    with pytest.raises(ValueError):
        parse_breaks(text)


def _grid(n=5):
    rows = []
    for i in range(n):
        for j in range(n):
            code = f"{i * n + j + 1:05d}"
            rows.append(
                {
                    "commune_code": code,
                    "commune_name": f"Xã {code}",
                    "commune_type": "Phường" if (i, j) == (0, 0) else "Xã",
                    "district_code": "001" if i < 2 else "002",
                    "district_name": "Huyện Một" if i < 2 else "Huyện Hai",
                    "area_km2": 10.0,
                    "geometry": box(
                        105 + j * 0.05, 20.5 + i * 0.05, 105.05 + j * 0.05, 20.55 + i * 0.05
                    ),
                }
            )
    return gpd.GeoDataFrame(rows, crs="EPSG:4326")


def _tables(period, economy_step, done_step):
    communes = _grid()
    codes = communes["commune_code"].tolist()
    rural = communes.loc[communes["commune_type"] == "Xã", "commune_code"].tolist()
    models = pd.DataFrame(
        {
            "commune_code": codes,
            "period": period,
            "models_economy": [i * economy_step % 7 for i in range(len(codes))],
            "models_culture_society": 1,
            "models_defence_security": 0,
            "models_political_system": 0,
            "models_replicated": 0,
            "population": 1000,
        }
    )
    levels = ["not_yet", "ntm", "advanced", "model"]
    ntm = pd.DataFrame(
        {
            "commune_code": rural,
            "period": period,
            "ntm_level": [levels[min(3, (i + economy_step) % 4)] for i in range(len(rural))],
            "criteria_met": 19,
        }
    )
    land = pd.DataFrame(
        {
            "commune_code": rural,
            "period": period,
            "land_done_ha": [float(i * done_step) for i in range(len(rural))],
            "land_planned_ha": 500.0,
        }
    )
    return communes, {"models": models, "ntm": ntm, "land": land}


@pytest.fixture
def metrics():
    communes, tables = _tables(2019, 1, 1)
    return commune_metrics(communes, tables, period=2019)


@pytest.fixture
def change():
    communes, before = _tables(2019, 1, 1)
    _, after = _tables(2020, 2, 3)
    return compare_periods(
        commune_metrics(communes, before, period=2019),
        commune_metrics(communes, after, period=2020),
    )


def _check_legend(classification, total):
    assert sum(e.count for e in classification.legend) == total
    colors = [e.color for e in classification.legend]
    assert len(set(colors)) == len(colors), colors
    counts = classification.colors.value_counts().to_dict()
    assert counts == {e.color: e.count for e in classification.legend if e.count}


@pytest.mark.parametrize("key", [k for k, s in LAYERS.items() if s.mode == "period"])
@pytest.mark.parametrize("scheme", ["fisher_jenks", "quantiles", "equal_interval"])
def test_every_period_layer_legend_matches_its_colours(metrics, key, scheme):
    for k in range(3, MAX_CLASSES + 1):
        _check_legend(classify_layer(metrics, key, scheme=scheme, k=k, lang="vi"), len(metrics))


def test_field_count_layer_has_a_no_model_class(metrics):
    c = classify_layer(metrics, "models_economy", k=3, lang="en")
    assert c.title == "Models: economy" and c.unit == "models"
    assert c.legend[0].label == "No models"
    assert c.legend[0].count == int((metrics["models_economy"] == 0).sum())
    assert c.labels.iloc[1] == "1"


def test_manual_breaks(metrics):
    c = classify_layer(metrics, "models_economy", breaks=[2, 4], lang="vi")
    labels = [e.label for e in c.legend]
    assert labels[1:4] == ["≤ 2", "2 – 4", "4 – 6"]
    assert c.bins == [2.0, 4.0, 6.0]
    _check_legend(c, len(metrics))


def test_change_layer_is_diverging(change):
    change = change.copy()
    change.loc[0, "models_added"] = -2  # a decrease, drawn apart
    c = classify_layer(change, "change_models", k=4, lang="vi")
    assert c.legend[0].label == "Giảm" and c.legend[0].color == CHANGE_DECREASE_COLOR
    assert c.legend[0].count == int((change["models_added"] < 0).sum()) > 0
    assert c.legend[1].label == "Không thay đổi" and c.legend[1].color == CHANGE_NONE_COLOR
    assert c.legend[-1].color == NO_DATA_COLOR
    assert (
        c.labels.iloc[0] == "-2" and c.labels[change["models_added"] > 0].str.startswith("+").all()
    )
    _check_legend(c, len(change))


def test_ntm_change_counts_levels_and_wards(change):
    c = classify_layer(change, "change_ntm", lang="en")
    counts = {e.label: e.count for e in c.legend}
    gained = change["ntm_levels_gained"]
    assert counts["Same level"] == int((gained == 0).sum())
    assert counts["Up 1 level(s)"] == int((gained == 1).sum())
    assert counts["Not applicable (wards, towns)"] == 1
    assert "Level lost" in counts  # this grid has levels going down
    assert c.colors.iloc[0] == NOT_APPLICABLE_COLOR
    assert "→" in c.labels.iloc[1]
    _check_legend(c, len(change))


def test_ntm_change_across_criteria_sets_is_marked_not_comparable(change):
    communes, before = _tables(2019, 1, 1)
    _, after = _tables(2020, 2, 3)
    # The same figures said of 2024 (19 criteria) and 2026 (10 criteria).
    apart = compare_periods(
        commune_metrics(communes, before, period=2019),
        commune_metrics(communes, after, period=2020),
        periods=(2024, 2026),
    )
    c = classify_layer(apart, "change_ntm", lang="vi")
    counts = {e.label: e.count for e in c.legend}
    rated = change["ntm_level_p0"].notna() & change["ntm_level_p1"].notna()
    assert counts["Không so sánh được (khác bộ tiêu chí)"] == int(rated.sum()) > 0
    assert "Giữ nguyên mức" not in counts  # no level gained or kept is claimed
    assert counts["Không áp dụng (phường, thị trấn)"] == 1
    row = rated[rated].index[0]
    assert c.colors[row] == NOT_COMPARABLE_COLOR
    assert c.labels[row].endswith("(khác bộ tiêu chí, không so sánh được)")
    _check_legend(c, len(change))
    # Periods of one set: the usual classes.
    same = classify_layer(change.assign(ntm_comparable=True), "change_ntm", lang="vi")
    assert "Giữ nguyên mức" in {e.label for e in same.legend}


def test_change_land_layer(change):
    c = classify_layer(change, "change_land", k=3, lang="vi")
    assert c.unit == "ha"
    _check_legend(c, len(change))


def test_unknown_layer():
    with pytest.raises(ValueError, match="unknown layer"):
        classify_layer(pd.DataFrame(), "rainfall")


def _paths(fmap):
    """(name, options, feature count) of every GeoJSON layer of the map."""
    out = []
    for child in fmap._children.values():
        if isinstance(child, folium.GeoJson):
            out.append((child.options, len(child.data["features"])))
    return out


def test_drill_down_fades_the_other_districts(metrics):
    communes = _grid()
    fmap = build_map(
        communes, metrics, MapView(layer="ntm", period=2019, district_code="002"), districts=None
    )
    layers = _paths(fmap)
    context = [(o, n) for o, n in layers if o.get("className") == "atlas-context"]
    assert len(context) == 1
    options, count = context[0]
    assert count == int((communes["district_code"] != "002").sum())
    assert options.get("interactive") is False
    focus = [(o, n) for o, n in layers if o.get("className") != "atlas-context"]
    assert [n for _, n in focus] == [int((communes["district_code"] == "002").sum())]
    html = fmap.get_root().render()
    assert str(CONTEXT_OPACITY) in html
    # The whole province: no faded layer.
    whole = build_map(communes, metrics, MapView(layer="ntm", period=2019), districts=None)
    assert not [o for o, _ in _paths(whole) if o.get("className") == "atlas-context"]


def test_build_map_draws_registry_layers_and_manual_breaks(metrics, change):
    communes = _grid()
    fmap = build_map(
        communes, metrics, MapView(layer="models_economy_per_km2", period=2019, breaks=[0.1, 0.3])
    )
    assert json.dumps("≤ 0,10")[1:-1] in fmap.get_root().render()  # the legend, as JSON
    fmap = build_map(
        communes, change, MapView(layer="change_ntm", period=2020, compare_from=2019, lang="en")
    )
    assert "NTM levels gained" in fmap.get_root().render()
