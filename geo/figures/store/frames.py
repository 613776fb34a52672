"""Family frames to database rows and back, with the dtypes of the family schema.

Examples
--------
>>> from geo.figures.indicators import FAMILIES, load_demo
>>> demo = load_demo()["ntm"].head(2)
>>> records = batch_records(demo, FAMILIES["ntm"], batch_id=7)
>>> records[0]["batch_id"], records[0]["source_row"], records[1]["source_row"]
(7, 2, 3)
>>> back = coerce(pd.DataFrame(records), FAMILIES["ntm"])
>>> back.dtypes.equals(demo.dtypes)
True
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from geo.figures.indicators import Family
from geo.figures.store.schema import OPTIONAL_COLUMNS, SOURCE_ROW

__all__ = ["batch_records", "coerce", "read_frame"]


def coerce(frame: pd.DataFrame, spec: Family) -> pd.DataFrame:
    """The family columns of ``frame`` with the dtypes :func:`geo.figures.indicators.read_family`
    gives."""
    out: dict[str, Any] = {}
    for column in spec.columns:
        values = pd.Series(frame[column.name].to_numpy(dtype=object), dtype=object)
        values = values.where(values.notna(), None)
        dtype = column.dtype
        if isinstance(dtype, pd.CategoricalDtype):
            out[column.name] = pd.Categorical(
                values, categories=dtype.categories, ordered=dtype.ordered
            )
        elif dtype == "bool":
            out[column.name] = values.fillna(False).astype(bool)
        elif dtype == "float64":
            out[column.name] = pd.to_numeric(values, errors="raise").astype("float64")
        elif dtype in ("int64", "Int64"):
            out[column.name] = pd.array([None if v is None else int(v) for v in values], dtype)
        else:
            out[column.name] = values.astype(dtype)
    return pd.DataFrame(out, index=range(len(frame)))


def _python(value: object) -> object:
    """A database-friendly scalar: ``None`` for missing, Python numbers, plain strings."""
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value


def batch_records(accepted: pd.DataFrame, spec: Family, batch_id: int) -> list[dict[str, Any]]:
    """The rows of ``rows_<family>`` for ``accepted``: ``source_row`` kept, else counted from 2
    (the first data row of a spreadsheet)."""
    typed = coerce(accepted, spec)
    if SOURCE_ROW in accepted.columns:
        typed[SOURCE_ROW] = pd.array(accepted[SOURCE_ROW].to_numpy(), dtype="Int64")
    else:
        typed[SOURCE_ROW] = pd.array(range(2, len(typed) + 2), dtype="Int64")
    optional = [name for name in OPTIONAL_COLUMNS.get(spec.name, ()) if name in accepted.columns]
    for name in optional:
        typed[name] = pd.array(accepted[name].to_numpy(), dtype="boolean")
    names = [SOURCE_ROW, *spec.column_names, *optional]
    columns = {name: typed[name].astype(object).tolist() for name in names}
    return [
        {"batch_id": batch_id, **{name: _python(columns[name][i]) for name in names}}
        for i in range(len(typed))
    ]


def read_frame(
    connection: Connection, query: sa.Select[Any], spec: Family, *, extra: Sequence[str] = ()
) -> pd.DataFrame:
    """The family frame a query of a rows table gives (``extra`` columns as ``Int64``).

    Optional columns (:data:`~geo.figures.store.schema.OPTIONAL_COLUMNS`: the per-criterion
    columns of NTM) come along, as nullable booleans, only when some row has a value in them.
    """
    result = connection.execute(query).mappings().all()
    raw = pd.DataFrame(
        {name: [row[name] for row in result] for name in (*spec.column_names, *extra)}
    )
    table = coerce(raw, spec)
    for name in extra:
        table[name] = pd.array(raw[name].tolist(), dtype="Int64")
    for name in OPTIONAL_COLUMNS.get(spec.name, ()):
        values = [row.get(name) for row in result]
        if any(value is not None for value in values):
            table[name] = pd.array(values, dtype="boolean")
    return table
