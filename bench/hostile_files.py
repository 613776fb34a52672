"""Peak memory and time of the importer on the big hostile files of issue 14, and near the limits.

Generates, in a temporary folder:

* ``merged_H1_XFD1048576.xlsx``, ``merged_H1_XFD2000.xlsx``: a 2 KB workbook whose title is
  merged over a huge range (openpyxl passed 4 GB on them);
* ``cell_XFD1048576.xlsx``: one cell at the last cell of a sheet;
* ``million_rows.xlsx``: about 44 MB, a million rows of figures (openpyxl passed 6 GB);
* ``empty_rows.csv``: a small table and 4 million empty rows, 28 MB (5.7 GB and 61 s);
* ``near_limit.xlsx`` / ``near_limit.csv``: 99,000 rows of communes, just under the row limit:
  imported in full, so the limits themselves are affordable;
* ``xxe.xlsx``, ``billion_laughs.xlsx``: hostile ``sharedStrings.xml``.

Each file is imported (``import_file(..., family="models", period=2024)``) in a fresh child
process that reports its peak RSS (``VmHWM``) and wall time; the child may use at
most 3 GB of address space, so a regression fails instead of taking the machine down. Prints
PASS/FAIL against 1 GB and 60 s. Not part of the test suite.

Usage::

    python bench/hostile_files.py [--keep DIR] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "figures")]

from hostile_files import BILLION_LAUGHS, TABLE, XXE, raw_xlsx, sheet_xml  # noqa: E402

MEMORY_TARGET_MB = 1024
TIME_TARGET_S = 60
CHILD_ADDRESS_SPACE = 3 * 1024**3
CHILD_TIMEOUT_S = 300


def _codes() -> list[int]:
    from geo.geography.admin_units import communes

    return [int(code) for code in communes("17")["commune_code"]]


def _figure_rows(count: int, first: int, seed: int) -> Iterator[tuple[int, list]]:
    """``count`` data rows from row ``first``: code, name-less figures (random, incompressible)."""
    codes = _codes()
    rng = random.Random(seed)
    for n in range(first, first + count):
        yield (
            n,
            [
                (f"A{n}", codes[n % len(codes)]),
                *((f"{letter}{n}", rng.randrange(100_000)) for letter in "CDEFG"),
            ],
        )


HEADER = (
    3,
    [
        ("A3", "Mã xã"),
        ("C3", "Kinh tế"),
        ("D3", "Văn hóa - xã hội"),
        ("E3", "Quốc phòng - an ninh"),
        ("F3", "Hệ thống chính trị"),
        ("G3", "Dân số"),
    ],
)


def _write_xlsx(path: Path, rows, **options) -> None:
    path.write_bytes(raw_xlsx(sheet_xml(rows, **options)))


def _million_rows(path: Path) -> None:
    _write_xlsx(path, [TABLE[0], HEADER, *_figure_rows(1_000_000, 4, seed=1)])


def _near_limit_xlsx(path: Path) -> None:
    _write_xlsx(path, [TABLE[0], HEADER, *_figure_rows(99_000, 4, seed=2)])


def _near_limit_csv(path: Path) -> None:
    codes = _codes()
    rng = random.Random(3)
    with path.open("w", encoding="utf-8") as out:
        out.write("Mã xã,Kinh tế,Văn hóa - xã hội,Quốc phòng - an ninh,Hệ thống chính trị,Dân số\n")
        for n in range(99_000):
            figures = ",".join(str(rng.randrange(100_000)) for _ in range(5))
            out.write(f"{codes[n % len(codes)]},{figures}\n")


def _empty_rows_csv(path: Path) -> None:
    with path.open("w", encoding="utf-8") as out:
        out.write("Mã xã,Kinh tế,Văn hóa - xã hội\n4789,3,1\n5233,2,4\n")
        out.write(",,,,,,\n" * 4_000_000)


CASES: dict[str, Callable[[Path], None]] = {
    "merged_H1_XFD1048576.xlsx": lambda p: _write_xlsx(
        p, [(1, [("A1", "BIỂU"), ("H1", "Hòa Bình")]), *TABLE[1:]], merges=["H1:XFD1048576"]
    ),
    "merged_H1_XFD2000.xlsx": lambda p: _write_xlsx(
        p, [(1, [("A1", "BIỂU"), ("H1", "Hòa Bình")]), *TABLE[1:]], merges=["H1:XFD2000"]
    ),
    "cell_XFD1048576.xlsx": lambda p: _write_xlsx(p, [*TABLE, (1_048_576, [("XFD1048576", 1)])]),
    "million_rows.xlsx": _million_rows,
    "empty_rows.csv": _empty_rows_csv,
    "near_limit.xlsx": _near_limit_xlsx,
    "near_limit.csv": _near_limit_csv,
    "xxe.xlsx": lambda p: p.write_bytes(raw_xlsx(sheet_xml(TABLE), shared_strings=XXE)),
    "billion_laughs.xlsx": lambda p: p.write_bytes(
        raw_xlsx(sheet_xml(TABLE), shared_strings=BILLION_LAUGHS)
    ),
}


def _peak_mb() -> float:
    """Peak RSS of this process in MB: ``VmHWM`` (``ru_maxrss`` is inherited over exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(path: str) -> None:
    """Import ``path`` and print JSON: seconds, peak RSS (MB), outcome."""
    resource.setrlimit(resource.RLIMIT_AS, (CHILD_ADDRESS_SPACE, CHILD_ADDRESS_SPACE))
    from geo.figures.importing import UnreadableFileError, import_file

    before = _peak_mb()
    start = time.perf_counter()
    try:
        report = import_file(path, family="models", period=2024)
        outcome = f"imported: {len(report.accepted)} accepted, {report.rejected_row_count} rejected"
    except UnreadableFileError as error:
        outcome = "refused: " + error.text("en")
    seconds = time.perf_counter() - start
    peak = _peak_mb()
    print(
        json.dumps({"seconds": seconds, "peak_mb": peak, "baseline_mb": before, "outcome": outcome})
    )


def measure(path: Path) -> dict:
    """Run :func:`child` on ``path`` in a fresh process."""
    try:
        done = subprocess.run(
            [sys.executable, __file__, "--child", str(path)],
            capture_output=True,
            text=True,
            timeout=CHILD_TIMEOUT_S,
            cwd=ROOT,
        )
    except subprocess.TimeoutExpired:
        return {"seconds": CHILD_TIMEOUT_S, "peak_mb": float("nan"), "outcome": "timed out"}
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["?"])[-1]
        return {"seconds": float("nan"), "peak_mb": float("nan"), "outcome": f"crashed: {last}"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--keep", help="write the files here and keep them")
    parser.add_argument("--json", help="write the results as JSON")
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return 0
    folder = Path(args.keep or tempfile.mkdtemp(prefix="hostile-"))
    folder.mkdir(parents=True, exist_ok=True)
    results = {}
    failed = False
    print(f"{'file':<28}{'size':>10}{'time':>9}{'peak RSS':>11}  verdict  outcome")
    for name, make in CASES.items():
        path = folder / name
        make(path)
        result = measure(path)
        result["bytes"] = path.stat().st_size
        ok = result["peak_mb"] < MEMORY_TARGET_MB and result["seconds"] < TIME_TARGET_S
        failed |= not ok
        result["verdict"] = "PASS" if ok else "FAIL"
        results[name] = result
        print(
            f"{name:<28}{result['bytes'] / 1e6:>8.1f}MB{result['seconds']:>8.1f}s"
            f"{result['peak_mb']:>9.0f}MB  {result['verdict']:<7}  {result['outcome'][:110]}"
        )
        if not args.keep:
            path.unlink()
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2, ensure_ascii=False))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
