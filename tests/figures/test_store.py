"""The figure store, one suite over SQLite and PostgreSQL (``db_url`` is parametrised).

PostgreSQL runs skip with a reason when ``ATLAS_TEST_POSTGRES_URL`` is not reachable.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import threading
import time
from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest
import sqlalchemy as sa
from repo_paths import REPO_ROOT

from geo.errors import AccessDeniedError, DuplicateImportError, StoreError
from geo.figures.auth import Planner
from geo.figures.indicators import FAMILY_NAMES, load_demo
from geo.figures.store import (
    ORIGIN_DEMO,
    ORIGIN_IMPORT,
    STATUS_ACTIVE,
    STATUS_ROLLED_BACK,
    Store,
    database_url,
    open_store,
)

LAN = Planner("lan", "password")
TUAN = Planner("tuan", "password")
DEMO = load_demo()


def _demo(family: str, period: int, codes: list[str] | None = None) -> pd.DataFrame:
    table = DEMO[family]
    rows = table[table["period"] == period]
    if codes is not None:
        rows = rows[rows["commune_code"].isin(codes)]
    return rows.reset_index(drop=True)


def _models_2024_edit(codes: list[str], economy: int) -> pd.DataFrame:
    rows = _demo("models", 2024, codes)
    rows["models_economy"] = pd.array([economy] * len(rows), dtype="Int64")
    return rows


def _state(store: Store) -> tuple[list[tuple[int, str]], dict[str, int], int]:
    """What must not change after a failed import: batches, row counts, revision."""
    with store.engine.connect() as connection:
        counts = {
            name: connection.scalar(sa.text(f"SELECT count(*) FROM rows_{name}"))
            for name in FAMILY_NAMES
        }
    return [(b.id, b.status) for b in store.batches()], counts, store.revision()


@pytest.fixture
def store(db_url):
    store = Store(db_url)
    store.ensure_seeded()
    yield store
    store.dispose()


# --- seeding and round trip ----------------------------------------------------------------------


def test_seed_is_the_demo_data_with_schema_dtypes(store):
    batches = store.batches()
    assert len(batches) == 4 * 8  # four families × periods 2019–2026
    assert {(b.user, b.origin, b.status) for b in batches} == {("system", ORIGIN_DEMO, "active")}
    assert sorted({b.period for b in batches}) == list(range(2019, 2027))
    tables = store.current_tables()
    assert list(tables) == list(FAMILY_NAMES)
    for family in FAMILY_NAMES:
        pd.testing.assert_frame_equal(tables[family], DEMO[family])


def test_seeding_happens_once(store):
    assert store.ensure_seeded() == []
    # Even with every batch gone, a seeded database is not seeded again.
    for batch in store.batches():
        store.rollback(batch.id, user=LAN)
        store.delete_batch(batch.id, user=LAN)
    assert store.ensure_seeded() == []
    assert store.batches() == []
    assert all(len(table) == 0 for table in store.current_tables().values())


def test_open_store_uses_env_url(db_url, monkeypatch):
    monkeypatch.setenv("ATLAS_DB_URL", db_url)
    assert database_url() == db_url
    store = open_store()
    try:
        assert len(store.batches()) == 32
    finally:
        store.dispose()


def test_database_url_defaults_and_postgres_aliases(monkeypatch):
    monkeypatch.delenv("ATLAS_DB_URL", raising=False)
    assert database_url().startswith("sqlite:///") and database_url().endswith("atlas.sqlite")
    assert database_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert database_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"


# --- imports -------------------------------------------------------------------------------------


def test_import_replaces_the_communes_it_contains_and_keeps_the_others(store, make_report):
    before = store.current_tables()["models"]
    report = make_report("models", _models_2024_edit(["04789", "04792"], 99), file_name="m.csv")
    batch = store.import_report(report, user=LAN)

    assert batch.active and batch.origin == ORIGIN_IMPORT
    assert (batch.family, batch.period, batch.file_name) == ("models", 2024, "m.csv")
    assert (batch.accepted, batch.rejected, batch.skipped) == (2, 0, 0)
    assert batch.user == "lan" and batch.auth_method == "password"
    assert batch.sha256 == report.sha256
    assert batch.created_at.tzinfo is not None
    assert abs(batch.created_at - datetime.now(UTC)) < timedelta(minutes=1)

    after = store.current_tables()["models"]
    assert len(after) == len(before)
    changed = after[(after["period"] == 2024) & after["commune_code"].isin(["04789", "04792"])]
    assert changed["models_economy"].tolist() == [99, 99]
    unchanged = ~((after["period"] == 2024) & after["commune_code"].isin(["04789", "04792"]))
    pd.testing.assert_frame_equal(
        after[unchanged].reset_index(drop=True),
        before[unchanged].reset_index(drop=True),
    )
    pd.testing.assert_frame_equal(after.dtypes.to_frame(), before.dtypes.to_frame())
    sources = store.current_sources()
    mine = sources[sources["batch_id"] == batch.id]
    assert sorted(mine["commune_code"]) == ["04789", "04792"]
    assert set(mine["origin"]) == {ORIGIN_IMPORT}


def test_named_models_of_a_commune_are_replaced_as_a_whole(store, make_report):
    rows = _demo("named_models", 2024, ["04792"])
    assert len(rows) > 1
    kept = rows.iloc[:1].copy()
    kept["model_name"] = "Mô hình mới"
    store.import_report(make_report("named_models", kept), user=LAN)
    current = store.current_tables()["named_models"]
    commune = current[(current["period"] == 2024) & (current["commune_code"] == "04792")]
    assert commune["model_name"].tolist() == ["Mô hình mới"]
    other = current[(current["period"] == 2024) & (current["commune_code"] == "04795")]
    assert len(other) == len(_demo("named_models", 2024, ["04795"]))


def test_missing_values_keep_their_types(store, make_report):
    rows = _demo("ntm", 2023, ["04789", "04825"])
    rows["ntm_level"] = pd.Categorical([None, "not_yet"], dtype=rows["ntm_level"].dtype)
    rows["criteria_met"] = pd.array([None, 7], dtype="Int64")
    rows["ntm_year"] = pd.array([None, None], dtype="Int64")
    batch = store.import_report(make_report("ntm", rows), user=TUAN)
    back = store.batch_rows(batch.id)
    assert back["criteria_met"].tolist()[1] == 7 and back["criteria_met"].isna().tolist()[0]
    assert back["ntm_level"].dtype == DEMO["ntm"]["ntm_level"].dtype
    assert back["source_row"].tolist() == [2, 3]
    pd.testing.assert_frame_equal(back.drop(columns="source_row"), rows)


def test_reimport_of_the_same_file_is_refused_unless_forced(store, make_report):
    report = make_report("land", _demo("land", 2022, ["04813"]), file_name="land.xlsx")
    first = store.import_report(report, user=LAN)
    state = _state(store)
    with pytest.raises(DuplicateImportError, match=f"batch {first.id}"):
        store.import_report(report, user=TUAN)
    assert _state(store) == state
    # Another period, or another family, is not the same import.
    forced = store.import_report(report, user=LAN, force=True)
    assert forced.id > first.id
    # After a rollback the file may come back.
    store.rollback(forced.id, user=LAN)
    store.rollback(first.id, user=LAN)
    again = store.import_report(report, user=LAN)
    assert again.active


def test_nothing_to_import_and_wrong_period_are_refused(store, make_report):
    empty = make_report("models", _demo("models", 2024).iloc[:0], period=2024)
    with pytest.raises(StoreError, match="no rows"):
        store.import_report(empty, user=LAN)
    wrong = make_report("models", _demo("models", 2023, ["04789"]), period=2024)
    with pytest.raises(StoreError, match="period"):
        store.import_report(wrong, user=LAN)


# --- access --------------------------------------------------------------------------------------


@pytest.mark.parametrize("viewer", [None, "lan", {"name": "lan"}])
def test_a_viewer_cannot_change_anything(store, make_report, viewer):
    state = _state(store)
    report = make_report("models", _models_2024_edit(["04789"], 1))
    with pytest.raises(AccessDeniedError):
        store.import_report(report, user=viewer)
    with pytest.raises(PermissionError):  # also a PermissionError for generic callers
        store.rollback(state[0][0][0], user=viewer)
    with pytest.raises(AccessDeniedError):
        store.delete_batch(state[0][0][0], user=viewer)
    assert _state(store) == state


# --- rollback and delete -------------------------------------------------------------------------


def test_rollback_restores_the_previous_view_and_keeps_the_rows(store, make_report):
    before = store.current_tables()
    first = store.import_report(
        make_report("models", _models_2024_edit(["04789", "04792"], 50)), user=LAN
    )
    middle = store.current_tables()
    second = store.import_report(
        make_report("models", _models_2024_edit(["04792", "04795"], 70)), user=TUAN
    )
    rolled = store.rollback(second.id, user=LAN)
    assert rolled.status == STATUS_ROLLED_BACK and rolled.rolled_back_by == "lan"
    assert rolled.rolled_back_at is not None
    for family in FAMILY_NAMES:
        pd.testing.assert_frame_equal(store.current_tables()[family], middle[family])
    # Rolling back an older batch while a newer one is rolled back: back to the seed.
    store.rollback(first.id, user=LAN)
    for family in FAMILY_NAMES:
        pd.testing.assert_frame_equal(store.current_tables()[family], before[family])
    # Rows are kept (a rollback is a status change).
    assert len(store.batch_rows(second.id)) == 2
    with pytest.raises(StoreError, match="rolled back"):
        store.rollback(second.id, user=LAN)
    with pytest.raises(StoreError, match="no batch"):
        store.rollback(10_000, user=LAN)


def test_only_rolled_back_batches_can_be_deleted(store, make_report):
    batch = store.import_report(make_report("models", _models_2024_edit(["04789"], 3)), user=LAN)
    with pytest.raises(StoreError, match="roll it back first"):
        store.delete_batch(batch.id, user=LAN)
    store.rollback(batch.id, user=LAN)
    view = store.current_tables()["models"]
    store.delete_batch(batch.id, user=TUAN)
    assert batch.id not in [b.id for b in store.batches()]
    with pytest.raises(StoreError, match="no batch"):
        store.batch_rows(batch.id)
    pd.testing.assert_frame_equal(store.current_tables()["models"], view)


def test_revision_changes_with_every_write(store, make_report):
    seen = [store.revision()]
    batch = store.import_report(make_report("models", _models_2024_edit(["04789"], 3)), user=LAN)
    seen.append(store.revision())
    store.rollback(batch.id, user=LAN)
    seen.append(store.revision())
    store.delete_batch(batch.id, user=LAN)
    seen.append(store.revision())
    assert seen == sorted(set(seen))


def test_batches_filter_and_order(store, make_report):
    store.import_report(make_report("land", _demo("land", 2021, ["04813"])), user=LAN)
    land = store.batches("land")
    assert [b.id for b in land] == sorted((b.id for b in land), reverse=True)
    assert [b.period for b in store.batches("land", 2021)] == [2021, 2021]
    assert len(store.batches(status=STATUS_ACTIVE)) == 33
    assert json.loads(json.dumps(land[0].to_dict()))["user"] == "lan"


# --- all or nothing ------------------------------------------------------------------------------


def test_an_error_half_way_leaves_nothing(db_url, make_report):
    store = Store(db_url, chunk_size=10)
    store.ensure_seeded()
    state = _state(store)
    written: list[int] = []

    def fail_after_first_chunk(done: int, total: int) -> None:
        written.append(done)
        if done >= 10:
            raise RuntimeError("disk full (injected)")

    store.progress = fail_after_first_chunk
    report = make_report(
        "models", _models_2024_edit(_demo("models", 2024)["commune_code"][:40].tolist(), 5)
    )
    with pytest.raises(RuntimeError, match="injected"):
        store.import_report(report, user=LAN)
    assert written == [10]  # rows had been sent when it failed
    assert _state(store) == state
    pd.testing.assert_frame_equal(store.current_tables()["models"], DEMO["models"])
    store.progress = None
    assert store.import_report(report, user=LAN).accepted == 40  # and the store still works
    store.dispose()


_KILLED_IMPORT = textwrap.dedent(
    """
    import os, sys
    sys.path.insert(0, {tests!r})
    from geo.figures.auth import Planner
    from geo.figures.indicators import load_demo
    from geo.figures.store import Store
    from store_fixtures import build_report

    rows = load_demo()["models"].query("period == 2024").reset_index(drop=True)
    rows["models_economy"] = 1

    def die(done, total):
        if done >= 20:
            os._exit(17)  # no cleanup, no rollback: as if the process were killed

    store = Store({url!r}, chunk_size=10, progress=die)
    store.import_report(build_report("models", rows), user=Planner("lan", "password"))
    """
)


def test_a_process_killed_half_way_leaves_the_previous_state(db_url, store):
    state = _state(store)
    script = _KILLED_IMPORT.format(tests=str(REPO_ROOT / "tests"), url=db_url)
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO_ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 17, result.stderr
    fresh = Store(db_url)
    try:
        assert _state(fresh) == state
        pd.testing.assert_frame_equal(fresh.current_tables()["models"], DEMO["models"])
        if fresh.dialect == "sqlite":
            with fresh.engine.connect() as connection:
                assert connection.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
        # The lock died with the process: the next import goes through.
        report = __import__("store_fixtures").build_report(
            "models", _models_2024_edit(["04789"], 2)
        )
        assert fresh.import_report(report, user=LAN).active
    finally:
        fresh.dispose()


# --- concurrency ---------------------------------------------------------------------------------


def test_a_second_writer_waits_for_the_first(db_url, store, make_report):
    """Two imports at once, in threads with their own stores: both land, one after the other."""
    inside = threading.Event()
    release = threading.Event()
    finished: dict[str, float] = {}
    errors: list[BaseException] = []

    def slow(done: int, total: int) -> None:
        inside.set()
        release.wait(10)

    def run(name: str, target: Store, report) -> None:
        try:
            target.import_report(report, user=LAN)
            finished[name] = time.monotonic()
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    first_store = Store(db_url, progress=slow)
    second_store = Store(db_url)
    first = threading.Thread(
        target=run,
        args=("first", first_store, make_report("models", _models_2024_edit(["04789"], 11))),
    )
    second = threading.Thread(
        target=run,
        args=("second", second_store, make_report("ntm", _demo("ntm", 2024, ["04789"]))),
    )
    first.start()
    assert inside.wait(10)
    second.start()
    time.sleep(0.5)
    assert "second" not in finished  # it waits for the lock instead of failing
    release.set()
    first.join(30)
    second.join(30)
    assert errors == []
    assert finished["first"] <= finished["second"]
    families = [b.family for b in store.batches()[:2]]
    assert families == ["ntm", "models"]
    first_store.dispose()
    second_store.dispose()


def test_the_same_file_twice_at_once_lands_once(db_url, store, make_report):
    report = make_report("models", _models_2024_edit(["04789", "04792"], 21))
    barrier = threading.Barrier(4)
    outcomes: list[str] = []
    lock = threading.Lock()

    def run() -> None:
        own = Store(db_url)
        barrier.wait()
        try:
            own.import_report(report, user=LAN)
            outcome = "stored"
        except DuplicateImportError:
            outcome = "duplicate"
        finally:
            own.dispose()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(outcomes) == ["duplicate", "duplicate", "duplicate", "stored"]
    assert len(store.batches("models", 2024)) == 2  # the seed and one import


_PROCESS_IMPORT = textwrap.dedent(
    """
    import io, pathlib, sys, time
    sys.path.insert(0, {tests!r})
    from geo.figures.auth import Planner
    from geo.figures.indicators import DEMO_DIR, read_family
    from geo.figures.store import Store
    from store_fixtures import build_report

    family, code, ready, count = sys.argv[1], sys.argv[2], pathlib.Path(sys.argv[3]), 2
    rows = read_family(DEMO_DIR / f"{{family}}.csv", family)
    rows = rows[(rows["period"] == 2024) & (rows["commune_code"] == code)]
    store = Store({url!r})
    # A barrier: every process is ready (imports done, store open) before any writes.
    (ready / code).touch()
    deadline = time.monotonic() + 60
    while len(list(ready.iterdir())) < count and time.monotonic() < deadline:
        time.sleep(0.01)
    batch = store.import_report(build_report(family, rows, salt=code), user=Planner("lan", "p"))
    print(batch.id)
    """
)


def test_two_processes_import_at_once(db_url, store, tmp_path):
    script = _PROCESS_IMPORT.format(tests=str(REPO_ROOT / "tests"), url=db_url)
    ready = tmp_path / "ready"
    ready.mkdir()
    jobs = [
        subprocess.Popen(
            [sys.executable, "-c", script, family, code, str(ready)],
            cwd=REPO_ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for family, code in (("models", "04789"), ("land", "04813"))
    ]
    ids = []
    for job in jobs:
        out, err = job.communicate(timeout=120)
        assert job.returncode == 0, err
        ids.append(int(out.strip()))
    assert len(set(ids)) == 2
    assert sorted(b.id for b in store.batches()[:2]) == sorted(ids)


def test_sqlite_runs_in_wal_mode(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'a.sqlite'}")
    with store.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 1000
    store.dispose()


def test_a_new_schema_column_is_added_to_an_old_table(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    Store(url).dispose()
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.exec_driver_sql("ALTER TABLE rows_models DROP COLUMN population")
    engine.dispose()
    store = Store(url)
    store.ensure_seeded()
    pd.testing.assert_frame_equal(store.current_tables()["models"], DEMO["models"])
    store.dispose()
    assert os.path.exists(tmp_path / "old.sqlite")
