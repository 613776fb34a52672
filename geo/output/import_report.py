"""What an import report and a batch history look like to people: JSON, text, display tables.

Shared by the command line (:mod:`geo.cli.data`) and the import page
(``pages/1_Nhap_du_lieu.py``) so both say the same thing. No Streamlit here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import pandas as pd

from geo.errors import Problem
from geo.figures.indicators import FAMILIES
from geo.figures.store import Batch, ReportLike, rejected_row_count
from geo.i18n import Lang, t

__all__ = [
    "batches_frame",
    "error_text",
    "problem_text",
    "rejected_frame",
    "report_lines",
    "report_payload",
    "skipped_frame",
    "warnings_frame",
]


class ReportView(ReportLike, Protocol):
    """What the views show of an ImportReport: the store's fields and the encoding."""

    encoding: str


def _cell(value: object) -> object:
    """JSON-friendly cell: ``None`` for missing, Python scalars."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float) and value != value:  # NaN
        return None
    return value.item() if hasattr(value, "item") else value


def _records(frame: pd.DataFrame, columns: Sequence[str]) -> list[dict[str, Any]]:
    present = [c for c in columns if c in frame.columns]
    return [
        {c: _cell(v) for c, v in zip(present, row, strict=True)}
        for row in frame[present].itertuples(index=False, name=None)
    ]


def report_payload(
    report: ReportView, *, batch: Batch | None = None, db: str | None = None
) -> dict[str, Any]:
    """The report as a JSON-friendly dict (``python -m geo import --json``).

    Keys: ``file, sha256, family, period, vintage, vintage_source, criteria_set``,
    ``stored_as_vi, stored_as_en`` (the vintage and set in words), ``encoding, accepted, rejected``
    (rows),
    ``rejected_problems``, ``skipped`` (counts), ``rejected_rows`` (one per problem:
    ``source_row, column, value, reason_vi, reason_en``),
    ``skipped_rows``, ``warnings``, ``batch_id`` (``None`` when nothing was written), ``batch``,
    ``db``.
    """
    return {
        "file": report.file_name,
        "sha256": report.sha256,
        "family": report.family,
        "period": int(report.period),
        "vintage": report.vintage,
        "vintage_source": getattr(report, "vintage_source", ""),
        "criteria_set": getattr(report, "criteria_set", ""),
        "stored_as_vi": _stored_as(report, "vi"),
        "stored_as_en": _stored_as(report, "en"),
        "encoding": getattr(report, "encoding", None),
        "accepted": len(report.accepted),
        "rejected": rejected_row_count(report),
        "rejected_problems": len(report.rejected),
        "skipped": len(report.skipped),
        "rejected_rows": _records(
            report.rejected, ("source_row", "column", "value", "reason_vi", "reason_en")
        ),
        "skipped_rows": _records(report.skipped, ("source_row", "text", "reason_vi", "reason_en")),
        "warnings": [
            {
                "where": p.where,
                "severity": p.severity,
                "message_vi": problem_text(p, "vi"),
                "message_en": problem_text(p, "en"),
            }
            for p in report.warnings
        ],
        "batch_id": batch.id if batch is not None else None,
        "batch": batch.to_dict() if batch is not None else None,
        "db": db,
    }


def _stored_as(report: object, lang: Lang) -> str:
    """What an importer's report says it stores the rows under (``""`` for other reports)."""
    stored_as = getattr(report, "stored_as", None)
    return str(stored_as(lang)) if callable(stored_as) else ""


def problem_text(problem: Problem, lang: Lang = "vi") -> str:
    """A warning or error in ``lang`` (the importer's findings say themselves in both)."""
    text = getattr(problem, "text", None)
    return str(text(lang)) if callable(text) else problem.message


def error_text(error: Exception, lang: Lang = "vi") -> str:
    """An error's message in ``lang`` when it can say it (the importer's), else ``str``."""
    text = getattr(error, "text", None)
    return str(text(lang)) if callable(text) else str(error)


def _reason(row: dict[str, Any], lang: Lang) -> str:
    return str(row.get(f"reason_{lang}") or row.get("reason_en") or row.get("reason_vi") or "")


def report_lines(payload: dict[str, Any], *, lang: Lang = "vi", limit: int = 50) -> list[str]:
    """Plain-text lines of a :func:`report_payload` for the terminal."""
    lines = [
        f"{t('report.file', lang)}: {payload['file']} (sha256 {payload['sha256'][:12]}…)",
        f"{t('report.family', lang)}: {payload['family']} · {t('app.period', lang)} "
        f"{payload['period']} · {payload['vintage']}"
        + (f" · {payload['encoding']}" if payload.get("encoding") else ""),
        f"{t('report.accepted', lang)}: {payload['accepted']}",
        f"{t('report.rejected', lang)}: {payload['rejected']}",
    ]
    if payload.get(f"stored_as_{lang}"):
        lines.insert(2, payload[f"stored_as_{lang}"])
    for row in payload["rejected_rows"][:limit]:
        value = "" if row.get("value") is None else f" {row['value']!r}"
        lines.append(
            f"  {t('report.row', lang)} {row.get('source_row')}, {row.get('column')}{value}: "
            f"{_reason(row, lang)}"
        )
    if payload["rejected"] > limit:
        lines.append(f"  … (+{payload['rejected'] - limit})")
    lines.append(f"{t('report.skipped', lang)}: {payload['skipped']}")
    for row in payload["skipped_rows"][:limit]:
        lines.append(
            f"  {t('report.row', lang)} {row.get('source_row')}: {row.get('text')!r} — "
            f"{_reason(row, lang)}"
        )
    lines.append(f"{t('report.warnings', lang)}: {len(payload['warnings'])}")
    lines += [
        f"  {w['where'] + ': ' if w['where'] else ''}{w[f'message_{lang}']}"
        for w in payload["warnings"]
    ]
    return lines


def rejected_frame(report: ReportView, lang: Lang = "vi") -> pd.DataFrame:
    """Rejected rows with localised headers and the reason in ``lang``."""
    rejected = report.rejected
    return pd.DataFrame(
        {
            t("report.row", lang): rejected.get("source_row", pd.Series(dtype="Int64")),
            t("report.column", lang): rejected.get("column", pd.Series(dtype=object)),
            t("report.value", lang): rejected.get("value", pd.Series(dtype=object)),
            t("report.reason", lang): rejected.get(f"reason_{lang}", pd.Series(dtype=object)),
        }
    )


def skipped_frame(report: ReportView, lang: Lang = "vi") -> pd.DataFrame:
    """Skipped rows (totals, subtotals…) with localised headers."""
    skipped = report.skipped
    return pd.DataFrame(
        {
            t("report.row", lang): skipped.get("source_row", pd.Series(dtype="Int64")),
            t("report.text", lang): skipped.get("text", pd.Series(dtype=object)),
            t("report.reason", lang): skipped.get(f"reason_{lang}", pd.Series(dtype=object)),
        }
    )


def warnings_frame(report: ReportView, lang: Lang = "vi") -> pd.DataFrame:
    """Warnings: where and what."""
    return pd.DataFrame(
        {
            t("report.where", lang): [p.where for p in report.warnings],
            t("report.message", lang): [problem_text(p, lang) for p in report.warnings],
        }
    )


def batches_frame(batches: Sequence[Batch], lang: Lang = "vi") -> pd.DataFrame:
    """The batch history as a display table (newest first, as given)."""
    return pd.DataFrame(
        {
            t("batches.id", lang): [b.id for b in batches],
            t("batches.status", lang): [t(f"batches.status_{b.status}", lang) for b in batches],
            t("report.family", lang): [FAMILIES[b.family].label(lang) for b in batches],
            t("app.period", lang): [b.period for b in batches],
            t("report.accepted", lang): [b.accepted for b in batches],
            t("report.rejected", lang): [b.rejected for b in batches],
            t("report.skipped", lang): [b.skipped for b in batches],
            t("report.file", lang): [b.file_name for b in batches],
            t("batches.created_at", lang): [
                b.created_at.strftime("%Y-%m-%d %H:%M") for b in batches
            ],
            t("batches.user", lang): [b.user for b in batches],
            t("batches.origin", lang): [t(f"batches.origin_{b.origin}", lang) for b in batches],
            t("batches.rolled_back", lang): [
                f"{b.rolled_back_by} · {b.rolled_back_at:%Y-%m-%d %H:%M}"
                if b.rolled_back_at is not None
                else ""
                for b in batches
            ],
        }
    )
