"""Fixtures of the figure store, imported by ``tests/conftest.py``.

* ``postgres_url`` (session): ``$ATLAS_TEST_POSTGRES_URL`` when a server answers there, else the
  test is skipped with the reason (``bash .ci/run`` starts one; see ``scripts/ci_postgres.sh``).
* ``db_url``: one store test over two databases, like pyogrio runs one test over formats —
  ``sqlite`` (a file in ``tmp_path``) and ``postgresql`` (a fresh schema, dropped afterwards).
* ``postgres_schema(base)``: a context manager giving the URL of a fresh schema (dropped after).
* ``make_report``: a stand-in for :class:`geo.figures.importing.ImportReport` built from a family
frame.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import types
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import sqlalchemy as sa

from geo.errors import DataError, Problem
from geo.figures.indicators import FAMILIES, family_csv_text, read_family

POSTGRES_URL_ENV = "ATLAS_TEST_POSTGRES_URL"


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """A reachable PostgreSQL URL, or a skip that says why there is none."""
    from geo.figures.store import database_url

    url = os.environ.get(POSTGRES_URL_ENV)
    if not url:
        pytest.skip(f"{POSTGRES_URL_ENV} is not set (bash .ci/run starts a PostgreSQL)")
    engine = sa.create_engine(database_url(url), connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
    except sa.exc.OperationalError as exc:
        pytest.skip(f"PostgreSQL at {POSTGRES_URL_ENV} is not reachable: {exc.orig}")
    finally:
        engine.dispose()
    return database_url(url)


@contextlib.contextmanager
def postgres_schema(base: str, *, prefix: str = "test") -> Iterator[str]:
    """The URL of a fresh schema in the PostgreSQL at ``base`` (dropped on exit)."""
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(base)
    with admin.begin() as connection:
        connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
    url = sa.make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[str]:
    """A URL of an empty database: SQLite file, or a PostgreSQL schema of its own."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'atlas.sqlite'}"
        return
    with postgres_schema(request.getfixturevalue("postgres_url")) as url:
        yield url


@dataclass(frozen=True)
class FakeReport:
    """The fields of ``geo.figures.importing.ImportReport`` the store and the views use."""

    family: str
    period: int
    vintage: str
    file_name: str
    sha256: str
    accepted: pd.DataFrame
    rejected: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(
            columns=["source_row", "column", "value", "reason_vi", "reason_en"]
        )
    )
    skipped: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(
            columns=["source_row", "text", "reason_vi", "reason_en"]
        )
    )
    warnings: list[Problem] = field(default_factory=list)
    encoding: str = "utf-8"

    def summary(self) -> dict[str, Any]:
        return {
            "family": self.family,
            "period": self.period,
            "accepted": len(self.accepted),
            "rejected": len(self.rejected),
            "skipped": len(self.skipped),
        }


def build_report(
    family: str,
    frame: pd.DataFrame,
    *,
    period: int | None = None,
    file_name: str = "upload.csv",
    salt: str = "",
    **extra: Any,
) -> FakeReport:
    """A report whose accepted rows are ``frame`` (sha256 of its canonical CSV + ``salt``)."""
    accepted = frame.reset_index(drop=True).copy()
    if "source_row" not in accepted.columns:
        accepted["source_row"] = range(2, len(accepted) + 2)
    text = family_csv_text(accepted, family) + salt
    periods = sorted({int(p) for p in accepted["period"]}) if len(accepted) else []
    return FakeReport(
        family=family,
        period=period if period is not None else periods[0],
        vintage="2020-2025",
        file_name=file_name,
        sha256=hashlib.sha256(text.encode()).hexdigest(),
        accepted=accepted,
        **extra,
    )


def _stand_in_import_file(
    source: Any,
    *,
    family: str,
    period: int,
    file_name: str | None = None,
    province_codes: str = "17",
    vintage: str = "2020-2025",
    sheet: str | None = None,
) -> FakeReport:
    data = Path(source).read_bytes() if not hasattr(source, "read") else source.read()
    lines = data.decode("utf-8-sig").splitlines()
    header, body = lines[0], lines[1:]
    accepted, rejected = [], []
    for number, line in enumerate(body, start=2):
        try:
            row = read_family(io.StringIO(f"{header}\n{line}\n"), family)
        except DataError as error:
            for problem in error.problems or [Problem("", error.where, error.message)]:
                rejected.append(
                    {
                        "source_row": number,
                        "column": problem.where.rpartition("column ")[2],
                        "value": None,
                        "reason_vi": problem.message,
                        "reason_en": problem.message,
                    }
                )
            continue
        row["source_row"] = number
        accepted.append(row)
    columns = ["source_row", "column", "value", "reason_vi", "reason_en"]
    return FakeReport(
        family=family,
        period=period,
        vintage=vintage,
        file_name=file_name or Path(source).name,
        sha256=hashlib.sha256(data).hexdigest(),
        accepted=pd.concat(accepted, ignore_index=True) if accepted else _empty(family),
        rejected=pd.DataFrame(rejected, columns=columns),
    )


def _empty(family: str) -> pd.DataFrame:
    return read_family(io.StringIO(",".join(FAMILIES[family].column_names) + "\n"), family)


def stand_in_importing() -> types.ModuleType:
    """A ``geo.figures.importing`` stand-in until the importer lands: same contract, row by row
    checks
    with :func:`geo.figures.indicators.read_family` (CSV only)."""
    module = types.ModuleType("geo.figures.importing")
    module.import_file = _stand_in_import_file  # type: ignore[attr-defined]
    module.rejected_workbook = _stand_in_rejected_workbook  # type: ignore[attr-defined]
    return module


def _stand_in_rejected_workbook(report: FakeReport, *, lang: str = "vi") -> bytes:
    buffer = io.BytesIO()
    report.rejected.to_excel(buffer, index=False)
    return buffer.getvalue()


@pytest.fixture
def make_report() -> Callable[..., FakeReport]:
    """Factory: ``make_report(family, frame, *, period=None, file_name=..., salt="")``."""
    return build_report
