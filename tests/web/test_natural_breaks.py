"""Natural breaks: the breaks of mapclassify's FisherJenks, fast."""

import warnings

import mapclassify
import numpy as np
import pytest

from geo.web.natural_breaks import MAX_VALUES, fisher_jenks_bins


def test_known_values():
    # Small cases whose best breaks one can check by hand.
    assert fisher_jenks_bins([1, 2, 3, 10, 11, 12, 30, 31], k=3).tolist() == [3.0, 12.0, 31.0]
    assert fisher_jenks_bins([5, 1, 1, 5], k=2).tolist() == [1.0, 5.0]
    assert fisher_jenks_bins([4.0, 2.0], k=1).tolist() == [4.0]


@pytest.mark.parametrize("seed", range(12))
def test_same_breaks_as_mapclassify(seed):
    rng = np.random.default_rng(seed)
    n, k = int(rng.integers(10, 160)), int(rng.integers(2, 7))
    # Skewed amounts (densities) and small integers with many ties (counts).
    values = rng.lognormal(1, 1, n) if seed % 2 else rng.integers(0, 25, n).astype(float)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Numba not installed")
        expected = mapclassify.FisherJenks(values, k=k).bins
    assert fisher_jenks_bins(values, k=k) == pytest.approx(expected)


def test_refusals():
    with pytest.raises(ValueError, match="distinct"):
        fisher_jenks_bins([1, 1, 2], k=3)
    with pytest.raises(ValueError, match="at least 1"):
        fisher_jenks_bins([1, 2], k=0)
    with pytest.raises(ValueError, match="sample"):
        fisher_jenks_bins(np.arange(MAX_VALUES + 1.0), k=3)
