"""The main page's title, subtitle and notices (demo figures, schematic boundaries, vintages).

The first screen is the map: the title is small, and the notices a reader must always see
(demo figures, schematic boundaries) are one short line with a "more" button that opens their
full text, so the whole province and its legend fit above the fold at 1366 × 768.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from geo.analysis.vintages import VintageTables
from geo.geography.geographies import Geography, geography_area_label
from geo.i18n import t
from geo.output.display import markdown_text, periods_text
from geo.ui.resources import converted_periods, estimated_periods
from geo.ui.state import MAP_HEIGHT, MAP_MIN_HEIGHT, MAP_TOP
from geo.view import MapView

__all__ = ["page_header"]

#: The page's own style: less room above the title, a smaller title, and a map (and the
#: commune panel beside it) as high as the window leaves below the header, between
#: ``MAP_MIN_HEIGHT`` and ``MAP_HEIGHT``. Inside the map's frame the map fills the frame
#: (:class:`geo.web.overlays.FillFrame`).
_PAGE_STYLE = f"""
<style>
.stMainBlockContainer {{ padding-top: 3.75rem; padding-bottom: 3rem; }}
.stMainBlockContainer h1 {{ font-size: 1.9rem; padding: 0; }}
.st-key-notices p {{ margin: 0; }}
iframe[title="streamlit_folium.st_folium"],
.st-key-commune_panel {{
    height: clamp({MAP_MIN_HEIGHT}px, calc(100vh - {MAP_TOP}px), {MAP_HEIGHT}px) !important;
}}
</style>
"""


def page_header(view: MapView, geography: Geography, figures: VintageTables) -> None:
    """Title, then one line: subtitle and short notices, with their full text behind "more".

    The short notices say "dữ liệu minh họa / demo data" and "sơ đồ, không chính thức"
    whenever they apply; the full notices are one click away. A mismatch between the figures'
    and the map's vintages is a problem to fix, not a standing fact: it stays a full notice.
    The line also says which administrative units the map shows (its vintage), and a small
    caption how the figures reached them (converted through the crosswalk, or left out).
    """
    lang = view.lang
    st.html(_PAGE_STYLE)
    st.title(t("app.title", lang))
    short, full = [], []
    if view.demo:
        short.append(t("notice.demo_short", lang))
        full.append((st.warning, t("demo.banner", lang)))
    if geography.kind == "schematic":
        short.append(t("notice.schematic_short", lang))
        full.append((st.info, t("boundary.schematic_banner", lang)))
    if geography.vintage_info is not None:
        short.append(t("app.map_vintage", lang, vintage=geography.vintage_info.label(lang)))
    in_sight = _figures_notices(view, geography, figures, short, full)
    # Names from the boundary file; the former Hòa Bình is named so, not after all of Phú Thọ.
    area = markdown_text(geography_area_label(geography, lang))
    subtitle = t("app.subtitle", lang, province=area)
    with st.container(key="notices"):
        if not full and not short:
            st.markdown(subtitle)
        else:
            # One line: the area and the short notices; what the atlas shows and the full
            # notices behind "more".
            line, more = st.columns([6, 1], vertical_alignment="center")
            line.markdown(" · ".join([f"**{area}**", *short]) if area else " · ".join(short))
            with more.popover(t("notice.more", lang), width="stretch"):
                st.markdown(subtitle)
                for show, text in full:
                    show(text)
    if in_sight:
        st.info(in_sight)


def _figures_notices(
    view: MapView,
    geography: Geography,
    figures: VintageTables,
    short: list[str],
    full: list[tuple[Callable[[str], object], str]],
) -> str | None:
    """How the figures reached the map's units, added to the short and the full notices.

    "Converted" is said only of the periods shown whose figures were converted (2024 on the
    2025 units, never their own 2026); on a change map with one such period, that one is
    named. Figures left out (2025–2026 figures on the 2020–2025 units) get a one-line hint
    (choose the 2025 boundaries), their reason behind "more"; asked for as an estimate, the
    periods shown that are estimated are said to be ("ƯỚC TÍNH theo tỷ lệ diện tích"). Communes
    without figures: the reader must know why: the note is returned, to be shown in sight.
    """
    lang = view.lang
    if not figures.note:
        return None
    if _communes_without_figures(geography, figures):
        return figures.note
    converted = converted_periods(figures, view)
    estimated = estimated_periods(figures, view)
    if figures.refused:
        periods = periods_text(figures.refused_periods) or ", ".join(figures.refused)
        short.append(t("notice.refused_short", lang, periods=periods))
    elif estimated:
        short.append(t("notice.estimated_short", lang, periods=periods_text(estimated)))
    elif not converted:
        return None  # the map's own figures (2026 on the 2025 units): nothing to say
    if converted and len(converted) < len(view.periods):
        text = ", ".join(map(str, converted))
        short.append(t("notice.converted_periods_short", lang, periods=text))
    elif converted:
        short.append(t("notice.converted_short", lang))
    full.append((st.caption, figures.note))
    return None


def _communes_without_figures(geography: Geography, figures: VintageTables) -> bool:
    """Some commune of the map has no row in any family's table."""
    codes = set(geography.communes["commune_code"])
    for table in figures.tables.values():
        if "commune_code" in table:
            codes -= set(table["commune_code"])
    return bool(codes)
