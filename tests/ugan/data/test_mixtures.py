import numpy as np
import pytest

from ugan.data import GaussianMixture, grid_of_gaussians, ring_of_gaussians


def _nearest(samples, centers):
    return np.linalg.norm(samples[:, None, :] - centers[None], axis=-1).argmin(1)


def test_ring_centres_have_radius_two_and_are_45_degrees_apart():
    centers = ring_of_gaussians().centers
    assert centers.shape == (8, 2) and centers.dtype == np.float64
    np.testing.assert_allclose(np.linalg.norm(centers, axis=1), 2.0)
    angles = np.degrees(np.arctan2(centers[:, 1], centers[:, 0])) % 360
    np.testing.assert_allclose(angles, 45.0 * np.arange(8), atol=1e-9)


def test_grid_has_25_distinct_centres_on_the_standard_lattice():
    centers = grid_of_gaussians().centers
    assert centers.shape == (25, 2)
    assert len({tuple(c) for c in centers}) == 25
    for axis in range(2):
        np.testing.assert_allclose(np.unique(centers[:, axis]), [-4, -2, 0, 2, 4])


@pytest.mark.parametrize("mixture", [ring_of_gaussians(), grid_of_gaussians()],
                         ids=["ring", "grid"])
def test_samples_spread_std_around_every_mode(mixture):
    samples = mixture.sample(20_000, np.random.default_rng(0))
    assert samples.shape == (20_000, 2) and samples.dtype == np.float32
    nearest = _nearest(samples, mixture.centers)
    assert np.bincount(nearest, minlength=mixture.n_modes).min() > 0
    residual = samples - mixture.centers[nearest]
    assert abs(residual.std() - 0.02) < 0.001


def test_sampling_is_reproducible_with_a_seeded_generator():
    ring = ring_of_gaussians()
    a = ring.sample(100, np.random.default_rng(42), dtype=np.float64)
    b = ring.sample(100, np.random.default_rng(42), dtype=np.float64)
    assert a.dtype == np.float64
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, ring.sample(100, np.random.default_rng(43), dtype=np.float64))


def test_mixture_is_immutable_and_validates_its_arguments():
    ring = ring_of_gaussians()
    with pytest.raises(ValueError):
        ring.centers[0, 0] = 5.0
    with pytest.raises(ValueError, match=r"shape \(n_modes, 2\)"):
        GaussianMixture(centers=np.zeros((3, 3)), std=0.1)
    with pytest.raises(ValueError, match="std must be positive"):
        GaussianMixture(centers=np.zeros((3, 2)), std=0.0)
    with pytest.raises(ValueError, match="non-negative integer"):
        ring.sample(-1, np.random.default_rng(0))
