"""Small inputs shared by the tests of NTM criteria sets (analysis, output)."""

from __future__ import annotations

import pandas as pd


def two_xa_and_a_ward() -> pd.DataFrame:
    """Communes ``00001`` Xã A, ``00002`` Xã B and ``00003`` Phường C of one district, 10 km²."""
    return pd.DataFrame(
        {
            "commune_code": ["00001", "00002", "00003"],
            "commune_name": ["Xã A", "Xã B", "Phường C"],
            "commune_type": ["Xã", "Xã", "Phường"],
            "district_code": "001",
            "district_name": "Huyện X",
            "area_km2": 10.0,
        }
    )
