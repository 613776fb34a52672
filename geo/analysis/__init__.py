"""Analysis: pure computations on indicator tables and commune layers.

Metrics and aggregates, conversion across boundary vintages, period comparison, lagging rules,
a commune's profile, table joins.
"""

from geo._exports import lazy_exports

#: Public name -> module of this room that defines it (imported on first use).
_EXPORTS = {
    "CommuneProfile": "commune_profile",
    "HISTORY_COLUMNS": "commune_profile",
    "PROFILE_INDICATORS": "commune_profile",
    "commune_history": "commune_profile",
    "indicator_ranks": "commune_profile",
    "metrics_over_periods": "commune_profile",
    "named_models_of": "commune_profile",
    "CHANGE_COLUMNS": "compare",
    "compare_periods": "compare",
    "level_rank": "compare",
    "ConsolidationBelow": "lagging",
    "CriteriaBelow": "lagging",
    "NoModelInField": "lagging",
    "NoProgress": "lagging",
    "PROGRESS_INDICATORS": "lagging",
    "Rule": "lagging",
    "RuleResult": "lagging",
    "describe_rules": "lagging",
    "find_lagging": "lagging",
    "ADDITIVE_COLUMNS": "conversion",
    "COMPOSITION": "conversion",
    "LOWEST_COLUMNS": "conversion",
    "PROVENANCE_COLUMNS": "conversion",
    "RULES": "conversion",
    "convert_tables": "conversion",
    "Kpi": "metrics",
    "MODEL_FIELDS": "metrics",
    "NTM_REACHED": "metrics",
    "commune_metrics": "metrics",
    "district_summary": "metrics",
    "province_kpis": "metrics",
    "province_summary": "metrics",
    "unmatched_codes": "metrics",
    "JoinReport": "table_join",
    "TableJoin": "table_join",
    "join_report": "table_join",
    "vintage_note": "table_join",
}

__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
