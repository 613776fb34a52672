"""Every user-facing string, in Vietnamese (default) and English, in one place.

Numbers are formatted the Vietnamese way in Vietnamese (``4.648``; ``42,9 %``) and the English
way in English (``4,648``; ``42.9%``).

Examples
--------
>>> t("layer.models_density", "en")
'Dân vận khéo models per km²'
>>> format_number(4648, "vi"), format_number(42.857, "vi", decimals=1)
('4.648', '42,9')
"""

from __future__ import annotations

import math
from typing import Literal

Lang = Literal["vi", "en"]
LANGUAGES: tuple[Lang, ...] = ("vi", "en")
DEFAULT_LANG: Lang = "vi"

_TEXT: dict[str, dict[Lang, str]] = {
    # app frame
    "app.title": {"vi": "Bản đồ xã – Commune Atlas", "en": "Commune Atlas"},
    "app.subtitle": {
        "vi": "{province}: Dân vận khéo, nông thôn mới, dồn điền đổi thửa theo từng xã",
        "en": "{province}: “Dân vận khéo” models, new-rural standard and land consolidation"
        " by commune",
    },
    "app.language": {"vi": "Ngôn ngữ", "en": "Language"},
    "app.layer": {"vi": "Lớp bản đồ", "en": "Map layer"},
    "app.period": {"vi": "Kỳ số liệu", "en": "Period"},
    "app.district": {"vi": "Huyện / thành phố", "en": "District"},
    "app.all_districts": {"vi": "Toàn tỉnh", "en": "Whole province"},
    "app.tiles": {
        "vi": "Nền bản đồ trực tuyến (cần Internet)",
        "en": "Online basemap (needs Internet)",
    },
    "app.kpis": {"vi": "Chỉ số toàn tỉnh", "en": "Province indicators"},
    "app.published": {"vi": "Số công bố", "en": "Published"},
    "app.source": {"vi": "Nguồn", "en": "Source"},
    "app.table": {"vi": "Bảng số liệu theo xã", "en": "Figures by commune"},
    "app.districts_table": {"vi": "Tổng hợp theo huyện", "en": "Summary by district"},
    "app.vintage_note": {
        "vi": "Ranh giới: {kind}, đơn vị hành chính giai đoạn {vintage} ({count} đơn vị cấp xã).",
        "en": "Boundaries: {kind}, administrative units of {vintage} ({count} communes).",
    },
    "app.period_vintage_note": {
        "vi": "Số liệu kỳ {period} được quy về đơn vị hành chính giai đoạn {vintage}.",
        "en": "Figures of period {period} are keyed to the units of {vintage}.",
    },
    "app.kpi_denominator_note": {
        "vi": "Số công bố tính trên 191 xã (địa giới năm 2019); bản đồ dùng địa giới 2020–2025.",
        "en": "Published shares are of 191 rural communes (2019 units); the map uses 2020–2025"
        " units.",
    },
    # boundary kinds
    "boundary.schematic": {"vi": "sơ đồ (không phải ranh giới chính thức)", "en": "schematic"},
    "boundary.official": {"vi": "ranh giới từ tệp", "en": "from file"},
    "boundary.schematic_banner": {
        "vi": "Ranh giới trên bản đồ là **sơ đồ minh họa**, dựng từ tâm và khung bao chính thức"
        " của từng xã (gói vietnamadminunits), không phải ranh giới địa chính. Để dùng ranh giới"
        " chính thức, nạp tệp của Sở TN&MT (GeoJSON, GeoPackage, Shapefile .zip, GeoParquet):"
        " `python -m geo boundaries TỆP`.",
        "en": "The boundaries shown are **schematic**, built from each commune's official centre"
        " and extent (package vietnamadminunits), not surveyed boundaries. To use official"
        " boundaries, load your department's file (GeoJSON, GeoPackage, zipped Shapefile,"
        " GeoParquet): `python -m geo boundaries FILE`.",
    },
    "boundary.schematic_legend": {
        "vi": "Ranh giới sơ đồ, không chính thức",
        "en": "Schematic boundaries, not official",
    },
    # demo label
    "demo.label": {"vi": "Dữ liệu minh họa", "en": "Demo data"},
    "demo.banner": {
        "vi": "**Dữ liệu minh họa / demo data**: số liệu theo xã được sinh ngẫu nhiên (có hạt"
        " giống cố định), khớp tổng số tỉnh đã công bố năm 2019; không phải số liệu thật của"
        " từng xã.",
        "en": "**Demo data / dữ liệu minh họa**: commune figures are generated (fixed seed) to"
        " add up to the province totals published in 2019; they are not real commune figures.",
    },
    # layers
    "layer.models_density": {
        "vi": "Mật độ mô hình Dân vận khéo",
        "en": "Dân vận khéo models per km²",
    },
    "layer.ntm": {"vi": "Nông thôn mới", "en": "New-rural standard (NTM)"},
    "layer.land": {"vi": "Dồn điền đổi thửa", "en": "Land consolidation"},
    "unit.models_density": {"vi": "mô hình/km²", "en": "models per km²"},
    "unit.land": {"vi": "% kế hoạch", "en": "% of plan"},
    "unit.ntm": {"vi": "mức đạt", "en": "level"},
    "legend.no_data": {"vi": "Không có số liệu", "en": "No data"},
    "legend.not_applicable": {
        "vi": "Không áp dụng (phường, thị trấn)",
        "en": "Not applicable (wards, towns)",
    },
    "legend.no_plan": {"vi": "Không có kế hoạch", "en": "No plan"},
    "legend.communes": {"vi": "{n} xã", "en": "{n} communes"},
    # tooltip / table fields
    "field.commune": {"vi": "Xã", "en": "Commune"},
    "field.district": {"vi": "Huyện", "en": "District"},
    "field.value": {"vi": "Giá trị", "en": "Value"},
    "field.models_total": {"vi": "Số mô hình", "en": "Models"},
    "field.models_per_km2": {"vi": "Mô hình/km²", "en": "Models per km²"},
    "field.models_per_1000": {"vi": "Mô hình/1.000 dân", "en": "Models per 1,000 residents"},
    "field.area_km2": {"vi": "Diện tích (km²)", "en": "Area (km²)"},
    "field.population": {"vi": "Dân số", "en": "Population"},
    "field.ntm_level": {"vi": "Mức NTM", "en": "NTM level"},
    "field.criteria_met": {"vi": "Số tiêu chí đạt (/19)", "en": "Criteria met (of 19)"},
    "field.land_done_ha": {"vi": "Đã dồn điền (ha)", "en": "Consolidated (ha)"},
    "field.land_planned_ha": {"vi": "Kế hoạch (ha)", "en": "Planned (ha)"},
    "field.land_pct_of_plan": {"vi": "% kế hoạch", "en": "% of plan"},
    "field.communes": {"vi": "Số xã", "en": "Communes"},
    # NTM levels
    "ntm.not_yet": {"vi": "Chưa đạt", "en": "Not yet"},
    "ntm.ntm": {"vi": "Đạt chuẩn NTM", "en": "NTM standard"},
    "ntm.advanced": {"vi": "NTM nâng cao", "en": "Advanced NTM"},
    "ntm.model": {"vi": "NTM kiểu mẫu", "en": "Model NTM"},
    # KPIs
    "kpi.models_total": {"vi": "Mô hình Dân vận khéo", "en": "Dân vận khéo models"},
    "kpi.models_economy": {"vi": "– lĩnh vực kinh tế", "en": "– economy"},
    "kpi.models_culture_society": {"vi": "– lĩnh vực văn hóa – xã hội", "en": "– culture–society"},
    "kpi.models_defence_security": {
        "vi": "– lĩnh vực quốc phòng – an ninh",
        "en": "– defence–security",
    },
    "kpi.models_political_system": {
        "vi": "– lĩnh vực xây dựng hệ thống chính trị",
        "en": "– political system",
    },
    "kpi.models_replicated": {"vi": "Mô hình được nhân rộng", "en": "Models replicated"},
    "kpi.ntm_communes": {"vi": "Xã đạt chuẩn NTM", "en": "Communes at NTM standard"},
    "kpi.land_communes": {"vi": "Xã đã dồn điền đổi thửa", "en": "Communes with consolidation"},
    "kpi.land_done_ha": {"vi": "Diện tích đã dồn điền (ha)", "en": "Area consolidated (ha)"},
    "kpi.difference": {"vi": "chênh lệch {diff}", "en": "difference {diff}"},
    "kpi.matches": {"vi": "khớp số công bố", "en": "matches the published figure"},
    # errors
    "error.title": {"vi": "Lỗi dữ liệu", "en": "Data error"},
    "error.boundaries": {
        "vi": "Không dùng được tệp ranh giới `{file}`: {message}. Bản đồ đang dùng ranh giới"
        " sơ đồ.",
        "en": "The boundary file `{file}` cannot be used: {message}. The map shows the schematic"
        " boundaries instead.",
    },
}


def t(key: str, lang: Lang = DEFAULT_LANG, /, **values: object) -> str:
    """Return the text for ``key`` in ``lang``, with ``{placeholders}`` filled in.

    Parameters
    ----------
    key : str
        Message key, e.g. ``"layer.ntm"``.
    lang : {"vi", "en"}
        Language; Vietnamese by default.
    **values
        Values for the placeholders in the message.

    Returns
    -------
    str
        The message. An unknown key raises ``KeyError``: a missing translation is a bug.

    Examples
    --------
    >>> t("legend.communes", "vi", n=3)
    '3 xã'
    """
    text = _TEXT[key][lang]
    return text.format(**values) if values else text


def has_key(key: str) -> bool:
    """Tell whether ``key`` has a message."""
    return key in _TEXT


def all_keys() -> list[str]:
    """All message keys (for tests that check every key has both languages)."""
    return list(_TEXT)


def format_number(
    value: float | int | None, lang: Lang = DEFAULT_LANG, /, *, decimals: int = 0
) -> str:
    """Format a number with the thousands and decimal separators of ``lang``.

    Parameters
    ----------
    value : float, int or None
        The number; ``None`` or NaN gives ``"–"``.
    lang : {"vi", "en"}
        ``"vi"`` uses ``.`` for thousands and ``,`` for decimals; ``"en"`` the reverse.
    decimals : int
        Digits after the decimal separator.

    Examples
    --------
    >>> format_number(4657.0, "vi"), format_number(4657.25, "en", decimals=1)
    ('4.657', '4,657.2')
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    text = f"{value:,.{decimals}f}"
    if lang == "vi":
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return text


def format_percent(value: float | None, lang: Lang = DEFAULT_LANG, /, *, decimals: int = 1) -> str:
    """Format a percentage: ``42,9 %`` in Vietnamese, ``42.9%`` in English.

    Examples
    --------
    >>> format_percent(42.857, "vi"), format_percent(42.857, "en")
    ('42,9 %', '42.9%')
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    number = format_number(value, lang, decimals=decimals)
    return f"{number} %" if lang == "vi" else f"{number}%"
