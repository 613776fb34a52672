"""Fetching real boundaries, offline: a local HTTP server on 127.0.0.1 plays the source.

The vietnam63 files are served from ``../shared/data/sources/vietnam63`` (byte-identical copies
of the pinned GitHub files); the integration tests are skipped when that folder is absent. The
error cases use small files made in ``tmp_path``. No test connects anywhere but 127.0.0.1.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import http.server
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from repo_paths import SHARED_DATA

from geo.analysis.table_join import join_report, vintage_note
from geo.cli.commands import main
from geo.cli.fetch import _print_report
from geo.errors import FetchError
from geo.geography.fetch import (
    _registry,
    fetch_boundaries,
    fetched_layers,
    provinces,
    read_fetched,
    resolve_province,
)
from geo.geography.geographies import available_geographies, geography_label, load_geography
from geo.geography.matching import name_key
from geo.geography.sources import MIRROR_ENV, get_source

SHARED = SHARED_DATA
SOURCES = SHARED / "sources/vietnam63"
COMMUNES_2019 = SHARED / "boundaries/hoabinh_communes_2019_vietnam63.geojson"
needs_sources = pytest.mark.skipif(
    not (SOURCES / "communes.rda").is_file(),
    reason=f"vietnam63 source files not found at {SOURCES}",
)


# --- servers on 127.0.0.1 --------------------------------------------------------------------


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


class _TruncatingHandler(http.server.BaseHTTPRequestHandler):
    """Announces 100,000 bytes, sends 1,000, closes the connection."""

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", "100000")
        self.end_headers()
        self.wfile.write(b"x" * 1000)
        self.wfile.flush()
        self.close_connection = True

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def serve() -> Iterator[Callable[..., str]]:
    """Start HTTP servers on 127.0.0.1 (random free port); return their base URL."""
    servers: list[http.server.ThreadingHTTPServer] = []

    def start(folder: Path | None = None, handler: type | None = None) -> str:
        handler = handler or functools.partial(_QuietHandler, directory=str(folder))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture
def silent_server() -> Iterator[str]:
    """A server that accepts connections and never answers."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(5)
    yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    sock.close()


def files_in(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


# --- the Hòa Bình fetch, once for the module --------------------------------------------------


@pytest.fixture(scope="module")
def fetched(tmp_path_factory) -> Iterator[dict]:
    if not (SOURCES / "communes.rda").is_file():
        pytest.skip(f"vietnam63 source files not found at {SOURCES}")
    data_dir = tmp_path_factory.mktemp("fetched")
    handler = functools.partial(_QuietHandler, directory=str(SOURCES))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    mirror = f"http://127.0.0.1:{server.server_address[1]}/"
    reports = []
    started = time.perf_counter()
    result = fetch_boundaries(
        "vietnam63", "17", data_dir=data_dir, mirror=mirror, timeout=10, progress=reports.append
    )
    elapsed = time.perf_counter() - started
    yield {
        "result": result,
        "data_dir": data_dir,
        "mirror": mirror,
        "progress": reports,
        "elapsed": elapsed,
    }
    server.shutdown()
    server.server_close()


@needs_sources
def test_hoa_binh_counts_vintage_licence(fetched):
    result = fetched["result"]
    assert result.downloaded
    assert result.counts["communes"] == 210
    assert result.counts["districts"] == 11
    assert result.counts["matched"] + result.counts["unmatched"] + result.counts["ambiguous"] == 210
    assert result.counts["matched"] == 124 and result.counts["ambiguous"] == 0
    report = json.loads(result.report_path.read_text(encoding="utf-8"))  # strict JSON, no NaN
    assert report["vintage"] == "2019" and report["licence"] == "MIT"
    assert "Marc Choisy" in report["attribution"]
    sums = dict(
        reversed(line.split()) for line in (SOURCES / "SHA256SUMS").read_text().splitlines() if line
    )
    assert report["files"][0]["sha256"] == sums["communes.rda"]
    assert report["files"][0]["url"].startswith(fetched["mirror"])
    layer = result.communes
    assert (layer["vintage"] == "2019").all() and (layer["province_code"] == "17").all()
    assert {"commune_id", "commune_vn", "shape_area", "area_km2", "code_status"} <= set(layer)
    assert layer.crs.to_epsg() == 4326
    # progress: the download reached its total, then the later stages
    stages = [p.stage for p in fetched["progress"]]
    assert stages[0] == "download" and stages[-1] == "done"
    assert any(p.stage == "download" and p.fraction == 1.0 for p in fetched["progress"])


@needs_sources
def test_hoa_binh_outline_matches_the_2019_layer(fetched):
    reference = gpd.read_file(COMMUNES_2019)
    ours = shapely.union_all(fetched["result"].communes.geometry.to_numpy())
    theirs = shapely.union_all(reference.geometry.to_numpy())
    iou = shapely.intersection(ours, theirs).area / shapely.union(ours, theirs).area
    assert iou > 0.99


@needs_sources
def test_hoa_binh_codes_agree_with_the_2019_layer(fetched):
    layer = fetched["result"].communes
    reference = gpd.read_file(COMMUNES_2019)
    reference = reference.set_index(reference["commune_id"].astype(int).astype(str))
    layer = layer.assign(source_id=layer["commune_id"].astype(int).astype(str))
    assert set(layer["source_id"]) == set(reference.index)

    # Every 2019 unit that still exists in the 2020–2025 list of vietnamadminunits (same code,
    # same name) gets its code.
    registry = dict(_registry("17")[["commune_code", "commune_name"]].itertuples(index=False))
    still = reference[
        (reference["commune_code"] == reference["code_2020_2025"])
        & (
            reference["commune_name"].map(name_key)
            == reference["commune_code"].map(lambda c: name_key(registry.get(c, "")))
        )
    ]
    ours = layer.set_index("source_id")
    assert len(still) == 120
    assert (ours.loc[still.index, "commune_code"] == still["commune_code"]).all()
    # Two units the registry spells differently are reported, with the right unit first
    unmatched = {u["name"]: u for u in fetched["result"].report["unmatched"]}
    assert unmatched["Xã Mi Hòa"]["closest"][0] == {
        "code": "05083",
        "name": "Xã Mỵ Hòa",
        "score": 0.933,
    }
    assert unmatched["Xã Săm Khóe"]["closest"][0]["code"] == "05245"

    # Matched codes agree with the 2019 list, except where GSO re-coded a merged unit in 2020:
    # then the polygon carries the 2020–2025 code (SOURCES.md: 13 such units in Hòa Bình).
    matched = ours[ours["code_status"] == "matched"]
    expected = reference.loc[matched.index]
    differs = matched["commune_code"] != expected["commune_code"]
    recoded = expected["commune_code"] != expected["code_2020_2025"]
    assert (matched.loc[differs, "commune_code"] == expected.loc[differs, "code_2020_2025"]).all()
    assert recoded[differs].all() and differs.sum() <= 13
    assert sorted(matched.loc[differs, "commune_name"]) == [
        "Xã Liên Sơn",
        "Xã Mãn Đức",
        "Xã Phong Phú",
    ]


@needs_sources
def test_hoa_binh_districts_and_unmatched_units(fetched):
    layer = fetched["result"].communes.set_index("commune_name")
    assert layer.loc["Xã Ngọc Sơn", "district_name"] == "Huyện Lạc Sơn"
    assert layer.loc["Xã Tòng Đậu", "district_name"] == "Huyện Mai Châu"
    assert layer.loc["Xã Yên Lạc", "district_name"] == "Huyện Yên Thủy"
    # Yên Lạc was merged into TT Hàng Trạm in 2020: no GSO code, never a guessed one
    assert layer.loc["Xã Yên Lạc", "code_status"] == "unmatched"
    assert layer.loc["Xã Yên Lạc", "commune_code"].startswith("vietnam63:")
    report = fetched["result"].report
    assert len(report["unmatched"]) == 86
    unmatched = {(u["district"], u["name"]): u for u in report["unmatched"]}
    assert unmatched["Huyện Yên Thủy", "Xã Yên Lạc"]["closest"]  # the closest 2020–2025 names
    # two unmatched "Xã Bắc Sơn", in two districts: each is listed
    assert ("Huyện Kim Bôi", "Xã Bắc Sơn") in unmatched and (
        "Huyện Tân Lạc",
        "Xã Bắc Sơn",
    ) in unmatched
    # Kỳ Sơn district was merged in 2020: its surviving communes are found province-wide
    ky_son = layer[layer["district_name"] == "Huyện Kỳ Sơn"]
    assert len(ky_son) == 10
    assert ky_son.loc["Xã Độc Lập", "commune_code"] == "04921"
    assert ky_son.loc["Xã Độc Lập", "match_scope"] == "province"
    assert len(report["codes_without_polygon"]) == 27


@needs_sources
def test_hoa_binh_geography_for_the_app(fetched):
    choices = available_geographies(fetched["data_dir"])
    assert [c.kind for c in choices] == ["schematic", "shipped", "shipped", "schematic", "fetched"]
    choice = choices[-1]
    assert choice.vintage == "2019" and choice.province_codes == ("17",)
    assert "Marc Choisy" in choice.attribution and choice.licence == "MIT"
    assert (
        geography_label(choice, "en")
        == "Tỉnh Hòa Bình – vietnam63 (Marc Choisy), boundaries of 2019"
    )
    geography = load_geography(choice)
    assert geography.kind == "fetched" and geography.vintage == "2019"
    assert len(geography.communes) == 210 and len(geography.districts) == 11
    assert "Marc Choisy" in geography.attribution
    assert geography.communes["area_km2"].sum() == pytest.approx(4600, rel=0.05)

    # Demo figures are keyed to 2020–2025 codes: the join says so
    from geo.figures.indicators import load_demo

    tables = load_demo()
    report = join_report(geography, tables, period=2019)
    assert report.vintage_mismatch and report.table_vintages == ("2020-2025",)
    assert len(report.codes_not_in_layer) == 27
    assert len(report.communes_without_figures) == 86
    note = vintage_note(geography, tables, "vi", period=2019)
    assert "2020-2025" in note and "2019" in note and "86 xã" in note


@needs_sources
def test_second_fetch_uses_the_verified_copy_and_the_parsed_table(fetched):
    again = fetch_boundaries(
        "vietnam63", 17, data_dir=fetched["data_dir"], mirror="http://127.0.0.1:9/"
    )  # nothing listens on port 9: the network must not be needed
    assert not again.downloaded
    assert again.counts == fetched["result"].counts


@needs_sources
def test_another_province_lai_chau(fetched):
    result = fetch_boundaries(
        "vietnam63", "Lai Châu", data_dir=fetched["data_dir"], mirror=fetched["mirror"]
    )
    assert result.report["province_code"] == "12"
    layer = result.communes
    assert result.counts["communes"] == len(layer) == 108
    assert result.counts["matched"] >= 0.9 * len(layer)
    # every official 2020–2025 centre of the province lies in (or next to) the fetched outline
    outline = shapely.union_all(layer.geometry.to_numpy()).buffer(0.01)
    centres = _registry("12")
    assert shapely.contains_xy(outline, centres["lon"], centres["lat"]).mean() > 0.98
    assert {layer.path.name for layer in fetched_layers(fetched["data_dir"])} >= {
        "vietnam63_17.parquet",
        "vietnam63_12.parquet",
    }


@needs_sources
def test_cli_fetch_json_and_text(fetched, capsys):
    args = ["boundaries", "fetch", "vietnam63", "--province", "17", "--quiet"]
    args += ["--mirror", fetched["mirror"], "--data-dir", str(fetched["data_dir"])]
    assert main([*args, "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["counts"]["communes"] == 210 and payload["vintage"] == "2019"
    _print_report(fetched["result"].report, "x.parquet")  # the text form of the same report
    out = capsys.readouterr().out
    assert "210 in 11 districts" in out and "Xã Yên Lạc" in out and "MIT" in out


@needs_sources
def test_mirror_from_the_environment(fetched, tmp_path, monkeypatch):
    monkeypatch.setenv(MIRROR_ENV, fetched["mirror"])
    result = fetch_boundaries("vietnam63", "17", data_dir=tmp_path)
    assert result.downloaded and result.report["files"][0]["url"].startswith(fetched["mirror"])


# --- errors: each clear, none leaves a file behind ----------------------------------------------


def small_source(tmp_path: Path, content: bytes, *, sha256: str | None = None):
    """A copy of the vietnam63 entry whose communes file is ``content`` served from tmp."""
    folder = tmp_path / "mirror"
    folder.mkdir(exist_ok=True)
    (folder / "communes.rda").write_bytes(content)
    source = get_source("vietnam63")
    spec = dataclasses.replace(
        source.files["communes"],
        sha256=sha256 or hashlib.sha256(content).hexdigest(),
        size=None,
    )
    return folder, dataclasses.replace(source, files={"communes": spec})


def test_wrong_checksum(tmp_path, serve):
    folder, source = small_source(tmp_path, b"not the pinned file", sha256="0" * 64)
    data_dir = tmp_path / "data"
    with pytest.raises(FetchError, match="checksum mismatch") as error:
        fetch_boundaries(source, "17", data_dir=data_dir, mirror=serve(folder))
    assert "127.0.0.1" in str(error.value) and "communes.rda" in str(error.value)
    assert files_in(data_dir) == []


def test_wrong_size_against_the_catalogue(tmp_path, serve):
    folder = tmp_path / "mirror"
    folder.mkdir()
    (folder / "communes.rda").write_bytes(b"too short")
    with pytest.raises(FetchError, match="3,888,438"):
        fetch_boundaries("vietnam63", "17", data_dir=tmp_path / "data", mirror=serve(folder))
    assert files_in(tmp_path / "data") == []


def test_truncated_download(tmp_path, serve):
    _, source = small_source(tmp_path, b"irrelevant")
    url = serve(handler=_TruncatingHandler)
    with pytest.raises(FetchError, match="1,000 of 100,000 bytes"):
        fetch_boundaries(source, "17", data_dir=tmp_path / "data", mirror=url, timeout=5)
    assert files_in(tmp_path / "data") == []


def test_timeout(tmp_path, silent_server):
    _, source = small_source(tmp_path, b"irrelevant")
    started = time.perf_counter()
    with pytest.raises(FetchError, match=r"no answer within 0\.5 s") as error:
        fetch_boundaries(
            source, "17", data_dir=tmp_path / "data", mirror=silent_server, timeout=0.5
        )
    assert time.perf_counter() - started < 30  # the 0.5 s timeout is honoured, not a hang
    assert "--timeout" in str(error.value) and silent_server in str(error.value)
    assert files_in(tmp_path / "data") == []


def test_http_error(tmp_path, serve):
    folder = tmp_path / "empty"
    folder.mkdir()
    with pytest.raises(FetchError, match="HTTP 404"):
        fetch_boundaries("vietnam63", "17", data_dir=tmp_path / "data", mirror=serve(folder))
    assert files_in(tmp_path / "data") == []


def test_unknown_province(tmp_path):
    with pytest.raises(FetchError, match="unknown province '99'"):
        fetch_boundaries("vietnam63", "99", data_dir=tmp_path, mirror="http://127.0.0.1:9/")
    with pytest.raises(FetchError, match="two-digit GSO code"):
        resolve_province("Atlantis")
    assert files_in(tmp_path) == []
    assert resolve_province("17") == ("17", "Tỉnh Hòa Bình") and len(provinces()) == 63


def test_a_failed_download_keeps_the_verified_copy(tmp_path, serve):
    content = b"a verified copy"
    folder, source = small_source(tmp_path, content)
    target = tmp_path / "data" / "downloads" / "vietnam63" / "communes.rda"
    target.parent.mkdir(parents=True)
    target.write_bytes(content)
    (folder / "communes.rda").write_bytes(b"changed upstream")
    with pytest.raises(FetchError, match="checksum mismatch"):
        fetch_boundaries(source, "17", data_dir=tmp_path / "data", mirror=serve(folder), force=True)
    assert target.read_bytes() == content
    assert files_in(tmp_path / "data") == ["downloads/vietnam63/communes.rda"]


def test_not_an_r_file_after_a_good_download(tmp_path, serve):
    folder, source = small_source(tmp_path, b"<html>a login page</html>")
    with pytest.raises(FetchError, match="not an R data file"):
        fetch_boundaries(source, "17", data_dir=tmp_path / "data", mirror=serve(folder))
    assert not list((tmp_path / "data").glob("*.parquet"))


def test_licence_acknowledgement_and_unsupported_sources(tmp_path):
    with pytest.raises(FetchError, match="--accept-licence"):
        fetch_boundaries("gadm41", "17", data_dir=tmp_path)
    with pytest.raises(FetchError, match="not yet supported"):
        fetch_boundaries("gadm41", "17", data_dir=tmp_path, accept_licence=True)
    with pytest.raises(FetchError, match="unknown boundary source; known sources: vietnam63"):
        fetch_boundaries("osm", "17", data_dir=tmp_path)
    assert files_in(tmp_path) == []


def test_cli_errors_exit_1(tmp_path, capsys):
    base = ["boundaries", "fetch"]
    assert main([*base, "vietnam63", "--province", "99", "--data-dir", str(tmp_path)]) == 1
    assert "unknown province '99'" in capsys.readouterr().err
    assert main([*base, "gadm41", "--province", "17", "--data-dir", str(tmp_path)]) == 1
    assert "--accept-licence" in capsys.readouterr().err


def test_cli_sources(capsys):
    assert main(["boundaries", "sources"]) == 0
    out = capsys.readouterr().out
    assert "vietnam63" in out and "90ac14b5226cf3b9e0a3b1190e04f28fdb19899d" in out
    assert "needs --accept-licence" in out
    assert main(["boundaries", "sources", "--json"]) == 0
    listed = {s["key"]: s for s in json.loads(capsys.readouterr().out)}
    assert listed["vietnam63"]["files"]["communes"]["size"] == 3888438


def test_fetched_layers_ignores_strangers(tmp_path):
    (tmp_path / "notes.json").write_text('{"hello": 1}', encoding="utf-8")
    (tmp_path / "broken.json").write_text("{", encoding="utf-8")
    assert fetched_layers(tmp_path) == []
    assert "fetched" not in [c.kind for c in available_geographies(tmp_path)]
    with pytest.raises(FetchError, match="fetch it again"):
        read_fetched(tmp_path / "vietnam63_17.parquet")
