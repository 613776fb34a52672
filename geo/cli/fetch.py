"""``python -m geo boundaries fetch|sources``: real boundaries from the public source catalogue.

``boundaries fetch SOURCE --province CODE [--mirror URL] [--timeout S] [--data-dir DIR]
[--force] [--accept-licence] [--json] [--quiet]``
    Download (with a progress bar on stderr), verify, convert and match the communes of one
    province; print counts, licence, the layer's path and the units without a GSO code.
``boundaries sources [--json]``
    List the catalogue: sources, pinned versions, licences, whether fetch supports them.

``python -m geo boundaries PATH`` (load and check a file) is unchanged: a first positional
``fetch`` or ``sources`` selects these actions instead (write ``./fetch`` for a file so named).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from typing import Any, TextIO

from geo.errors import AtlasError
from geo.geography.download import DEFAULT_TIMEOUT, Progress
from geo.geography.sources import MIRROR_ENV, TREE_FORMAT, get_source, list_sources

__all__ = ["BOUNDARY_ACTIONS", "ProgressBar", "build_fetch_parser", "run_fetch", "run_sources"]


class ProgressBar:
    """Progress on a stream (stderr): a bar redrawn in place on a terminal, lines otherwise.

    Examples
    --------
    >>> import io
    >>> out = io.StringIO()
    >>> bar = ProgressBar(out, interactive=False)
    >>> bar(Progress("download", "x: downloading", 0, 1000))
    >>> bar(Progress("download", "x: downloading", 1000, 1000))
    >>> print(out.getvalue().strip())
    x: downloading   0% (0.0 of 0.0 MB)
    x: downloading 100% (0.0 of 0.0 MB)
    """

    def __init__(self, stream: TextIO, *, interactive: bool | None = None, width: int = 30) -> None:
        self.stream = stream
        self.interactive = stream.isatty() if interactive is None else interactive
        self.width = width
        self._open = False  # a bar line is being redrawn
        self._last_step = -1

    def __call__(self, progress: Progress) -> None:
        if progress.stage == "download" and progress.fraction is not None:
            self._bar(progress)
            return
        self._end_line()
        self.stream.write(f"{progress.message}\n")
        self.stream.flush()

    def _bar(self, progress: Progress) -> None:
        fraction = progress.fraction or 0.0
        total = progress.total or 0
        sizes = f"({progress.done / 1e6:.1f} of {total / 1e6:.1f} MB)"
        if self.interactive:
            filled = int(fraction * self.width)
            bar = "#" * filled + "." * (self.width - filled)
            self.stream.write(f"\r{progress.message} [{bar}] {fraction:4.0%} {sizes}")
            self._open = True
        else:
            step = int(fraction * 4)  # 0, 25, 50, 75, 100 %: a log stays short
            if step == self._last_step:
                return
            self._last_step = step
            self.stream.write(f"{progress.message} {fraction:4.0%} {sizes}\n")
        self.stream.flush()

    def _end_line(self) -> None:
        if self._open:
            self.stream.write("\n")
            self._open = False


def build_fetch_parser() -> argparse.ArgumentParser:
    """Parser of ``python -m geo boundaries fetch``."""
    parser = argparse.ArgumentParser(
        prog="python -m geo boundaries fetch",
        description="Download real commune boundaries of one province from a public source, "
        "verify the checksum, match the communes to GSO codes and keep the layer for the atlas.",
    )
    parser.add_argument("source", help="source of the catalogue, e.g. vietnam63")
    parser.add_argument(
        "--province", required=True, help="GSO province code (17 = Hòa Bình) or name"
    )
    parser.add_argument(
        "--mirror",
        help=f"base URL or folder of a copy of the source's files (default: ${MIRROR_ENV})",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT,
        help=f"seconds to wait for the server (default {DEFAULT_TIMEOUT:g})",
    )
    parser.add_argument("--data-dir", help="where layers go (default data/boundaries/fetched)")
    parser.add_argument("--force", action="store_true", help="download again")
    parser.add_argument(
        "--accept-licence",
        action="store_true",
        help="accept the licence of a source that restricts use (e.g. GADM)",
    )
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr")
    return parser


def _print_json(payload: object) -> None:
    json.dump(payload, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def _print_report(report: dict[str, Any], path: str) -> None:
    counts = report["counts"]
    print(f"source:      {report['source_name']} ({report['pinned']})")
    print(f"province:    {report['province_code']} {report['province_name']}")
    print(
        f"communes:    {counts['communes']} in {counts['districts']} districts, "
        f"boundaries of {report['vintage']}"
    )
    print(
        f"GSO codes:   {counts['matched']} matched, {counts['ambiguous']} ambiguous, "
        f"{counts['unmatched']} unmatched; {counts['codes_without_polygon']} of the "
        f"{counts['registry_units']} units of 2020–2025 have no polygon of the same name"
    )
    print(f"licence:     {report['licence']} ({report['licence_url']})")
    print(f"attribution: {report['attribution']}")
    print(f"layer:       {path} (+ .json)")
    if report["ambiguous"]:
        print("ambiguous (no code given):")
        for unit in report["ambiguous"]:
            names = ", ".join(f"{c['name']} {c['code']}" for c in unit["candidates"])
            print(f"  {unit['district']} / {unit['name']}: {names}")
    if report["unmatched"]:
        print("unmatched (not in the 2020–2025 list; closest names of 2020–2025):")
        for unit in report["unmatched"]:
            closest = ", ".join(
                f"{c['name']} {c['code']} ({c['score']:.2f})" for c in unit["closest"]
            )
            print(f"  {unit['district']} / {unit['name']} → {closest or '–'}")
    problems = report.get("problems", [])
    if problems:
        print(f"geometry:    {len(problems)} findings (overlaps, gaps…), see the .json")


def _catch(run: Callable[[Sequence[str]], int]) -> Callable[[Sequence[str]], int]:
    def wrapped(argv: Sequence[str]) -> int:
        try:
            return run(argv)
        except AtlasError as error:
            print(f"error: {error}", file=sys.stderr)
            return 1

    return wrapped


@_catch
def run_fetch(argv: Sequence[str]) -> int:
    """Run ``boundaries fetch`` with ``argv`` (the words after ``fetch``); return the exit code."""
    from geo.geography.fetch import fetch_boundaries  # heavy imports only for this command

    args = build_fetch_parser().parse_args(list(argv))
    if get_source(args.source).format == TREE_FORMAT:
        return _run_tree_fetch(args)
    result = fetch_boundaries(
        args.source,
        args.province,
        data_dir=args.data_dir,
        mirror=args.mirror,
        timeout=args.timeout,
        accept_licence=args.accept_licence,
        force=args.force,
        progress=None if args.quiet else ProgressBar(sys.stderr),
    )
    if args.json:
        _print_json({**result.report, "layer_path": str(result.path)})
    else:
        _print_report(result.report, str(result.path))
    return 0


def _run_tree_fetch(args: argparse.Namespace) -> int:
    """``boundaries fetch`` of a source of one file per commune (``--province all`` too)."""
    from geo.geography.tree_fetch import fetch_tree

    result = fetch_tree(
        args.source,
        args.province,
        data_dir=args.data_dir,
        mirror=args.mirror,
        timeout=args.timeout,
        progress=None if args.quiet else ProgressBar(sys.stderr),
    )
    report = result.report
    if args.json:
        _print_json({**report, "layer_path": str(result.path)})
        return 0
    counts, verified = report["counts"], report["verified"]
    print(f"source:      {report['source_name']} ({report['pinned']})")
    print(f"province:    {report['province_code']} {report['province_name']}")
    print(f"communes:    {counts['communes']}, boundaries of {report['vintage']} (no districts)")
    print(
        f"files:       {verified['files']} verified by git blob id "
        f"({verified['downloaded']} downloaded, {verified['kept']} already here)"
    )
    print(
        f"GSO codes:   {counts['matched']} of the {counts['registry_units']} units of 2025; "
        f"{counts['unmatched']} not in the list, {counts['codes_without_polygon']} without polygon"
    )
    print(f"licence:     {report['licence']} ({report['licence_url']})")
    print(f"attribution: {report['attribution']}")
    print(f"layer:       {result.path} (+ .json)")
    for problem in report["problems"]:
        print(f"geometry:    {problem['where']}: {problem['message']}")
    return 0


@_catch
def run_sources(argv: Sequence[str]) -> int:
    """Run ``boundaries sources``: list the catalogue."""
    parser = argparse.ArgumentParser(prog="python -m geo boundaries sources")
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args(list(argv))
    sources = list_sources()
    if args.json:
        _print_json(
            [
                {
                    "key": s.key,
                    "name": s.name,
                    "status": s.status,
                    "vintage": s.vintage,
                    "pinned": s.pinned,
                    "licence": s.licence,
                    "attribution": s.attribution,
                    "requires_acknowledgement": s.requires_acknowledgement,
                    "files": {
                        role: {"url": s.url(role), "sha256": f.sha256, "size": f.size}
                        for role, f in s.files.items()
                    },
                }
                for s in sources
            ]
        )
        return 0
    for s in sources:
        flag = "supported" if s.supported else "not yet supported"
        print(f"{s.key}: {s.name} [{flag}]")
        print(f"  pinned:  {s.pinned}; boundaries of {s.vintage}")
        print(f"  licence: {s.licence}")
        if s.requires_acknowledgement:
            print("  needs --accept-licence")
        if s.file_list:
            print(f"  files:   {s.file_url('')} (pinned list {s.file_list}, git blob ids)")
        for role, f in s.files.items():
            checksum = f"sha256 {f.sha256}" if f.sha256 else "checksum not verified yet"
            print(f"  {role}: {s.url(role)} ({checksum})")
    return 0


#: Actions after ``python -m geo boundaries`` that are not a file path.
BOUNDARY_ACTIONS: dict[str, Callable[[Sequence[str]], int]] = {
    "fetch": run_fetch,
    "sources": run_sources,
}
