"""Web geometry reports its stages while it prepares a layer, and nothing from a cache."""

import pytest

from geo.progress import reporting_progress
from geo.web import geometry as webgeom
from geo.web.geometry import WEB_STAGES, web_geometry


@pytest.fixture(autouse=True)
def _fresh_memory():
    webgeom.clear_memory()
    yield
    webgeom.clear_memory()


def _recorder():
    seen = []
    return seen, lambda stage, fraction: seen.append((stage, fraction))


def test_preparation_reports_every_stage_with_growing_fractions(commune_grid, tmp_path):
    seen, record = _recorder()
    with reporting_progress(record):
        web = web_geometry(commune_grid, cache_dir=tmp_path)
    assert not web.attrs["web_geometry"]["from_cache"]
    assert [stage for stage, _ in seen] == [
        "web.coverage",
        "web.simplify",
        "web.quantise",
        "web.topology",
        "web.write",
    ]
    fractions = [fraction for _, fraction in seen]
    assert fractions == [WEB_STAGES[stage] for stage, _ in seen]
    assert fractions[0] == 0.0 and fractions == sorted(set(fractions)) and fractions[-1] < 1.0


def test_a_cached_layer_reports_nothing(commune_grid, tmp_path):
    web_geometry(commune_grid, cache_dir=tmp_path)  # prepared once, without a callback
    seen, record = _recorder()
    with reporting_progress(record):
        in_memory = web_geometry(commune_grid, cache_dir=tmp_path)
        webgeom.clear_memory()
        on_disk = web_geometry(commune_grid, cache_dir=tmp_path)
    assert in_memory.attrs["web_geometry"]["from_cache"] is False  # the same object, kept
    assert on_disk.attrs["web_geometry"]["from_cache"] is True
    assert seen == []


def test_without_cache_nothing_is_written_nor_reported_as_written(commune_grid, tmp_path):
    seen, record = _recorder()
    with reporting_progress(record):
        web_geometry(commune_grid, cache_dir=tmp_path, use_cache=False)
    assert [stage for stage, _ in seen][-1] == "web.topology"
    assert not list(tmp_path.iterdir())


def test_reports_end_with_the_block(commune_grid, tmp_path):
    seen, record = _recorder()
    with reporting_progress(record):
        pass
    web_geometry(commune_grid, cache_dir=tmp_path)  # prepared, but nobody listens
    assert seen == []
