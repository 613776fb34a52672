"""Per-criterion figures travel from an imported file to the lagging rules of the map.

Import (per-criterion columns) → store → tables on the 2025 units → metrics → the criteria the
lagging box offers: "criterion X not met" is reachable from a planner's file, not only from
hand-made metrics.
"""

from __future__ import annotations

from geo.analysis.lagging import CriterionNotMet, criteria_choice, find_lagging
from geo.analysis.metrics import commune_metrics
from geo.analysis.vintages import tables_for
from geo.figures.auth import Planner
from geo.figures.importing import import_file
from geo.figures.store import Store
from geo.geography.geographies import shipped_geography


def test_imported_criteria_reach_the_lagging_rules(tmp_path):
    data = (
        "Mã xã,Mức đạt NTM,Số tiêu chí đạt,TC1,TC2,TC3\n"
        "05200,Chưa đạt,2,x,x,\n"
        "05206,Chưa đạt,1,x,,\n"
    ).encode()
    report = import_file(data, file_name="ntm_2026.csv", family="ntm", period=2026)
    store = Store(f"sqlite:///{tmp_path / 'atlas.sqlite'}")
    try:
        store.ensure_seeded()
        store.import_report(report, user=Planner("lan", "password"))
        current = {family: store.current_table(family) for family in ("models", "ntm", "land")}
    finally:
        store.dispose()
    geography = shipped_geography()
    tables = tables_for(geography, current, period=2026).tables
    metrics = commune_metrics(geography.communes, tables, period=2026)
    choice = criteria_choice(metrics, 2026)
    assert (choice.most, choice.default, choice.criteria) == (10, 8, (1, 2, 3))
    below = find_lagging(metrics, [CriterionNotMet(2, period=2026)])
    assert below["commune_code"].tolist() == ["05206"]
