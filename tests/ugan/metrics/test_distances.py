import numpy as np
import pytest

from ugan.metrics import pairwise_distance_histogram


def _brute_force(a, b=None):
    a = a.reshape(len(a), -1)
    if b is None:
        i, j = np.triu_indices(len(a), k=1)
        return np.linalg.norm(a[i] - a[j], axis=1)
    b = b.reshape(len(b), -1)
    return np.linalg.norm(a[:, None] - b[None], axis=-1).ravel()


@pytest.mark.parametrize("chunk_size", [1, 7, 1000])
def test_within_set_matches_brute_force(chunk_size):
    a = np.random.default_rng(0).normal(size=(30, 2, 3))
    counts, edges = pairwise_distance_histogram(a, bins=9, chunk_size=chunk_size)
    expected = _brute_force(a)
    assert counts.sum() == 30 * 29 // 2
    np.testing.assert_allclose(edges[[0, -1]], [0.0, expected.max()])
    np.testing.assert_array_equal(counts, np.histogram(expected, bins=edges)[0])


def test_between_sets_with_fixed_range():
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=(12, 5)), rng.normal(size=(9, 5))
    counts, edges = pairwise_distance_histogram(a, b, bins=4, range=(0, 8), chunk_size=5)
    np.testing.assert_array_equal(edges, np.linspace(0, 8, 5))
    np.testing.assert_array_equal(counts, np.histogram(_brute_force(a, b), bins=edges)[0])


def test_identical_samples_put_all_mass_in_first_bin():
    counts, _ = pairwise_distance_histogram(np.ones((5, 4)), bins=3, range=(0, 1))
    assert counts.tolist() == [10, 0, 0]


def test_mismatched_sample_sizes_are_reported():
    with pytest.raises(ValueError, match="same sample size"):
        pairwise_distance_histogram(np.zeros((3, 4)), np.zeros((3, 5)))
