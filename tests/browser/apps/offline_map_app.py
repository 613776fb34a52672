"""A tiny Streamlit app for the offline-assets browser test: 200 polygons via st_folium.

Query parameters:

* ``layer=choropleth`` (default): ``folium.Choropleth`` with its StepColormap legend, a
  ``GeoJsonTooltip`` and a ``LayerControl``.
* ``layer=geojson``: ``folium.GeoJson`` coloured by a ``LinearColormap`` added to the map.
* ``assets=cdn``: skip ``use_local_assets`` (the map as folium makes it, for the control
  test that shows a closed network really breaks it).
"""

from __future__ import annotations

import branca.colormap
import folium
import pandas as pd
import streamlit as st
from shapely.geometry import box, mapping
from streamlit_folium import st_folium

from geo.web.assets import streamlit_static_base_url, use_local_assets

ROWS, COLS, STEP = 10, 20, 0.1  # 200 cells over the Red River delta
WEST, SOUTH = 105.5, 20.5


def grid() -> tuple[dict, pd.DataFrame]:
    """Return a FeatureCollection of ROWS x COLS square cells and a value per cell."""
    features, rows = [], []
    for r in range(ROWS):
        for c in range(COLS):
            code = f"{r:02d}{c:02d}"
            cell = box(
                WEST + c * STEP, SOUTH + r * STEP, WEST + (c + 1) * STEP, SOUTH + (r + 1) * STEP
            )
            value = float((r * 7 + c * 3) % 23)
            features.append(
                {
                    "type": "Feature",
                    "id": code,
                    "properties": {"code": code, "name": f"Xã {code}", "value": value},
                    "geometry": mapping(cell),
                }
            )
            rows.append({"code": code, "value": value})
    return {"type": "FeatureCollection", "features": features}, pd.DataFrame(rows)


def build_map(layer: str) -> folium.Map:
    """Build the test map."""
    geojson, table = grid()
    m = folium.Map(location=[21.0, 106.5], zoom_start=9, tiles=None)
    tooltip = folium.GeoJsonTooltip(fields=["name", "value"], aliases=["Xã", "Giá trị"])
    if layer == "geojson":
        cmap = branca.colormap.LinearColormap(
            ["#ffffcc", "#41b6c4", "#253494"], vmin=0, vmax=22, caption="Giá trị (linear)"
        )
        folium.GeoJson(
            geojson,
            name="Xã",
            style_function=lambda f: {
                "fillColor": cmap(f["properties"]["value"]),
                "color": "#555",
                "weight": 1,
                "fillOpacity": 0.8,
            },
            tooltip=tooltip,
        ).add_to(m)
        cmap.add_to(m)
    else:
        choropleth = folium.Choropleth(
            geojson,
            data=table,
            columns=["code", "value"],
            key_on="feature.id",
            fill_color="YlOrRd",
            fill_opacity=0.8,
            line_weight=1,
            legend_name="Giá trị (choropleth)",
            name="Xã",
        ).add_to(m)
        tooltip.add_to(choropleth.geojson)
    folium.LayerControl(collapsed=False).add_to(m)
    m.fit_bounds([[SOUTH, WEST], [SOUTH + ROWS * STEP, WEST + COLS * STEP]])
    return m


st.title("Offline map check")
params = st.query_params
m = build_map(params.get("layer", "choropleth"))
if params.get("assets", "local") != "cdn":
    use_local_assets(m, base_url=streamlit_static_base_url(st.get_option("server.baseUrlPath")))
st_folium(m, height=520, width=900, returned_objects=[], key="offline_map")
