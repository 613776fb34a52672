import pytest
from repo_paths import SHARED_DATA

from geo.errors import FetchError
from geo.geography.sources import CATALOGUE_PATH, get_source, list_sources, resolve_mirror

SOURCES = SHARED_DATA / "sources/vietnam63"
COMMIT = "90ac14b5226cf3b9e0a3b1190e04f28fdb19899d"


def test_vietnam63_is_pinned_with_licence_and_vintage():
    source = get_source("vietnam63")
    assert source.supported and not source.requires_acknowledgement
    assert source.base_url == f"https://raw.githubusercontent.com/choisy/vietnam63/{COMMIT}/data"
    assert source.url("communes") == f"{source.base_url}/communes.rda"
    assert source.licence == "MIT" and "Marc Choisy" in source.attribution
    assert source.vintage == "2019"
    assert source.files["communes"].features == 11163
    assert source.files["districts"].features == 703


@pytest.mark.skipif(not SOURCES.is_dir(), reason=f"vietnam63 copies not found at {SOURCES}")
def test_vietnam63_checksums_equal_the_byte_identical_copies():
    sums = {}
    for line in (SOURCES / "SHA256SUMS").read_text().splitlines():
        if line.strip():
            digest, name = line.split()
            sums[name] = digest
    for spec in get_source("vietnam63").files.values():
        assert spec.sha256 == sums[spec.path]
        assert spec.size == (SOURCES / spec.path).stat().st_size


def test_every_entry_is_complete_and_never_invents_a_checksum():
    sources = {s.key: s for s in list_sources()}
    assert {"vietnam63", "gadm41", "geoboundaries"} <= set(sources)
    for source in sources.values():
        assert source.licence and source.attribution and source.vintage and source.pinned
        for spec in source.files.values():
            if source.supported:
                assert spec.sha256 and spec.size
            else:
                assert spec.sha256 is None  # not verified offline: none given
    assert sources["gadm41"].requires_acknowledgement and not sources["gadm41"].supported


def test_mirrors():
    source = get_source("vietnam63")
    assert source.url("districts", mirror="http://127.0.0.1:8000/copy") == (
        "http://127.0.0.1:8000/copy/districts.rda"
    )
    assert resolve_mirror("/srv/vietnam63").startswith("file:///")
    assert resolve_mirror("file:///srv/x") == "file:///srv/x"


def test_unknown_source():
    with pytest.raises(FetchError, match="known sources: vietnam63"):
        get_source("osm")


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ('name = "x"', "missing status"),
        (
            'name="x"\nstatus="maybe"\nformat="f"\nhomepage="h"\nbase_url="b"\npinned="p"\n'
            'licence="l"\nlicence_url="u"\nattribution="a"\nvintage="v"',
            "neither supported",
        ),
        (
            'name="x"\nstatus="supported"\nformat="f"\nhomepage="h"\nbase_url="b"\npinned="p"\n'
            'licence="l"\nlicence_url="u"\nattribution="a"\nvintage="v"\n'
            '[sources.x.files.communes]\npath="c.rda"',
            "needs sha256 and size",
        ),
        (
            'name="x"\nstatus="not_yet_supported"\nformat="f"\nhomepage="h"\nbase_url="b"\n'
            'pinned="p"\nlicence="l"\nlicence_url="u"\nattribution="a"\nvintage="v"\n'
            '[sources.x.files.communes]\npath="c.rda"\nsha256="ABC"',
            "64 lower-case hex",
        ),
    ],
)
def test_a_broken_catalogue_is_refused(tmp_path, entry, message):
    path = tmp_path / "catalogue.toml"
    path.write_text(f"[sources.x]\n{entry}\n", encoding="utf-8")
    with pytest.raises(FetchError, match=message):
        list_sources(path)


def test_the_shipped_catalogue_is_package_data():
    assert CATALOGUE_PATH.parent.name == "data" and CATALOGUE_PATH.parent.parent.name == "geography"
