"""Fetching the 2025 communes (one GeoJSON file per commune), offline.

The 148 files of Phú Thọ are served on 127.0.0.1 from ``../shared/data/sources/
vietnamese-provinces-database`` (byte-identical copies of the pinned files), or from a copy in
``tmp_path`` made of symbolic links with one file altered or cut; those tests are skipped when
the folder is absent. No test connects anywhere but 127.0.0.1 or a local folder.
"""

from __future__ import annotations

import functools
import http.server
import threading
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from repo_paths import SHARED_DATA

from geo.cli.commands import main
from geo.errors import FetchError
from geo.geography.fetch import fetched_layers, read_fetched
from geo.geography.sources import get_source
from geo.geography.tree_fetch import (
    fetch_tree,
    git_blob_id,
    pinned_files,
    read_file_list,
    select_province,
)
from geo.schema import COMMUNE_COLUMNS

MIRROR = SHARED_DATA / "sources" / "vietnamese-provinces-database"
WARDS = "json/geojson/25_phu_tho/wards"
needs_mirror = pytest.mark.skipif(
    not (MIRROR / WARDS).is_dir(),
    reason=f"vietnamese-provinces-database copy not found at {MIRROR}",
)
SOURCE = "vnpdb2025"


class _CountingHandler(http.server.SimpleHTTPRequestHandler):
    """Serves a folder and records the paths asked for."""

    requests: list[str]

    def do_GET(self) -> None:
        self.requests.append(self.path)
        super().do_GET()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def serve() -> Iterator[Callable[[Path], tuple[str, list[str]]]]:
    """Serve a folder on 127.0.0.1; return its base URL and the list of requested paths."""
    servers: list[http.server.ThreadingHTTPServer] = []

    def start(folder: Path) -> tuple[str, list[str]]:
        requests: list[str] = []
        handler = type("Handler", (_CountingHandler,), {"requests": requests})
        server = http.server.ThreadingHTTPServer(
            ("127.0.0.1", 0), functools.partial(handler, directory=str(folder))
        )
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}", requests

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def linked_copy(tmp_path: Path) -> Path:
    """A mirror of province 25 made of symbolic links to the shared files (no copying)."""
    root = tmp_path / "mirror"
    wards = root / WARDS
    wards.mkdir(parents=True)
    for path in (MIRROR / WARDS).iterdir():
        (wards / path.name).symlink_to(path)
    return root


def replace(mirror: Path, name: str, data: bytes) -> None:
    target = mirror / WARDS / name
    target.unlink()
    target.write_bytes(data)


def layer_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*") if p.is_file())


# --- the pinned list (no network, no shared data) ---------------------------------------------


def test_pinned_list_covers_the_country():
    files = pinned_files(get_source(SOURCE))
    assert len(files) == 3321
    assert len({f.province_code for f in files}) == 34
    codes, chosen = select_province(files, "25")
    assert codes == ("25",) and len(chosen) == 148
    assert {f.province_slug for f in chosen} == {"phu_tho"}


def test_pinned_list_comes_from_the_mirror_checked(tmp_path, monkeypatch):
    """The list is not in the repository: a mirror folder gives it, verified and kept."""
    import geo.geography.tree_fetch as tree_fetch

    monkeypatch.setattr(tree_fetch, "LOCAL_COPIES", tmp_path / "nowhere")
    source = get_source(SOURCE)
    with pytest.raises(FetchError, match=r"tree-cd58063\.txt is not at hand.*--mirror"):
        pinned_files(source, data_dir=tmp_path / "empty")
    files = pinned_files(source, mirror=str(MIRROR), data_dir=tmp_path / "data")
    assert len(files) == 3321
    assert (tmp_path / "data" / "downloads" / SOURCE / "tree-cd58063.txt").is_file()
    altered = tmp_path / "altered"
    altered.mkdir()
    text = (MIRROR / "tree-cd58063.txt").read_bytes()
    (altered / "tree-cd58063.txt").write_bytes(text.replace(b"blob 3", b"blob 4", 1))
    with pytest.raises(FetchError):
        pinned_files(source, mirror=str(altered), data_dir=tmp_path / "other")
    assert not (tmp_path / "other" / "downloads" / SOURCE / "tree-cd58063.txt").exists()


def test_git_blob_id_is_gits():
    # `printf 'xin chao\n' | git hash-object --stdin`
    assert git_blob_id(b"xin chao\n") == "1a496688e748cc62548804021321e46386ea65df"
    assert git_blob_id(b"") == "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391"


def test_a_malformed_list_line_is_an_error():
    with pytest.raises(FetchError, match="line 1"):
        read_file_list("not a listing")


@pytest.mark.parametrize(
    ("province", "message"),
    [("99", "unknown province '99'"), ("17", "part of 25"), ("Atlantis", "unknown province")],
)
def test_unknown_province_is_a_clear_error(province, message, tmp_path):
    with pytest.raises(FetchError, match=message) as caught:
        fetch_tree(SOURCE, province, data_dir=tmp_path, mirror=str(tmp_path))
    assert "25" in str(caught.value)  # the message lists the codes there are
    assert not any(tmp_path.iterdir())


def test_cli_unknown_province(capsys):
    assert main(["boundaries", "fetch", SOURCE, "--province", "99", "--quiet"]) == 1
    assert "unknown province '99'" in capsys.readouterr().err


# --- fetching province 25 --------------------------------------------------------------------


@needs_mirror
def test_province_25_gives_148_verified_communes(serve, tmp_path):
    base, requests = serve(MIRROR)
    result = fetch_tree(SOURCE, "25", data_dir=tmp_path, mirror=base, workers=8)
    assert len(requests) == 148
    layer = result.communes
    assert len(layer) == 148 and layer["commune_code"].is_unique
    assert list(layer.columns[: len(COMMUNE_COLUMNS)]) == list(COMMUNE_COLUMNS)
    assert set(layer["vintage"]) == {"2025"} and set(layer["province_code"]) == {"25"}
    assert layer["district_code"].isna().all()
    assert set(layer["commune_type"]) <= {"Phường", "Xã"}
    assert "Xã Đức Nhàn" in set(layer["commune_name"])  # NFC, full names
    report = result.report
    assert report["verified"] == {"files": 148, "downloaded": 148, "kept": 0}
    assert report["counts"]["matched"] == 148 and report["licence"] == "MIT"
    assert "sapnhap.bando.com.vn" in report["attribution"]
    overlaps = [p for p in report["problems"] if "Đức Nhàn" in p["where"] + p["message"]]
    assert overlaps and "Tân Pheo by 0.016 km²" in " ".join(p["message"] for p in overlaps)
    # Cached like the other fetched layers, and read back.
    (listed,) = fetched_layers(tmp_path)
    assert (listed.source, listed.province_code, listed.vintage, listed.communes) == (
        SOURCE,
        "25",
        "2025",
        148,
    )
    communes, sidecar = read_fetched(listed.path)
    assert len(communes) == 148 and sidecar["attribution"] == report["attribution"]


@needs_mirror
def test_a_file_altered_by_one_byte_is_refused_and_nothing_is_left(serve, tmp_path):
    mirror = linked_copy(tmp_path)
    name = "04846_duc_nhan.geojson"
    data = bytearray((MIRROR / WARDS / name).read_bytes())
    data[100] ^= 1  # same size, one byte different
    replace(mirror, name, bytes(data))
    base, _ = serve(mirror)
    out = tmp_path / "out"
    with pytest.raises(FetchError, match="git blob id") as caught:
        fetch_tree(SOURCE, "25", data_dir=out, mirror=base)
    assert name in str(caught.value)
    assert layer_files(out) == []  # no layer, no sidecar
    assert fetched_layers(out) == []
    assert not list(out.rglob(name))  # the altered file is not kept either


@needs_mirror
def test_a_truncated_file_is_refused(tmp_path):
    mirror = linked_copy(tmp_path)
    name = "04792_tan_hoa.geojson"
    replace(mirror, name, (MIRROR / WARDS / name).read_bytes()[:5000])
    out = tmp_path / "out"
    with pytest.raises(FetchError, match="5,000 bytes") as caught:
        fetch_tree(SOURCE, "25", data_dir=out, mirror=str(mirror))  # a FOLDER mirror
    assert name in str(caught.value)
    assert layer_files(out) == [] and not list(out.rglob(name))


@needs_mirror
def test_an_interrupted_fetch_resumes_without_downloading_verified_files(serve, tmp_path):
    mirror = linked_copy(tmp_path)
    name = "04849_tan_pheo.geojson"
    replace(mirror, name, b"{}")
    base, requests = serve(mirror)
    out = tmp_path / "out"
    with pytest.raises(FetchError, match=name):
        fetch_tree(SOURCE, "25", data_dir=out, mirror=base, workers=2)
    kept = {p.name for p in (out / "downloads").rglob("*.geojson")}
    assert kept and name not in kept
    (mirror / WARDS / name).unlink()
    (mirror / WARDS / name).symlink_to(MIRROR / WARDS / name)  # the server is fixed
    requests.clear()
    result = fetch_tree(SOURCE, "25", data_dir=out, mirror=base)
    asked = {Path(urllib.parse.unquote(r)).name for r in requests}
    assert asked == _names(MIRROR) - kept
    assert result.report["verified"]["kept"] == len(kept)
    assert len(result.communes) == 148


def _names(folder: Path) -> set[str]:
    return {p.name for p in (folder / WARDS).iterdir()}


@needs_mirror
def test_cli_fetches_from_a_folder_mirror(tmp_path, capsys):
    code = main(
        [
            "boundaries",
            "fetch",
            SOURCE,
            "--province",
            "25",
            "--mirror",
            str(MIRROR),
            "--data-dir",
            str(tmp_path),
            "--quiet",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0, out
    assert "148 verified by git blob id" in out and "Tân Pheo by 0.016 km²" in out
