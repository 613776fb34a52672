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
    "nav.map": {"vi": "Bản đồ", "en": "Map"},
    "nav.import": {"vi": "Nhập dữ liệu", "en": "Import data"},
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
    # fetched boundaries, geography choice, vintage of the figures (geo.geography.fetch,
    # geo.analysis.table_join)
    "boundary.fetched": {"vi": "ranh giới tải về", "en": "downloaded boundaries"},
    "boundary.attribution": {"vi": "Ranh giới: {attribution}", "en": "Boundaries: {attribution}"},
    "boundary.licence": {"vi": "Giấy phép: {licence}", "en": "Licence: {licence}"},
    "boundary.fetched_banner": {
        "vi": "Ranh giới xã tải từ **{source}**, hiện trạng năm {vintage} ({count} đơn vị cấp"
        " xã). {unmatched} đơn vị không còn trong danh mục 2020–2025 (đã sáp nhập hoặc đổi tên)"
        " nên chưa có mã GSO và không nhận số liệu.",
        "en": "Commune boundaries downloaded from **{source}**, state of {vintage} ({count}"
        " communes). {unmatched} units are not in the 2020–2025 list (merged or renamed), so"
        " they have no GSO code and receive no figures.",
    },
    "geography.choice": {"vi": "Ranh giới hành chính", "en": "Boundaries"},
    "geography.schematic_label": {
        "vi": "{province} – sơ đồ, đơn vị hành chính {vintage}",
        "en": "{province} – schematic, units of {vintage}",
    },
    "geography.whole_country": {
        "vi": "Toàn quốc (63 tỉnh, thành phố)",
        "en": "Whole country (63 provinces)",
    },
    "geography.whole_country_of": {
        "vi": "Toàn quốc ({n} tỉnh, thành phố)",
        "en": "Whole country ({n} provinces)",
    },
    "geography.n_provinces": {
        "vi": "{n} tỉnh, thành phố ({first}…)",
        "en": "{n} provinces ({first}…)",
    },
    "geography.fetched_label": {
        "vi": "{province} – {source}, ranh giới {vintage}",
        "en": "{province} – {source}, boundaries of {vintage}",
    },
    "join.vintage_mismatch": {
        "vi": "Số liệu ({families}) theo đơn vị hành chính giai đoạn {table_vintage}; bản đồ"
        " dùng ranh giới {layer_vintage}.",
        "en": "Figures ({families}) are keyed to the units of {table_vintage}; the map shows"
        " boundaries of {layer_vintage}.",
    },
    "join.codes_not_in_layer": {
        "vi": "{n} mã xã trong bảng số liệu không có trên bản đồ.",
        "en": "{n} commune codes of the tables are not on the map.",
    },
    "join.communes_without_figures": {
        "vi": "{n} xã trên bản đồ không có số liệu.",
        "en": "{n} communes on the map have no figures.",
    },
    "fetch.stage.download": {"vi": "Đang tải tệp", "en": "Downloading"},
    "fetch.stage.verify": {"vi": "Đang kiểm tra mã SHA-256", "en": "Checking SHA-256"},
    "fetch.stage.read": {"vi": "Đang đọc dữ liệu", "en": "Reading"},
    "fetch.stage.match": {"vi": "Đang ghép mã GSO", "en": "Matching GSO codes"},
    "fetch.stage.write": {"vi": "Đang lưu lớp ranh giới", "en": "Saving the layer"},
    "fetch.stage.done": {"vi": "Xong", "en": "Done"},
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
    "legend.no_plan_or_not_applicable": {
        "vi": "Không có kế hoạch hoặc không áp dụng (phường, thị trấn)",
        "en": "No plan, or not applicable (wards, towns)",
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
    # the full map experience (streamlit_app.py, geo.web.layers, geo.output.display,
    # geo.analysis.lagging)
    "kpi.delta": {"vi": "{diff} so với {period}", "en": "{diff} since {period}"},
    "kpi.published_other": {
        "vi": "Số công bố ({as_of}, kỳ {period}): {value}",
        "en": "Published ({as_of}, period {period}): {value}",
    },
    "app.mode": {"vi": "Cách xem", "en": "View"},
    "app.mode.period": {"vi": "Một kỳ số liệu", "en": "One period"},
    "app.mode.compare": {"vi": "So sánh hai kỳ", "en": "Compare two periods"},
    "app.periods": {"vi": "Từ kỳ … đến kỳ", "en": "From period … to period"},
    "app.same_periods": {
        "vi": "Hãy chọn hai kỳ khác nhau; bản đồ đang so sánh với kỳ liền trước.",
        "en": "Choose two different periods; the map compares with the period before.",
    },
    "app.field": {"vi": "Lĩnh vực", "en": "Field"},
    "app.measure": {"vi": "Tính theo", "en": "Measure"},
    "app.measure.count": {"vi": "Số mô hình", "en": "Number of models"},
    "app.measure.per_km2": {"vi": "Mô hình trên km²", "en": "Models per km²"},
    "app.classes": {"vi": "Phân lớp màu", "en": "Colour classes"},
    "app.classes_na": {
        "vi": "Lớp này tô theo các mức có thứ tự, không cần phân lớp.",
        "en": "This layer is coloured by ordered levels; no classes to choose.",
    },
    "app.scheme": {"vi": "Cách chia lớp", "en": "Classification"},
    "scheme.fisher_jenks": {
        "vi": "Ngắt tự nhiên (Fisher–Jenks)",
        "en": "Natural breaks (Fisher–Jenks)",
    },
    "scheme.quantiles": {"vi": "Phân vị (số xã như nhau)", "en": "Quantiles (equal counts)"},
    "scheme.equal_interval": {"vi": "Khoảng đều", "en": "Equal intervals"},
    "scheme.manual": {"vi": "Ngưỡng tự đặt", "en": "Manual breaks"},
    "app.k": {"vi": "Số lớp", "en": "Number of classes"},
    "app.breaks": {
        "vi": "Các ngưỡng (cận trên của mỗi lớp, cách nhau bởi ;)",
        "en": "Breaks (upper bound of each class, separated by ;)",
    },
    "app.breaks_help": {
        "vi": "Ví dụ 1; 2,5; 5 cho các lớp ≤ 1, 1 – 2,5, 2,5 – 5 và trên 5. Tối đa 5 ngưỡng.",
        "en": "E.g. 1; 2.5; 5 for classes ≤ 1, 1 – 2.5, 2.5 – 5 and above 5. At most 5 breaks.",
    },
    "app.breaks_error": {
        "vi": "Không đọc được “{text}”: hãy nhập từ 1 đến 5 số cách nhau bởi dấu ; (ví dụ"
        " 1; 2,5; 5). Bản đồ đang dùng ngắt tự nhiên.",
        "en": "“{text}” cannot be read: type 1 to 5 numbers separated by ; (e.g. 1; 2.5; 5)."
        " The map uses natural breaks meanwhile.",
    },
    "app.back_to_province": {"vi": "← Về toàn tỉnh", "en": "← Back to the province"},
    "app.back_to_all": {"vi": "← Về toàn bản đồ", "en": "← Back to the whole map"},
    "app.districts_hint": {
        "vi": "Chọn một dòng để phóng to huyện đó trên bản đồ.",
        "en": "Select a row to zoom the map to that district.",
    },
    "tab.lagging": {"vi": "Xã chậm tiến độ", "en": "Lagging communes"},
    # layers (geo.web.layers)
    "layer.models_per_1000": {"vi": "Mô hình trên 1.000 dân", "en": "Models per 1,000 residents"},
    "layer.models_field": {"vi": "Mô hình theo lĩnh vực", "en": "Models by field"},
    "layer.models_economy": {"vi": "Mô hình lĩnh vực kinh tế", "en": "Models: economy"},
    "layer.models_economy_per_km2": {
        "vi": "Mật độ mô hình lĩnh vực kinh tế",
        "en": "Models per km²: economy",
    },
    "layer.models_culture_society": {
        "vi": "Mô hình lĩnh vực văn hóa – xã hội",
        "en": "Models: culture – society",
    },
    "layer.models_culture_society_per_km2": {
        "vi": "Mật độ mô hình lĩnh vực văn hóa – xã hội",
        "en": "Models per km²: culture – society",
    },
    "layer.models_defence_security": {
        "vi": "Mô hình lĩnh vực quốc phòng – an ninh",
        "en": "Models: defence – security",
    },
    "layer.models_defence_security_per_km2": {
        "vi": "Mật độ mô hình lĩnh vực quốc phòng – an ninh",
        "en": "Models per km²: defence – security",
    },
    "layer.models_political_system": {
        "vi": "Mô hình lĩnh vực xây dựng hệ thống chính trị",
        "en": "Models: political system",
    },
    "layer.models_political_system_per_km2": {
        "vi": "Mật độ mô hình lĩnh vực xây dựng hệ thống chính trị",
        "en": "Models per km²: political system",
    },
    "layer.change_models": {"vi": "Mô hình tăng thêm", "en": "Models added"},
    "layer.change_ntm": {"vi": "Nông thôn mới: số mức tăng", "en": "NTM levels gained"},
    "layer.change_land": {"vi": "Diện tích dồn điền tăng thêm", "en": "Hectares consolidated"},
    "unit.models": {"vi": "mô hình", "en": "models"},
    "unit.models_per_1000": {"vi": "mô hình/1.000 dân", "en": "models per 1,000 residents"},
    "unit.change_models": {"vi": "mô hình", "en": "models"},
    "unit.change_ntm": {"vi": "số mức", "en": "levels"},
    "unit.change_land": {"vi": "ha", "en": "ha"},
    "legend.no_models": {"vi": "Chưa có mô hình", "en": "No models"},
    "legend.no_change": {"vi": "Không thay đổi", "en": "No change"},
    "legend.decrease": {"vi": "Giảm", "en": "Decrease"},
    "legend.level_lost": {"vi": "Giảm mức", "en": "Level lost"},
    "legend.level_same": {"vi": "Giữ nguyên mức", "en": "Same level"},
    "legend.levels_gained": {"vi": "Tăng {n} mức", "en": "Up {n} level(s)"},
    "legend.not_applicable_short": {"vi": "Không áp dụng", "en": "Not applicable"},
    "legend.other_districts": {"vi": "Các huyện khác", "en": "Other districts"},
    "legend.compare_note": {"vi": "Thay đổi từ kỳ {p0} đến kỳ {p1}", "en": "Change {p0} → {p1}"},
    "legend.schematic_units": {
        "vi": "Ranh giới sơ đồ, không chính thức · đơn vị hành chính giai đoạn {vintage}"
        " ({count} đơn vị cấp xã)",
        "en": "Schematic boundaries, not official · units of {vintage} ({count} communes)",
    },
    "legend.district_note": {
        "vi": "{district}; các huyện khác làm mờ. Số xã trong chú giải tính cho toàn tỉnh.",
        "en": "{district}; other districts faded. Legend counts are for the whole province.",
    },
    # table columns (geo.output.display)
    "field.commune_code": {"vi": "Mã xã", "en": "Code"},
    "field.models_replicated": {"vi": "Mô hình đã nhân rộng", "en": "Models replicated"},
    "field.models_economy": {"vi": "– lĩnh vực kinh tế", "en": "– economy"},
    "field.models_culture_society": {
        "vi": "– lĩnh vực văn hóa – xã hội",
        "en": "– culture – society",
    },
    "field.models_defence_security": {
        "vi": "– lĩnh vực quốc phòng – an ninh",
        "en": "– defence – security",
    },
    "field.models_political_system": {
        "vi": "– lĩnh vực xây dựng hệ thống chính trị",
        "en": "– political system",
    },
    "field.ntm_reached": {"vi": "Xã đạt chuẩn NTM", "en": "Xã at NTM standard"},
    "field.land_communes": {"vi": "Xã đã dồn điền", "en": "Communes consolidating"},
    "field.gap": {"vi": "Mức chậm", "en": "Gap"},
    "field.rules_failed": {"vi": "Số điều kiện không đạt", "en": "Conditions failed"},
    "provenance.published": {"vi": "Đã công bố", "en": "Published"},
    "provenance.demo": {"vi": "Minh họa", "en": "Demo"},
    # commune panel
    "panel.hint": {
        "vi": "Bấm vào một xã trên bản đồ để xem số liệu, thứ hạng, mô hình tiêu biểu và kết"
        " quả qua các kỳ của xã đó.",
        "en": "Click a commune on the map to see its figures, ranks, named models and its"
        " results over the periods.",
    },
    "panel.where": {"vi": "{district} · kỳ {period}", "en": "{district} · period {period}"},
    "panel.zoom_district": {"vi": "Phóng to huyện", "en": "Zoom to district"},
    "panel.close": {"vi": "Đóng", "en": "Close"},
    "panel.ntm_line": {
        "vi": "Nông thôn mới: **{level}**, đạt {criteria}/19 tiêu chí",
        "en": "New-rural standard: **{level}**, {criteria} of 19 criteria met",
    },
    "panel.ntm_year": {"vi": "đạt chuẩn năm {year}", "en": "reached in {year}"},
    "panel.ntm_na": {
        "vi": "Phường, thị trấn: không xét nông thôn mới.",
        "en": "Wards and towns are not rated for the new-rural standard.",
    },
    "panel.ntm_unknown": {
        "vi": "Nông thôn mới: chưa có số liệu.",
        "en": "New-rural standard: no figures.",
    },
    "panel.no_land": {
        "vi": "Không có kế hoạch dồn điền đổi thửa.",
        "en": "No land consolidation plan.",
    },
    "panel.indicator": {"vi": "Chỉ tiêu", "en": "Indicator"},
    "panel.value": {"vi": "Giá trị", "en": "Value"},
    "panel.ranks": {"vi": "Hạng: huyện · tỉnh", "en": "Rank: district · province"},
    "panel.population": {"vi": "{n} dân", "en": "{n} residents"},
    "panel.named_models": {"vi": "Mô hình tiêu biểu ({n})", "en": "Named models ({n})"},
    "panel.no_named_models": {
        "vi": "Chưa có mô hình tiêu biểu nào được ghi tên.",
        "en": "No named model recorded.",
    },
    "panel.model_since": {"vi": "công nhận năm {year}", "en": "recognised {year}"},
    "panel.model_replicated_yes": {"vi": "đã nhân rộng", "en": "replicated"},
    "panel.ranks_help": {
        "vi": "Hạng 1 là cao nhất; các xã bằng nhau cùng hạng.",
        "en": "Rank 1 is the highest; equal communes share a rank.",
    },
    "panel.history": {"vi": "Qua các kỳ", "en": "Over the periods"},
    "panel.history_models": {"vi": "Mô hình", "en": "Models"},
    # lagging communes (geo.analysis.lagging)
    "lag.intro": {
        "vi": "Đặt điều kiện để tìm các xã chậm tiến độ ở kỳ {period}; xã chậm nhất đứng đầu.",
        "en": "Set conditions to find the communes that lag behind in {period}; the furthest"
        " behind come first.",
    },
    "lag.use_criteria": {"vi": "Số tiêu chí NTM đạt dưới ngưỡng", "en": "Few NTM criteria met"},
    "lag.criteria_n": {"vi": "Đạt dưới (tiêu chí)", "en": "Fewer than (criteria)"},
    "lag.use_no_model": {"vi": "Không có mô hình ở một lĩnh vực", "en": "No model in a field"},
    "lag.use_land": {"vi": "Dồn điền đổi thửa chậm", "en": "Slow land consolidation"},
    "lag.land_pct": {"vi": "Dưới (% kế hoạch)", "en": "Below (% of plan)"},
    "lag.use_progress": {
        "vi": "Không tiến bộ so với kỳ trước",
        "en": "No progress since the previous period",
    },
    "lag.progress_on": {"vi": "Về", "en": "In"},
    "lag.no_previous": {
        "vi": "Đây là kỳ đầu tiên: không có kỳ trước để so sánh.",
        "en": "This is the first period: there is no previous one to compare with.",
    },
    "lag.combine": {"vi": "Kết hợp các điều kiện", "en": "Combine the conditions"},
    "lag.combine.and": {"vi": "Thỏa tất cả (VÀ)", "en": "All of them (AND)"},
    "lag.combine.or": {"vi": "Thỏa ít nhất một (HOẶC)", "en": "At least one (OR)"},
    "lag.combine_word.and": {"vi": "và", "en": "and"},
    "lag.combine_word.or": {"vi": "hoặc", "en": "or"},
    "lag.district": {"vi": "Lọc theo huyện", "en": "District"},
    "lag.no_rule": {
        "vi": "Chọn ít nhất một điều kiện.",
        "en": "Choose at least one condition.",
    },
    "lag.none": {
        "vi": "Không tìm thấy xã nào ({where}, kỳ {period}): {rules}.",
        "en": "None found ({where}, {period}): {rules}.",
    },
    "lag.found": {
        "vi": "**{n} xã** ({where}): {rules}.",
        "en": "**{n} communes** ({where}): {rules}.",
    },
    "lag.gap_help": {
        "vi": "Mức chậm: cộng mức thiếu của các điều kiện không đạt, mỗi điều kiện từ 0 đến 1"
        " (ví dụ đạt 12 tiêu chí khi ngưỡng là 15: thiếu 3/15 = 0,2; điều kiện có/không: 1).",
        "en": "Gap: the shortfalls of the conditions failed, each from 0 to 1, added up (e.g."
        " 12 criteria against a threshold of 15: 3/15 = 0.2; a yes/no condition: 1).",
    },
    "lag.mark_on_map": {"vi": "Tô viền các xã này trên bản đồ", "en": "Outline them on the map"},
    "lag.download_xlsx": {"vi": "Tải Excel (.xlsx)", "en": "Download Excel (.xlsx)"},
    "lag.download_csv": {"vi": "Tải CSV", "en": "Download CSV"},
    "lag.sheet": {"vi": "Xã chậm tiến độ", "en": "Lagging communes"},
    "lag.export_title": {
        "vi": "Danh sách xã chậm tiến độ – {where}, kỳ {period}",
        "en": "Lagging communes – {where}, period {period}",
    },
    "lag.export_rules": {"vi": "Điều kiện: {rules}", "en": "Conditions: {rules}"},
    "lag.rule.criteria_below": {
        "vi": "Số tiêu chí NTM đạt dưới {n}",
        "en": "Fewer than {n} NTM criteria met",
    },
    "lag.rule.no_model": {
        "vi": "Không có mô hình lĩnh vực {field}",
        "en": "No model in the {field} field",
    },
    "lag.rule.land_below": {
        "vi": "Dồn điền đổi thửa dưới {pct} % kế hoạch",
        "en": "Land consolidated below {pct}% of plan",
    },
    "lag.rule.no_progress": {
        "vi": "Không tiến bộ so với kỳ trước về {what}",
        "en": "No progress since the previous period in {what}",
    },
    "lag.field.economy": {"vi": "kinh tế", "en": "economy"},
    "lag.field.culture_society": {"vi": "văn hóa – xã hội", "en": "culture – society"},
    "lag.field.defence_security": {"vi": "quốc phòng – an ninh", "en": "defence – security"},
    "lag.field.political_system": {
        "vi": "xây dựng hệ thống chính trị",
        "en": "political system",
    },
    "lag.progress.models": {"vi": "số mô hình", "en": "models"},
    "lag.progress.ntm": {"vi": "nông thôn mới", "en": "the new-rural standard"},
    "lag.progress.land": {"vi": "dồn điền đổi thửa", "en": "land consolidation"},
    "lag.col.criteria_short": {
        "vi": "Còn thiếu để đạt {n} (tiêu chí)",
        "en": "Criteria short of {n}",
    },
    "lag.col.land_short": {
        "vi": "Còn thiếu so với ngưỡng (điểm %)",
        "en": "Short of the threshold (points)",
    },
    "lag.col.previous": {"vi": "{column} (kỳ trước)", "en": "{column} (previous period)"},
    # importing planners' files (geo.figures.importing, geo.figures.templates)
    "importer.none": {"vi": "không có", "en": "none"},
    "importer.reason": {"vi": "Cột “{column}”: {reason}", "en": "Column “{column}”: {reason}"},
    "importer.error.not_found": {
        "vi": "Không tìm thấy tệp {file}.",
        "en": "File {file} not found.",
    },
    "importer.error.unreadable": {
        "vi": "Không đọc được tệp {file}: đây không phải bảng tính .xlsx hay .csv. Hãy mở tệp bằng"
        " Excel và lưu lại dưới dạng Excel Workbook (.xlsx) hoặc CSV UTF-8.",
        "en": "Cannot read {file}: it is not an .xlsx or .csv spreadsheet. Open it in Excel and"
        " save it as an Excel Workbook (.xlsx) or CSV UTF-8.",
    },
    "importer.error.xls": {
        "vi": "Tệp {file} là bảng tính Excel đời cũ (.xls). Hãy mở bằng Excel và lưu lại dưới dạng"
        " Excel Workbook (.xlsx) rồi nhập lại.",
        "en": "{file} is an old Excel workbook (.xls). Open it in Excel, save it as an Excel"
        " Workbook (.xlsx) and import that.",
    },
    "importer.error.empty": {
        "vi": "Tệp {file} không có dữ liệu.",
        "en": "{file} holds no data.",
    },
    "importer.error.sheet": {
        "vi": "Tệp {file} không có trang tính “{sheet}”.",
        "en": "{file} has no sheet “{sheet}”.",
    },
    "importer.error.no_header": {
        "vi": "Không tìm thấy dòng tiêu đề cột trong {file}. Bảng cần có cột tên xã hoặc mã xã và"
        " ít nhất một cột số liệu {family} (ví dụ {examples}). Hãy dùng biểu mẫu tải từ ứng"
        " dụng, hoặc đặt tên cột như trong tài liệu docs/indicators.md.",
        "en": "No column header found in {file}. The table needs a commune name or code column"
        " and at least one figure column of {family} (e.g. {examples}). Use the template from"
        " the app, or name the columns as in docs/indicators.md.",
    },
    "importer.error.no_commune_column": {
        "vi": "Tệp {file} có cột số liệu nhưng không có cột tên xã hoặc mã xã. Hãy thêm cột"
        " “Tên xã” (hoặc “Mã xã”) rồi nhập lại.",
        "en": "{file} has figure columns but no commune name or code column. Add a “Tên xã”"
        " (commune) or “Mã xã” (code) column and import again.",
    },
    "importer.error.template_family": {
        "vi": "Tệp {file} là biểu mẫu {template}, không phải {family}. Hãy chọn đúng nhóm chỉ"
        " tiêu hoặc dùng đúng biểu mẫu.",
        "en": "{file} is a template for {template}, not {family}. Choose the matching family or"
        " the matching template.",
    },
    "importer.skip.title": {"vi": "Dòng tiêu đề phía trên bảng", "en": "Title row above the table"},
    "importer.skip.blank": {"vi": "Dòng trống", "en": "Blank row"},
    "importer.skip.header": {"vi": "Dòng tiêu đề cột", "en": "Column header row"},
    "importer.skip.numbering": {"vi": "Dòng đánh số cột", "en": "Column numbering row"},
    "importer.skip.note": {
        "vi": "Ghi chú, ngày tháng hoặc chữ ký",
        "en": "Note, date or signature",
    },
    "importer.skip.total": {
        "vi": "Dòng tổng cộng (không phải xã)",
        "en": "Total row (not a commune)",
    },
    "importer.skip.subtotal": {
        "vi": "Dòng cộng nhóm (không phải xã)",
        "en": "Subtotal row (not a commune)",
    },
    "importer.skip.section": {
        "vi": "Dòng huyện / tiêu đề nhóm (không phải xã)",
        "en": "District or section row (not a commune)",
    },
    "importer.skip.no_commune": {
        "vi": "Không có tên xã, mã xã hay số liệu",
        "en": "No commune name, code or figures",
    },
    "importer.skip.no_figures": {
        "vi": "Chưa có số liệu (các ô số liệu đều trống)",
        "en": "No figures (every figure cell is empty)",
    },
    "importer.reject.no_commune": {
        "vi": "dòng có số liệu nhưng không có tên xã hoặc mã xã",
        "en": "the row has figures but no commune name or code",
    },
    "importer.reject.unknown_district": {
        "vi": "không tìm thấy huyện “{name}” (gần giống: {closest})",
        "en": "no district “{name}” (closest: {closest})",
    },
    "importer.reject.bad_code": {
        "vi": "“{value}” không phải mã xã (tối đa 5 chữ số)",
        "en": "“{value}” is not a commune code (up to 5 digits)",
    },
    "importer.reject.unknown_code": {
        "vi": "mã {code} không phải xã của {province} (địa giới {vintage})",
        "en": "code {code} is not a commune of {province} ({vintage} boundaries)",
    },
    "importer.reject.code_name_mismatch": {
        "vi": "mã {code} là {official} nhưng tên ghi “{name}”; hãy sửa mã hoặc tên",
        "en": "code {code} is {official} but the name says “{name}”; correct the code or the name",
    },
    "importer.reject.code_district_mismatch": {
        "vi": "mã {code} là {official}, không thuộc {district}",
        "en": "code {code} is {official}, not in {district}",
    },
    "importer.reject.ambiguous_name": {
        "vi": "tên “{name}” trùng với nhiều xã: {candidates}; hãy ghi thêm huyện hoặc mã xã",
        "en": "“{name}” fits several communes: {candidates}; add the district or the commune code",
    },
    "importer.reject.other_district": {
        "vi": "không có xã “{name}” ở {district}; xã cùng tên là {official}",
        "en": "no commune “{name}” in {district}; the commune of that name is {official}",
    },
    "importer.reject.unknown_name": {
        "vi": "không tìm thấy xã “{name}” ở {area}; gần giống: {closest}",
        "en": "no commune “{name}” in {area}; closest: {closest}",
    },
    "importer.reject.period": {
        "vi": "năm {value} khác kỳ số liệu đang nhập ({expected})",
        "en": "year {value} differs from the period being imported ({expected})",
    },
    "importer.reject.vintage": {
        "vi": "bộ địa giới {value} khác bộ đang nhập ({expected})",
        "en": "boundary vintage {value} differs from the one being imported ({expected})",
    },
    "importer.reject.total": {
        "vi": "tổng ghi {stated} nhưng bốn lĩnh vực cộng lại {computed}",
        "en": "the total says {stated} but the four fields add up to {computed}",
    },
    "importer.reject.total_only": {
        "vi": "chỉ có tổng ({stated}); hãy ghi số mô hình của từng lĩnh vực",
        "en": "only the total is given ({stated}); give the models of each field",
    },
    "importer.reject.ntm_not_rural": {
        "vi": "{official} là phường/thị trấn: không xét nông thôn mới (để trống)",
        "en": "{official} is a ward or town: the NTM standard does not apply",
    },
    "importer.reject.duplicate": {
        "vi": "xã này đã có ở dòng {row}; không biết dòng nào đúng",
        "en": "the same commune is already in row {row}; which one is right is unknown",
    },
    "importer.reject.duplicate_later": {
        "vi": "xã này còn có ở dòng {row}; không biết dòng nào đúng",
        "en": "the same commune is also in row {row}; which one is right is unknown",
    },
    "importer.rule.required": {"vi": "thiếu giá trị", "en": "value required"},
    "importer.rule.year": {
        "vi": "phải là năm từ {low} đến {high}",
        "en": "expected a year from {low} to {high}",
    },
    "importer.rule.count": {
        "vi": "phải là số nguyên không âm",
        "en": "expected a whole number ≥ 0",
    },
    "importer.rule.count_max": {
        "vi": "phải là số nguyên từ 0 đến {high}",
        "en": "expected a whole number from 0 to {high}",
    },
    "importer.rule.number": {
        "vi": "phải là số không âm (ví dụ 1.234,5)",
        "en": "expected a number ≥ 0 (e.g. 1,234.5)",
    },
    "importer.rule.category": {
        "vi": "phải là một trong: {allowed}",
        "en": "expected one of: {allowed}",
    },
    "importer.rule.bool": {
        "vi": "phải là Có (x) hoặc Không (để trống)",
        "en": "expected yes (x) or no (empty)",
    },
    "importer.rule.vintage": {
        "vi": "phải là bộ địa giới như 2020-2025",
        "en": "expected a boundary vintage such as 2020-2025",
    },
    "importer.rule.code": {
        "vi": "phải là mã xã tối đa 5 chữ số",
        "en": "expected a commune code of up to 5 digits",
    },
    "importer.rule.replicated": {
        "vi": "số mô hình nhân rộng lớn hơn tổng số mô hình của bốn lĩnh vực",
        "en": "more models replicated than models in all four fields",
    },
    "importer.rule.after_period": {
        "vi": "năm ghi sau kỳ số liệu",
        "en": "the year is after the period",
    },
    "importer.rule.ntm_criteria": {
        "vi": "xã đạt chuẩn nông thôn mới phải đạt đủ {n} tiêu chí",
        "en": "an NTM commune meets all {n} criteria",
    },
    "importer.rule.ntm_year_not_yet": {
        "vi": "có năm đạt chuẩn nhưng mức là Chưa đạt",
        "en": "a year reached is given but the level is Not yet",
    },
    "importer.rule.land_done_below": {
        "vi": "trạng thái Hoàn thành nhưng diện tích đã dồn điền nhỏ hơn kế hoạch",
        "en": "status Done but the area consolidated is below the area planned",
    },
    "importer.rule.land_in_progress": {
        "vi": "Đang thực hiện thì diện tích đã dồn điền phải lớn hơn 0 và nhỏ hơn kế hoạch",
        "en": "In progress needs an area consolidated above 0 and below the area planned",
    },
    "importer.rule.land_not_started": {
        "vi": "trạng thái Chưa thực hiện nhưng đã có diện tích dồn điền",
        "en": "status Not started but some area is consolidated",
    },
    "importer.rule.land_done_above": {
        "vi": "diện tích đã dồn điền vượt kế hoạch nhưng trạng thái không phải Hoàn thành",
        "en": "area consolidated above the area planned but the status is not Done",
    },
    "importer.rule.land_year_not_done": {
        "vi": "có năm hoàn thành nhưng trạng thái chưa Hoàn thành",
        "en": "a year completed is given but the status is not Done",
    },
    "importer.rule.other": {"vi": "{message}", "en": "{message}"},
    "importer.warn.legacy": {
        "vi": "Đã chuyển {count} ô từ bảng mã {encoding} sang Unicode; hãy xem lại tên xã",
        "en": "Converted {count} cells from the {encoding} encoding to Unicode; check the names",
    },
    "importer.warn.unused_column": {
        "vi": "Bỏ qua cột “{header}”: không thuộc nhóm chỉ tiêu {family}",
        "en": "Column “{header}” ignored: not part of family {family}",
    },
    "importer.warn.duplicate_column": {
        "vi": "Bỏ qua cột “{header}”: đã có cột {column}",
        "en": "Column “{header}” ignored: column {column} is already there",
    },
    "importer.warn.missing_columns": {
        "vi": "Tệp không có cột: {columns}; các giá trị này để trống",
        "en": "The file has no column: {columns}; those values stay empty",
    },
    "importer.warn.district_ignored": {
        "vi": "Từ 1/7/2025 không còn cấp huyện: cột huyện không được dùng để khớp tên",
        "en": "Since 1 July 2025 there are no districts: the district column is not used",
    },
    "importer.warn.template_period": {
        "vi": "Biểu mẫu lập cho kỳ {template} nhưng đang nhập kỳ {period}",
        "en": "The template was made for period {template} but period {period} is being imported",
    },
    "importer.warn.ascii_match": {
        "vi": "“{name}” được khớp với {official} khi bỏ dấu; hãy kiểm tra",
        "en": "“{name}” matched {official} only without diacritics; please check",
    },
    "importer.warn.type_differs": {
        "vi": "“{name}” được khớp với {official} (khác loại đơn vị); hãy kiểm tra",
        "en": "“{name}” matched {official} (a different unit type); please check",
    },
    "importer.warn.subtotal": {
        "vi": "{label}: {column} ghi {stated} nhưng các xã cộng lại {computed}",
        "en": "{label}: {column} says {stated} but its communes add up to {computed}",
    },
    "importer.wb.rejected_sheet": {"vi": "Dòng bị loại", "en": "Rejected rows"},
    "importer.wb.details_sheet": {"vi": "Chi tiết lỗi", "en": "Problems"},
    "importer.wb.title": {
        "vi": "Các dòng chưa nhập được từ {file}: sửa theo cột Lý do rồi nhập lại",
        "en": "Rows not imported from {file}: fix them as the Reason column says and import again",
    },
    "importer.wb.row": {"vi": "Dòng trong tệp", "en": "Row in file"},
    "importer.wb.column": {"vi": "Cột", "en": "Column"},
    "importer.wb.value": {"vi": "Giá trị", "en": "Value"},
    "importer.wb.reason": {"vi": "Lý do", "en": "Reason"},
    "templates.sheet_data": {"vi": "Số liệu", "en": "Figures"},
    "templates.sheet_notes": {"vi": "Hướng dẫn", "en": "Notes"},
    "templates.title": {"vi": "BIỂU NHẬP SỐ LIỆU: {family}", "en": "DATA ENTRY FORM: {family}"},
    "templates.subtitle": {
        "vi": "Kỳ số liệu: {period} · Địa giới hành chính: {vintage} · {count} xã. Không sửa mã"
        " xã, tên xã và các dòng tiêu đề.",
        "en": "Period: {period} · Administrative units: {vintage} · {count} communes. Do not"
        " change the codes, names or header rows.",
    },
    "templates.period_open": {"vi": "(chọn khi nhập)", "en": "(chosen when importing)"},
    "templates.invalid_title": {"vi": "Giá trị không hợp lệ", "en": "Invalid value"},
    "templates.invalid": {
        "vi": "Giá trị cho phép: {allowed}. Để trống nếu chưa có số liệu.",
        "en": "Allowed: {allowed}. Leave empty when the figure is not known.",
    },
    "templates.yes": {"vi": "Có", "en": "Yes"},
    "templates.no": {"vi": "Không", "en": "No"},
    "templates.notes_title": {
        "vi": "Hướng dẫn điền biểu: {family}",
        "en": "How to fill in the form: {family}",
    },
    "templates.note_rows": {
        "vi": "Mỗi dòng là một xã. Mã xã, tên xã và huyện đã điền sẵn: không sửa, không xóa cột.",
        "en": "One row per commune. Code, name and district are filled in: do not change them"
        " or delete columns.",
    },
    "templates.note_empty": {
        "vi": "Ô trống là chưa có số liệu; số 0 là không có. Xã chưa có số liệu thì để trống cả"
        " dòng: dòng đó được bỏ qua khi nhập.",
        "en": "An empty cell means not known; 0 means none. Leave a commune's whole row empty"
        " when you have no figures for it: it is skipped on import.",
    },
    "templates.note_numbers": {
        "vi": "Số viết 1.234 hoặc 1234, số thập phân 12,5. Ở các cột có danh sách, chọn giá trị"
        " trong danh sách.",
        "en": "Write numbers as 1234 or 1,234 and decimals as 12.5. Where a column has a list,"
        " pick a value from it.",
    },
    "templates.note_totals": {
        "vi": "Không cần dòng tổng cộng; nếu có, hệ thống bỏ qua và dùng để đối chiếu.",
        "en": "No total row is needed; one that is there is skipped and used as a cross-check.",
    },
    "templates.note_ntm": {
        "vi": "Nông thôn mới chỉ xét cho xã: dòng của phường, thị trấn để trống.",
        "en": "The NTM standard applies to xã only: leave the rows of phường and thị trấn empty.",
    },
    "templates.note_named": {
        "vi": "Mỗi mô hình một dòng: sao chép dòng của xã (cả mã xã) để thêm mô hình.",
        "en": "One model per row: copy a commune's row (with its code) to add a model.",
    },
    "templates.note_import": {
        "vi": "Nhập tệp ở trang Nhập dữ liệu, hoặc: python -m geo import TỆP --family {family}"
        " --period {period}",
        "en": "Import the file on the Import page, or: python -m geo import FILE --family"
        " {family} --period {period}",
    },
    "templates.col_column": {"vi": "Cột", "en": "Column"},
    "templates.col_key": {"vi": "Tên cột trong hệ thống", "en": "Column key"},
    "templates.col_kind": {"vi": "Kiểu", "en": "Type"},
    "templates.col_unit": {"vi": "Đơn vị", "en": "Unit"},
    "templates.col_allowed": {"vi": "Giá trị cho phép", "en": "Allowed values"},
    "templates.col_description": {"vi": "Mô tả (tiếng Anh)", "en": "Description"},
    "templates.kind_code": {"vi": "Mã xã", "en": "Commune code"},
    "templates.kind_vintage": {"vi": "Bộ địa giới", "en": "Boundary vintage"},
    "templates.kind_text": {"vi": "Chữ", "en": "Text"},
    "templates.kind_count": {"vi": "Số nguyên", "en": "Whole number"},
    "templates.kind_number": {"vi": "Số", "en": "Number"},
    "templates.kind_year": {"vi": "Năm", "en": "Year"},
    "templates.kind_category": {"vi": "Chọn trong danh sách", "en": "One of a list"},
    "templates.kind_bool": {"vi": "Có / Không", "en": "Yes / No"},
    "templates.vintage_note": {
        "vi": "Mã và tên xã theo đơn vị hành chính {vintage} (danh mục GSO, gói"
        " vietnamadminunits).",
        "en": "Codes and names are those of the {vintage} administrative units (GSO list, package"
        " vietnamadminunits).",
    },
    # errors
    # sign-in, import page, batch history (geo.figures.auth, geo.figures.store,
    # pages/1_Nhap_du_lieu.py)
    "auth.title": {"vi": "Đăng nhập cán bộ quản lý số liệu", "en": "Planner sign-in"},
    "auth.viewer_note": {
        "vi": "Xem bản đồ không cần đăng nhập. Nhập, hoàn tác và xóa số liệu cần tài khoản cán"
        " bộ quản lý số liệu.",
        "en": "Viewing the maps needs no account. Importing, rolling back and deleting figures"
        " need a planner account.",
    },
    "auth.username": {"vi": "Tên đăng nhập", "en": "User name"},
    "auth.password": {"vi": "Mật khẩu", "en": "Password"},
    "auth.sign_in": {"vi": "Đăng nhập", "en": "Sign in"},
    "auth.sign_out": {"vi": "Đăng xuất", "en": "Sign out"},
    "auth.oidc_sign_in": {
        "vi": "Đăng nhập bằng tài khoản cơ quan",
        "en": "Sign in with your organisation account",
    },
    "auth.bad_credentials": {
        "vi": "Tên đăng nhập hoặc mật khẩu không đúng.",
        "en": "Wrong user name or password.",
    },
    "auth.throttled": {
        "vi": "Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau {seconds} giây.",
        "en": "Too many failed sign-ins. Try again in {seconds} s.",
    },
    "auth.signed_in_as": {"vi": "Đã đăng nhập: **{name}**", "en": "Signed in as **{name}**"},
    "auth.not_planner": {
        "vi": "Tài khoản {name} chưa được cấp quyền nhập số liệu.",
        "en": "{name} is not a planner account.",
    },
    "auth.no_accounts": {
        "vi": "Chưa có tài khoản cán bộ nào. Quản trị viên tạo bằng lệnh"
        " `python -m geo user add TÊN`.",
        "en": "There are no planner accounts yet. An administrator adds one with"
        " `python -m geo user add NAME`.",
    },
    "import.title": {"vi": "Nhập dữ liệu", "en": "Import figures"},
    "import.intro": {
        "vi": "Tải lên bảng số liệu của một nhóm chỉ tiêu cho một kỳ. Hệ thống kiểm tra từng dòng"
        " và cho xem trước; chỉ khi xác nhận, số liệu mới được ghi thành một lô mới. Mỗi lô thay"
        " số liệu của các xã có trong tệp, các xã khác giữ nguyên; có thể hoàn tác.",
        "en": "Upload one indicator family for one period. Every row is checked and you see a"
        " preview; only on confirmation are the figures stored, as a new batch. A batch replaces"
        " the figures of the communes it contains and keeps the others; it can be rolled back.",
    },
    "import.tab_import": {"vi": "Nhập tệp", "en": "Import a file"},
    "import.tab_history": {"vi": "Lịch sử các lô", "en": "Batch history"},
    "import.tab_template": {"vi": "Mẫu nhập liệu", "en": "Templates"},
    "import.upload": {"vi": "Tệp số liệu (CSV hoặc Excel)", "en": "Data file (CSV or Excel)"},
    "import.family": {"vi": "Nhóm chỉ tiêu", "en": "Indicator family"},
    "import.period": {"vi": "Kỳ số liệu (năm)", "en": "Period (year)"},
    "import.preview": {"vi": "Kiểm tra và xem trước", "en": "Check and preview"},
    "import.preview_title": {
        "vi": "Kết quả kiểm tra (chưa ghi vào cơ sở dữ liệu)",
        "en": "Check result (nothing stored yet)",
    },
    "import.accepted_rows": {"vi": "Dòng hợp lệ ({n})", "en": "Valid rows ({n})"},
    "import.rejected_rows": {"vi": "Dòng bị loại ({n})", "en": "Rejected rows ({n})"},
    "import.skipped_rows": {
        "vi": "Dòng bỏ qua: tổng, tiểu tổng… ({n})",
        "en": "Skipped rows: totals, subtotals… ({n})",
    },
    "import.warnings": {"vi": "Cảnh báo ({n})", "en": "Warnings ({n})"},
    "import.download_rejected": {
        "vi": "Tải các dòng bị loại (.xlsx)",
        "en": "Download the rejected rows (.xlsx)",
    },
    "import.force": {
        "vi": "Vẫn nhập lại tệp đã nhập trước đó",
        "en": "Import again a file already imported",
    },
    "import.confirm": {"vi": "Xác nhận nhập {n} dòng", "en": "Import {n} rows"},
    "import.done": {
        "vi": "Đã nhập lô số {id}: {n} dòng, {family}, kỳ {period}. Bản đồ đã cập nhật.",
        "en": "Stored batch {id}: {n} rows, {family}, period {period}. The map is updated.",
    },
    "import.nothing": {
        "vi": "Không có dòng hợp lệ nào để nhập.",
        "en": "There is no valid row to import.",
    },
    "import.failed": {"vi": "Không nhập được: {message}", "en": "Import failed: {message}"},
    "import.read_failed": {
        "vi": "Không đọc được tệp: {message}",
        "en": "The file cannot be read: {message}",
    },
    "import.sign_in_first": {
        "vi": "Đăng nhập (thanh bên) để nhập, hoàn tác hoặc xóa số liệu.",
        "en": "Sign in (sidebar) to import, roll back or delete figures.",
    },
    "import.template_help": {
        "vi": "Mẫu Excel có sẵn danh sách xã của tỉnh và đúng các cột của nhóm chỉ tiêu.",
        "en": "Excel template with the province's communes and the family's columns.",
    },
    "import.template_button": {"vi": "Tải mẫu (.xlsx)", "en": "Download template (.xlsx)"},
    "import.template_unavailable": {
        "vi": "Chưa tạo được mẫu: {message}",
        "en": "The template is not available: {message}",
    },
    "report.file": {"vi": "Tệp", "en": "File"},
    "report.family": {"vi": "Nhóm chỉ tiêu", "en": "Family"},
    "report.accepted": {"vi": "Hợp lệ", "en": "Accepted"},
    "report.rejected": {"vi": "Bị loại", "en": "Rejected"},
    "report.skipped": {"vi": "Bỏ qua", "en": "Skipped"},
    "report.warnings": {"vi": "Cảnh báo", "en": "Warnings"},
    "report.row": {"vi": "Dòng", "en": "Row"},
    "report.column": {"vi": "Cột", "en": "Column"},
    "report.value": {"vi": "Giá trị", "en": "Value"},
    "report.reason": {"vi": "Lý do", "en": "Reason"},
    "report.text": {"vi": "Nội dung", "en": "Text"},
    "report.where": {"vi": "Vị trí", "en": "Where"},
    "report.message": {"vi": "Nội dung", "en": "Message"},
    "report.stored": {
        "vi": "Đã ghi lô số {id} (người nhập: {user}).",
        "en": "Stored as batch {id} (by {user}).",
    },
    "report.dry_run": {
        "vi": "Chạy thử (--dry-run): chưa ghi gì vào cơ sở dữ liệu.",
        "en": "Dry run: nothing was stored.",
    },
    "batches.id": {"vi": "Lô", "en": "Batch"},
    "batches.status": {"vi": "Trạng thái", "en": "Status"},
    "batches.status_active": {"vi": "Đang dùng", "en": "Active"},
    "batches.status_rolled_back": {"vi": "Đã hoàn tác", "en": "Rolled back"},
    "batches.created_at": {"vi": "Thời điểm (UTC)", "en": "When (UTC)"},
    "batches.user": {"vi": "Người nhập", "en": "By"},
    "batches.origin": {"vi": "Nguồn", "en": "Origin"},
    "batches.origin_demo": {"vi": "Dữ liệu minh họa", "en": "Demo data"},
    "batches.origin_import": {"vi": "Nhập từ tệp", "en": "Imported file"},
    "batches.rolled_back": {"vi": "Hoàn tác bởi", "en": "Rolled back by"},
    "batches.rollback_title": {"vi": "Hoàn tác một lô", "en": "Roll back a batch"},
    "batches.rollback_help": {
        "vi": "Hoàn tác không xóa dữ liệu: lô bị loại khỏi số liệu hiện hành, các xã trở về số"
        " liệu của lô trước đó.",
        "en": "Rolling back deletes nothing: the batch leaves the current figures and its"
        " communes go back to what the previous batches said.",
    },
    "batches.choose": {"vi": "Chọn lô", "en": "Batch"},
    "batches.rollback_confirm": {
        "vi": "Tôi xác nhận hoàn tác lô {id}",
        "en": "I confirm rolling back batch {id}",
    },
    "batches.rollback_button": {"vi": "Hoàn tác", "en": "Roll back"},
    "batches.rolled_back_done": {
        "vi": "Đã hoàn tác lô {id}. Bản đồ đã cập nhật.",
        "en": "Batch {id} rolled back. The map is updated.",
    },
    "batches.none_active": {"vi": "Không có lô nào đang dùng.", "en": "No active batch."},
    "batches.delete_title": {
        "vi": "Xóa hẳn một lô đã hoàn tác",
        "en": "Delete a rolled-back batch for good",
    },
    "batches.delete_confirm": {
        "vi": "Tôi xác nhận xóa hẳn lô {id} (không khôi phục được)",
        "en": "I confirm deleting batch {id} for good (cannot be undone)",
    },
    "batches.delete_button": {"vi": "Xóa hẳn", "en": "Delete"},
    "batches.deleted_done": {"vi": "Đã xóa lô {id}.", "en": "Batch {id} deleted."},
    "batches.failed": {"vi": "Không thực hiện được: {message}", "en": "Not done: {message}"},
    # print and export (geo.output.printing, geo.output.export)
    "export.indicator": {"vi": "Chỉ tiêu", "en": "Indicator"},
    "export.classes": {
        "vi": "Phân lớp: {scheme}, {k} lớp (như bản đồ trực tuyến)",
        "en": "Classes: {scheme}, {k} classes (as on the interactive map)",
    },
    "export.scheme.fisher_jenks": {"vi": "ngắt tự nhiên Fisher–Jenks", "en": "Fisher–Jenks"},
    "export.scheme.quantiles": {"vi": "phân vị", "en": "quantiles"},
    "export.scheme.equal_interval": {"vi": "khoảng đều", "en": "equal intervals"},
    "export.scheme.manual": {"vi": "ngắt tự chọn", "en": "manual breaks"},
    "export.figures_demo": {
        "vi": "Số liệu kỳ {period}: dữ liệu minh họa / demo data, sinh ngẫu nhiên sao cho khớp"
        " tổng số tỉnh công bố năm 2019; không phải số liệu thật của từng xã.",
        "en": "Figures of {period}: demo data / dữ liệu minh họa, generated to add up to the"
        " province totals published in 2019; not real commune figures.",
    },
    "export.figures_store": {
        "vi": "Số liệu kỳ {period}: số liệu do cán bộ của tỉnh nhập vào Commune Atlas.",
        "en": "Figures of {period}: as imported by the province's planners into Commune Atlas.",
    },
    "export.demo_badge": {
        "vi": "DỮ LIỆU MINH HỌA / DEMO DATA",
        "en": "DEMO DATA / DỮ LIỆU MINH HỌA",
    },
    "export.boundary_source": {"vi": "Ranh giới: {source}", "en": "Boundaries: {source}"},
    "export.created": {
        "vi": "Lập ngày {date} · Commune Atlas – Bản đồ xã",
        "en": "Made on {date} · Commune Atlas",
    },
    "export.scale": {
        "vi": "Tỷ lệ khoảng 1:{denominator} khi in khổ {paper}, hệ tọa độ {crs}",
        "en": "Scale about 1:{denominator} when printed on {paper}; projection {crs}",
    },
    "export.north": {"vi": "B", "en": "N"},
    "export.legend_counts_province": {
        "vi": "Số xã trong chú giải tính cho toàn tỉnh.",
        "en": "Legend counts are for the whole province.",
    },
    "export.brief_title": {"vi": "Bản tin tỉnh: {province}", "en": "Province brief: {province}"},
    "export.brief_subtitle": {
        "vi": "Kỳ số liệu {period} · Dân vận khéo, nông thôn mới, dồn điền đổi thửa",
        "en": "Period {period} · Dân vận khéo models, new-rural standard, land consolidation",
    },
    "export.kpi_heading": {
        "vi": "Chỉ số toàn tỉnh so với số công bố",
        "en": "Province indicators against the published figures",
    },
    "export.col_indicator": {"vi": "Chỉ số", "en": "Indicator"},
    "export.col_value": {"vi": "Tính từ số liệu", "en": "From the data"},
    "export.col_difference": {"vi": "Chênh lệch", "en": "Difference"},
    "export.col_source": {"vi": "Nguồn", "en": "Source"},
    "export.col_rank": {"vi": "STT", "en": "No."},
    "export.more_than": {"vi": "hơn {value}", "en": "more than {value}"},
    "export.matches": {"vi": "khớp", "en": "matches"},
    "export.download": {"vi": "In và tải về", "en": "Print and download"},
    "export.paper": {"vi": "Khổ giấy", "en": "Paper"},
    "export.orientation": {"vi": "Hướng giấy", "en": "Orientation"},
    "export.portrait": {"vi": "Dọc", "en": "Portrait"},
    "export.landscape": {"vi": "Ngang", "en": "Landscape"},
    "export.labels": {"vi": "Ghi tên xã", "en": "Commune names"},
    "export.button_map_pdf": {"vi": "Bản đồ in (PDF)", "en": "Print map (PDF)"},
    "export.button_map_png": {"vi": "Bản đồ in (PNG 300 dpi)", "en": "Print map (PNG 300 dpi)"},
    "export.button_brief": {"vi": "Bản tin tỉnh (PDF)", "en": "Province brief (PDF)"},
    "export.button_geojson": {"vi": "Lớp bản đồ (GeoJSON)", "en": "Map layer (GeoJSON)"},
    "export.button_gpkg": {"vi": "Lớp bản đồ (GeoPackage)", "en": "Map layer (GeoPackage)"},
    "export.button_xlsx": {"vi": "Số liệu lớp (Excel)", "en": "Layer figures (Excel)"},
    "export.button_districts": {"vi": "Tổng hợp theo huyện (Excel)", "en": "By district (Excel)"},
    "export.compare_unavailable": {
        "vi": "Bản đồ in và tệp lớp bản đồ có cho chế độ một kỳ số liệu.",
        "en": "Print maps and layer files are made in the one-period view.",
    },
    "export.lagging_heading": {"vi": "Xã cần quan tâm", "en": "Communes needing attention"},
    "export.lagging_ntm": {
        "vi": "Xã chưa đạt chuẩn nông thôn mới, ít tiêu chí nhất ({n} xã)",
        "en": "Xã not yet at the new-rural standard, fewest criteria met ({n})",
    },
    "export.lagging_land": {
        "vi": "Xã dồn điền đổi thửa thấp nhất so với kế hoạch ({n} xã)",
        "en": "Lowest land consolidation against plan ({n} communes)",
    },
    "export.lagging_rule": {
        "vi": "Quy tắc đơn giản: xã (không tính phường, thị trấn) chưa đạt chuẩn NTM, xếp theo số"
        " tiêu chí đạt tăng dần; xã có kế hoạch dồn điền đổi thửa, xếp theo % kế hoạch tăng dần.",
        "en": "A simple rule: xã (not wards or towns) not yet at the NTM standard, fewest criteria"
        " first; communes with a land consolidation plan, lowest % of plan first.",
    },
    "export.lagging_rules": {
        "vi": "Quy tắc: {rules}; xã xa mục tiêu nhất xếp trước.",
        "en": "Rules: {rules}; furthest behind first.",
    },
    "export.lagging_none": {"vi": "Không có xã nào.", "en": "None."},
    "export.figures_sheet": {"vi": "Số liệu", "en": "Figures"},
    "export.notes_sheet": {"vi": "Chú thích", "en": "Notes"},
    "export.districts_sheet": {"vi": "Theo huyện", "en": "By district"},
    "export.note_item": {"vi": "Mục", "en": "Item"},
    "export.note_text": {"vi": "Nội dung", "en": "Text"},
    "export.note_boundary_kind": {"vi": "Loại ranh giới", "en": "Boundary kind"},
    "export.note_vintage": {"vi": "Giai đoạn ranh giới", "en": "Boundary vintage"},
    "export.note_boundary_source": {"vi": "Nguồn ranh giới", "en": "Boundary source"},
    "export.note_attribution": {"vi": "Ghi công", "en": "Attribution"},
    "export.note_figures": {"vi": "Số liệu", "en": "Figures"},
    "export.note_created": {"vi": "Ngày lập", "en": "Created"},
    "export.note_classes": {"vi": "Phân lớp", "en": "Classification"},
    "export.note_published": {"vi": "Số công bố", "en": "Published figures"},
    "export.col.commune_code": {"vi": "Mã xã (GSO)", "en": "Commune code (GSO)"},
    "export.col.commune_type": {"vi": "Loại đơn vị", "en": "Unit type"},
    "export.col.district_code": {"vi": "Mã huyện", "en": "District code"},
    "export.col.vintage": {"vi": "Giai đoạn ranh giới", "en": "Boundary vintage"},
    "export.col.map_class": {"vi": "Lớp trên bản đồ", "en": "Map class"},
    "export.col.map_value": {"vi": "Giá trị hiển thị", "en": "Shown value"},
    "export.col.map_color": {"vi": "Màu", "en": "Colour"},
    "export.col.ntm_applicable": {"vi": "Số xã xét NTM", "en": "Xã rated for NTM"},
    "export.col.ntm_reached": {"vi": "Số xã đạt chuẩn NTM", "en": "Xã at NTM standard"},
    "export.col.land_communes": {"vi": "Số xã đã dồn điền", "en": "Communes with consolidation"},
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
