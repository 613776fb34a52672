"""Figures the province published, kept as data (no computation here).

Source: an article in Báo Hòa Bình (online edition "HBĐT"), by Thanh Sơn, on the "Dân vận khéo"
("skilful mass mobilisation") emulation movement of Hòa Bình province. The stored copy
(``/work/shared/seed/hoabinh-dan-van-kheo-2019.txt``) has no headline, no date and no URL.

What the text says about dates, and how the atlas uses it:

- Land consolidation is dated explicitly: "đến tháng 4/2019" (to April 2019).
- The other figures are "hiện" / "đến nay" (now) at publication. The article cites a guidance of
  4 July 2019, so it appeared after that; it also says the 4,648 models are "tăng 3.445 mô hình
  so với năm 2019" (3,445 more than in 2019), which cannot be right for a 2019 article and is
  probably a slip for an earlier base year. That increase is therefore not stored.
- The atlas treats every figure as period 2019 ("số liệu đến 4/2019").

Denominators are those of the 2019 geography: 191 xã (210 units with 11 thị trấn and
8 phường). From 1 January 2020 Hòa Bình has 151 units, of them 129 xã, so a share such as
"42.9 % of xã are NTM" does not carry over to the 2020–2025 map.

Examples
--------
>>> from geo.figures.published import FIGURES
>>> FIGURES["models_total"].value
4648
>>> sum(FIGURES[k].value for k in ("models_economy", "models_culture_society",
...     "models_defence_security", "models_political_system"))
4648
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

__all__ = [
    "FIGURES",
    "NAMED_MODELS",
    "SOURCE",
    "PublishedFigure",
    "PublishedModel",
    "Source",
]


@dataclass(frozen=True)
class Source:
    """Where published figures come from.

    Parameters
    ----------
    title : str
        Headline of the article, or a description when the headline is unknown.
    outlet : str
        Newspaper or site.
    author : str
        By-line.
    as_of : str
        Date the figures refer to, as the article states it.
    url : str or None
        Address of the article; ``None`` when unknown.
    citation : str
        One-line citation to show next to figures.
    denominator_note : str
        The geography that shares and counts refer to.
    """

    title: str
    outlet: str
    author: str
    as_of: str
    url: str | None
    citation: str
    denominator_note: str


@dataclass(frozen=True)
class PublishedFigure:
    """One published number.

    Parameters
    ----------
    key : str
        Stable identifier (``models_economy`` …).
    value : int or float
        The number as published (Vietnamese "4.648" is 4648, "42,9" is 42.9).
    unit : str
        ``"models"``, ``"communes"``, ``"ha"`` or ``"%"``.
    label_vi, label_en : str
        What the number counts.
    qualifier : str
        ``"exact"`` or ``"more_than"`` (the article says "hơn", more than).
    quote : str
        The phrase of the article the number comes from.
    source : Source
        The article.
    """

    key: str
    value: int | float
    unit: str
    label_vi: str
    label_en: str
    qualifier: str
    quote: str
    source: Source


@dataclass(frozen=True)
class PublishedModel:
    """A "Dân vận khéo" model the article names.

    Parameters
    ----------
    commune_code : str
        GSO code of the commune in the 2020–2025 geography.
    commune_name_2019 : str
        The commune as the article names it (2019 geography).
    district_name : str
        District of the commune.
    model_name : str
        Name of the model as the article gives it.
    field : str
        One of :data:`geo.figures.indicators.FIELDS`.
    field_reason : str
        Why this field (quoted or inferred from the article).
    year_started : int or None
        Year the model started according to the article (``None``: not stated).
    replicated : bool
        Whether the article says the model was replicated (nhân rộng).
    note : str
        Anything else worth knowing.
    """

    commune_code: str
    commune_name_2019: str
    district_name: str
    model_name: str
    field: str
    field_reason: str
    year_started: int | None
    replicated: bool
    note: str


SOURCE = Source(
    title='(headline not in the stored copy) Article on the "Dân vận khéo" movement in Hòa Bình',
    outlet="Báo Hòa Bình (HBĐT)",
    author="Thanh Sơn",
    as_of="4/2019",
    url=None,
    citation="Báo Hòa Bình (HBĐT), bài của Thanh Sơn, số liệu đến 4/2019",
    denominator_note=(
        "Shares and counts refer to the 2019 geography: 191 xã (210 units in all). "
        "The 2020–2025 geography has 129 xã (151 units)."
    ),
)

_FIGURES: tuple[PublishedFigure, ...] = (
    PublishedFigure(
        "models_total",
        4648,
        "models",
        'Tổng số mô hình "Dân vận khéo"',
        '"Dân vận khéo" models, total',
        "exact",
        'toàn tỉnh có 4.648 mô hình "Dân vận khéo"',
        SOURCE,
    ),
    PublishedFigure(
        "models_economy",
        1392,
        "models",
        "Mô hình lĩnh vực kinh tế",
        "Models in the economy field",
        "exact",
        "lĩnh vực kinh tế 1.392 mô hình",
        SOURCE,
    ),
    PublishedFigure(
        "models_culture_society",
        1503,
        "models",
        "Mô hình lĩnh vực văn hóa – xã hội",
        "Models in the culture–society field",
        "exact",
        "lĩnh vực văn hóa-xã hội 1.503 mô hình",
        SOURCE,
    ),
    PublishedFigure(
        "models_defence_security",
        1102,
        "models",
        "Mô hình lĩnh vực quốc phòng – an ninh",
        "Models in the defence–security field",
        "exact",
        "lĩnh vực QP-AN 1.102 mô hình",
        SOURCE,
    ),
    PublishedFigure(
        "models_political_system",
        651,
        "models",
        "Mô hình lĩnh vực xây dựng hệ thống chính trị",
        "Models in the political-system-building field",
        "exact",
        "lĩnh vực xây dựng hệ thống chính trị 651 mô hình",
        SOURCE,
    ),
    PublishedFigure(
        "models_replicated",
        646,
        "models",
        "Mô hình hiệu quả đã nhân rộng",
        "Effective models replicated",
        "exact",
        "toàn tỉnh đã nhân rộng được 646 mô hình hiệu quả",
        SOURCE,
    ),
    PublishedFigure(
        "ntm_communes",
        82,
        "communes",
        "Số xã đạt chuẩn nông thôn mới",
        "Communes meeting the new-rural (NTM) standard",
        "exact",
        "tổng số xã về đích NTM của tỉnh là 82 xã",
        SOURCE,
    ),
    PublishedFigure(
        "ntm_share_pct",
        42.9,
        "%",
        "Tỷ lệ xã đạt chuẩn nông thôn mới (trên 191 xã)",
        "Share of xã meeting the NTM standard (of 191 xã)",
        "exact",
        "chiếm 42,9% tổng số xã",
        SOURCE,
    ),
    PublishedFigure(
        "xa_total_2019",
        191,
        "communes",
        "Tổng số xã (địa giới 2019)",
        "Number of xã (2019 geography)",
        "exact",
        "55/191 xã",
        SOURCE,
    ),
    PublishedFigure(
        "land_communes",
        55,
        "communes",
        "Số xã thực hiện dồn điền, đổi thửa",
        "Communes carrying out land consolidation",
        "exact",
        "số xã thực hiện dồn điền, đổi thửa là 55/191 xã",
        SOURCE,
    ),
    PublishedFigure(
        "land_communes_share_pct",
        28.8,
        "%",
        "Tỷ lệ xã thực hiện dồn điền, đổi thửa (trên 191 xã)",
        "Share of xã carrying out land consolidation (of 191 xã)",
        "exact",
        "(chiếm 28,8%)",
        SOURCE,
    ),
    PublishedFigure(
        "land_done_ha",
        4657,
        "ha",
        "Diện tích đã dồn điền, đổi thửa",
        "Area consolidated",
        "more_than",
        "đến tháng 4/2019, toàn tỉnh đã thực hiện được hơn 4.657 ha",
        SOURCE,
    ),
    PublishedFigure(
        "land_cropland_share_pct",
        5.82,
        "%",
        "Tỷ lệ diện tích đất trồng trọt đã dồn điền, đổi thửa",
        "Share of the province's cropland consolidated",
        "exact",
        "chiếm 5,82% diện tích đất trồng trọt của tỉnh",
        SOURCE,
    ),
)

#: Published figures by key (read-only).
FIGURES = MappingProxyType({figure.key: figure for figure in _FIGURES})

#: The three models the article names, placed in 2020–2025 communes.
NAMED_MODELS: tuple[PublishedModel, ...] = (
    PublishedModel(
        commune_code="05329",
        commune_name_2019="Xã Ngọc Sơn",
        district_name="Huyện Lạc Sơn",
        model_name="Bảo vệ cây trồng, vật nuôi, bảo vệ rừng",
        field="defence_security",
        field_reason=(
            "Inferred: the article does not name the field. The model is about enforcing forest "
            "protection (law propaganda with forest rangers, forest patrols, reporting violations, "
            "fewer illegal loggers), and the article presents it right after the QP-AN example "
            "and before 'Trên lĩnh vực văn hoá - xã hội'. Economy would be the other reading."
        ),
        year_started=None,
        replicated=False,
        note="Carried out in xóm Vãng and xóm Rộc.",
    ),
    PublishedModel(
        commune_code="05233",
        commune_name_2019="Xã Tòng Đậu",
        district_name="Huyện Mai Châu",
        model_name="Địa bàn không có ma túy",
        field="defence_security",
        field_reason='Stated: "một trong những mô hình điển hình trên lĩnh vực QP-AN".',
        year_started=2009,
        replicated=False,
        note="Xóm Tòng; started 'cách đây 10 năm' (about 10 years before the article).",
    ),
    PublishedModel(
        commune_code="05353",
        commune_name_2019="Xã Yên Lạc",
        district_name="Huyện Yên Thủy",
        model_name="Phụ nữ tiết kiệm mua BHYT vì sức khỏe gia đình",
        field="culture_society",
        field_reason='Stated: "Trên lĩnh vực văn hoá - xã hội".',
        year_started=2017,
        replicated=True,
        note=(
            "Xã Yên Lạc (05377) was merged into Thị trấn Hàng Trạm (05353) from 1 Jan 2020. "
            "Pilot at Chi hội Phụ nữ xóm Lạc Vượng in 6/2017, extended to 100 % of the xóm "
            "women's branches by the end of 2018."
        ),
    ),
)
