"""The boundary loader reports its stages while it reads a new file, and nothing from its cache."""

from geo.geography.boundaries import BOUNDARY_STAGES, load_boundaries
from geo.progress import reporting_progress


def test_a_new_file_reports_its_stages_then_the_cached_one_nothing(commune_grid, tmp_path):
    path = tmp_path / "hoabinh_2019.geojson"
    commune_grid.to_file(path, driver="GeoJSON")
    seen = []
    with reporting_progress(lambda stage, fraction: seen.append((stage, fraction))):
        first = load_boundaries(path, cache_dir=tmp_path / "cache")
        again = load_boundaries(path, cache_dir=tmp_path / "cache")
    assert not first.from_cache and again.from_cache
    assert [stage for stage, _ in seen] == [
        "boundaries.read",
        "boundaries.repair",
        "boundaries.validate",
        "boundaries.check",
        "boundaries.write",
    ]
    fractions = [fraction for _, fraction in seen]
    assert fractions == [BOUNDARY_STAGES[stage] for stage, _ in seen] == sorted(set(fractions))
