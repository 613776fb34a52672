"""``python -m geo import | batches | rollback | delete | template`` against a real store.

Uses the importer (``geo.figures.importing``) when it is there; until then a stand-in with the same
contract that checks each row with ``geo.figures.indicators.read_family``.
"""

from __future__ import annotations

import hashlib
import io
import json
import sys
from pathlib import Path

import pandas as pd
import pytest
from store_fixtures import stand_in_importing

from geo.cli.commands import main
from geo.figures.auth import add_user
from geo.figures.indicators import family_csv_text, load_demo
from geo.figures.store import Store

DEMO = load_demo()


@pytest.fixture(autouse=True)
def importer(monkeypatch):
    """The real ``geo.figures.importing`` if it exists, else the stand-in."""
    try:
        import geo.figures.importing  # noqa: F401
    except ModuleNotFoundError:
        monkeypatch.setitem(sys.modules, "geo.figures.importing", stand_in_importing())


@pytest.fixture
def sqlite_url(tmp_path):
    return f"sqlite:///{tmp_path / 'atlas.sqlite'}"


def _write(
    tmp_path, name: str, family: str, rows: pd.DataFrame, *, bad: dict | None = None
) -> Path:
    """Write rows as CSV; ``bad={(row_index, column): text}`` puts wrong text in cells."""
    frame = pd.read_csv(
        io.StringIO(family_csv_text(rows, family)), dtype=str, keep_default_na=False
    )
    for (index, column), text in (bad or {}).items():
        frame.loc[index, column] = text
    path = tmp_path / name
    path.write_text(frame.to_csv(index=False, lineterminator="\n"), encoding="utf-8")
    return path


def _models(codes: list[str], economy: int = 42) -> pd.DataFrame:
    rows = DEMO["models"].query("period == 2024 and commune_code in @codes").reset_index(drop=True)
    rows["models_economy"] = economy
    return rows


def _run_json(capsys, *argv: str) -> tuple[int, dict]:
    code = main([*argv, "--json"])
    out = capsys.readouterr().out
    return code, json.loads(out) if out.strip() else {}


def test_import_prints_json_and_stores_a_batch(tmp_path, db_url, capsys):
    path = _write(tmp_path, "models_2024.csv", "models", _models(["04789", "04792"]))
    argv = ["import", str(path), "--family", "models", "--period", "2024", "--db", db_url]
    code, payload = _run_json(capsys, *argv)
    assert code == 0
    assert payload["accepted"] == 2 and payload["rejected"] == 0
    assert payload["rejected_rows"] == [] and payload["warnings"] == []
    assert isinstance(payload["batch_id"], int) and payload["dry_run"] is False
    assert payload["batch"]["user"].startswith("os:")  # the shell user, trusted
    assert payload["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()

    code, listing = _run_json(capsys, "batches", "--db", db_url)
    assert code == 0
    assert listing["batches"][0]["id"] == payload["batch_id"]
    assert len(listing["batches"]) == 33  # 32 demo batches seeded first
    store = Store(db_url)
    current = store.current_tables()["models"].query("period == 2024")
    assert current.set_index("commune_code").loc["04789", "models_economy"] == 42
    store.dispose()


def test_rejected_rows_are_listed_with_their_reason(tmp_path, sqlite_url, capsys):
    rows = _models(["04789", "04792", "04795"])
    path = _write(tmp_path, "mixed.csv", "models", rows, bad={(1, "models_economy"): "-3"})
    code, payload = _run_json(
        capsys, "import", str(path), "--family", "models", "--period", "2024", "--db", sqlite_url
    )
    assert code == 0
    assert (payload["accepted"], payload["rejected"]) == (2, 1)
    rejected = payload["rejected_rows"][0]
    assert rejected["source_row"] == 3 and rejected["column"] == "models_economy"
    assert rejected["reason_en"] and rejected["reason_vi"]


def test_text_report_and_dry_run_write_nothing(tmp_path, capsys):
    db = tmp_path / "dry.sqlite"
    path = _write(tmp_path, "models.csv", "models", _models(["04789"]))
    argv = ["import", str(path), "--family", "models", "--period", "2024", "--dry-run"]
    assert main([*argv, "--db", f"sqlite:///{db}", "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "Accepted: 1" in out and "Dry run: nothing was stored." in out
    assert not db.exists()


def test_nothing_importable_exits_non_zero(tmp_path, sqlite_url, capsys):
    path = _write(
        tmp_path, "bad.csv", "models", _models(["04789"]), bad={(0, "models_economy"): "x"}
    )
    argv = ["import", str(path), "--family", "models", "--period", "2024", "--db", sqlite_url]
    code, payload = _run_json(capsys, *argv)
    assert code == 1
    assert payload["accepted"] == 0 and payload["rejected"] >= 1 and payload["batch_id"] is None
    assert main(["batches", "--db", sqlite_url]) == 0
    assert "32 batches" in capsys.readouterr().out


def test_reimport_is_refused_unless_forced(tmp_path, sqlite_url, capsys):
    path = _write(tmp_path, "models.csv", "models", _models(["04789"]))
    argv = ["import", str(path), "--family", "models", "--period", "2024", "--db", sqlite_url]
    first = _run_json(capsys, *argv)[1]["batch_id"]
    code = main(argv)
    captured = capsys.readouterr()
    assert code == 1 and f"batch {first}" in captured.err
    code, payload = _run_json(capsys, *argv, "--force")
    assert code == 0 and payload["batch_id"] > first


def test_rollback_and_delete(tmp_path, sqlite_url, capsys):
    path = _write(tmp_path, "models.csv", "models", _models(["04789"]))
    argv = ["import", str(path), "--family", "models", "--period", "2024", "--db", sqlite_url]
    batch = _run_json(capsys, *argv)[1]["batch_id"]
    assert main(["delete", str(batch), "--db", sqlite_url]) == 1
    assert "roll it back first" in capsys.readouterr().err
    assert main(["rollback", str(batch), "--db", sqlite_url]) == 0
    assert "rolled back" in capsys.readouterr().out
    assert main(["rollback", str(batch), "--db", sqlite_url]) == 1
    capsys.readouterr()
    listing = _run_json(capsys, "batches", "--db", sqlite_url)[1]["batches"]
    assert listing[0]["status"] == "rolled_back" and listing[0]["rolled_back_by"].startswith("os:")
    assert main(["delete", str(batch), "--db", sqlite_url]) == 0
    assert "deleted" in capsys.readouterr().out
    listing = _run_json(capsys, "batches", "--db", sqlite_url)[1]["batches"]
    assert batch not in [b["id"] for b in listing]


def test_user_option_checks_the_planner_password(tmp_path, sqlite_url, monkeypatch, capsys):
    accounts = tmp_path / "accounts.toml"
    add_user("lan", "mật-khẩu-đủ-dài", path=accounts)
    monkeypatch.setenv("ATLAS_ACCOUNTS", str(accounts))
    path = _write(tmp_path, "models.csv", "models", _models(["04789"]))
    argv = ["import", str(path), "--family", "models", "--period", "2024", "--db", sqlite_url]

    monkeypatch.setenv("ATLAS_PASSWORD", "sai mật khẩu")
    assert main([*argv, "--user", "lan"]) == 1
    assert "wrong user name or password" in capsys.readouterr().err
    assert main([*argv, "--user", "nobody"]) == 1
    assert "wrong user name or password" in capsys.readouterr().err

    monkeypatch.setenv("ATLAS_PASSWORD", "mật-khẩu-đủ-dài")
    code, payload = _run_json(capsys, *argv, "--user", "lan")
    assert code == 0 and payload["batch"]["user"] == "lan"
    assert payload["batch"]["auth_method"] == "password"


def test_template_writes_a_workbook(tmp_path, capsys):
    pytest.importorskip(
        "geo.figures.templates", reason="geo.figures.templates (the importer's) not there yet"
    )
    out = tmp_path / "mau.xlsx"
    assert main(["template", "--family", "ntm", "--out", str(out), "--period", "2024"]) == 0
    assert out.read_bytes()[:2] == b"PK"


# --- hostile files: one line with the file and the reason, never a traceback --------------------


def _one_line_error(capsys, path: Path, *extra: str) -> str:
    code = main(["import", str(path), "--family", "models", "--period", "2024", *extra])
    err = capsys.readouterr().err
    assert code == 1
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert path.name in err
    return err


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("Mã xã," + ",".join(f"c{i}" for i in range(20_000)) + "\n4789,3\n", "column 1,001"),
        ("Mã xã,Kinh tế\n4789," + "9" * 140_000 + "\n", "131,072 characters"),
        ('Mã xã,Kinh tế\n4789,"3\n', "never closed"),
        ("Mã xã,Kinh tế\n4789,3\x00\n", "NUL"),
    ],
)
def test_hostile_csv_gives_one_line(tmp_path, capsys, content, words):
    path = tmp_path / "hostile.csv"
    path.write_text(content, encoding="utf-8")
    assert words in _one_line_error(capsys, path, "--lang", "en", "--dry-run")


def test_hostile_xlsx_gives_one_line_in_vietnamese(tmp_path, capsys):
    import zipfile

    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["Mã xã", "Kinh tế"])
    book.active.append([4789, 3])
    plain = io.BytesIO()
    book.save(plain)
    xxe = (
        '<?xml version="1.0"?><!DOCTYPE s [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        "<fonts><font><name val='&x;'/></font></fonts></styleSheet>"
    )
    path = tmp_path / "xxe.xlsx"
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(path, "w") as target:
        for name in source.namelist():
            data = source.read(name)
            target.writestr(name, xxe if name == "xl/styles.xml" else data)
    assert "tấn công" in _one_line_error(capsys, path, "--dry-run")


def test_counts_above_int64_are_rejected_rows_not_a_crash(tmp_path, capsys):
    path = tmp_path / "big.csv"
    path.write_text("Mã xã,Kinh tế,Dân số\n4789,3,1e308\n5233,99999999999999999999,1\n")
    code, payload = _run_json(
        capsys, "import", str(path), "--family", "models", "--period", "2024", "--dry-run"
    )
    assert code == 1 and payload["accepted"] == 0 and payload["rejected"] == 2


@pytest.mark.parametrize(
    ("option", "words"), [("--period=1800", "1900"), ("--vintage=1999", "2020-2025")]
)
def test_bad_period_or_vintage_is_a_usage_error(tmp_path, capsys, option, words):
    path = _write(tmp_path, "models.csv", "models", _models(["04789"]))
    argv = ["import", str(path), "--family", "models", "--period", "2024", option]
    with pytest.raises(SystemExit) as caught:
        main(argv)
    err = capsys.readouterr().err
    assert caught.value.code == 2 and words in err and "Traceback" not in err


def test_an_unexpected_error_is_one_line(tmp_path, capsys, monkeypatch):
    import geo.figures.importing as importing

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(importing, "import_file", broken)
    path = _write(tmp_path, "models.csv", "models", _models(["04789"]))
    code = main(["import", str(path), "--family", "models", "--period", "2024", "--lang", "en"])
    err = capsys.readouterr().err
    assert code == 2 and "models.csv" in err and "RuntimeError: boom" in err
    assert len(err.strip().splitlines()) == 1


def test_a_2026_ntm_file_says_its_vintage_and_rejects_criteria_above_the_set(tmp_path, capsys):
    path = tmp_path / "ntm_2026.csv"
    path.write_text(
        "Mã xã,Tên xã,Mức đạt NTM,Số tiêu chí đạt,TC1\n"
        "05200,Xã Mai Châu,Chưa đạt,12,x\n"
        "04846,Xã Đức Nhàn,Chưa đạt,1,x\n",
        encoding="utf-8",
    )
    argv = ["import", str(path), "--family", "ntm", "--period", "2026", "--dry-run"]
    assert main([*argv, "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert (
        "Stored under the 2025 units (no districts), recognised from the file's commune codes; "
        "2026–2030 criteria set"
    ) in out
    assert "Row 2, criteria_met '12': Column “Criteria met”: criteria met is above the 10" in out
    assert main([*argv, "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert (payload["vintage"], payload["vintage_source"], payload["criteria_set"]) == (
        "2025",
        "codes",
        "2026-2030",
    )
    assert payload["rejected_rows"][0]["source_row"] == 2
