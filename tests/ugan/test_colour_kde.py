"""The paper's colour metric (ugan/metrics/colour_kde.py) on known distributions, and the
Gaussian colour digits it is measured on (ugan/data/colour_digits.py)."""

import numpy as np
import pytest
from scipy.special import logsumexp
from scipy.stats import norm

from ugan.data import gaussian_colour_digits
from ugan.metrics import colour_kde
from ugan.metrics import cluster_colours, colour_js_divergence, kde_js_divergence, scott_bandwidth


def stroke_images(n, side=8, seed=0):
    """Grey images in [0, 1] whose strokes are solid (d = 1 on a random 30% of the pixels, at
    least one), so that a painted image's foreground holds exactly its colour."""
    rng = np.random.default_rng(seed)
    images = (rng.random((n, side, side)) < 0.3).astype(np.float64)
    images[:, 0, 0] = 1.0
    return images


def test_identical_colour_sets_are_zero_bits_apart():
    colours = np.random.default_rng(0).random((300, 3))
    assert kde_js_divergence(colours, colours, 0.05) == 0.0


def test_colour_sets_with_no_common_support_are_one_bit_apart():
    rng = np.random.default_rng(0)
    dark = 0.1 + 0.02 * rng.standard_normal((200, 3))
    light = 0.9 + 0.02 * rng.standard_normal((150, 3))
    assert kde_js_divergence(dark, light, 0.02) == pytest.approx(1.0, abs=1e-9)


def test_the_monte_carlo_estimate_matches_quadrature_of_two_overlapping_kdes():
    """One-channel KDEs, so that the integral can be done on a fine grid."""
    p, q, h = np.array([[0.2], [0.35], [0.6]]), np.array([[0.3], [0.5], [0.55], [0.9]]), 0.1
    grid = np.linspace(-1.0, 2.0, 300001)
    density_p = norm.pdf(grid[:, None], p.T, h).mean(axis=1)
    density_q = norm.pdf(grid[:, None], q.T, h).mean(axis=1)
    middle = (density_p + density_q) / 2
    exact = (np.trapezoid(density_p * np.log2(density_p / middle), grid)
             + np.trapezoid(density_q * np.log2(density_q / middle), grid)) / 2
    # the estimate's standard deviation over seeds is 0.0018 at 20,000 samples: allow four
    assert kde_js_divergence(p, q, h, samples=20000) == pytest.approx(exact, abs=0.007)


def test_clustering_recovers_the_colours_of_solid_strokes():
    images = stroke_images(200)
    rng = np.random.default_rng(1)
    coloured, colours = gaussian_colour_digits(images, rng, noise=0.0)
    np.testing.assert_allclose(cluster_colours(coloured), colours, atol=1e-6)
    noisy, colours = gaussian_colour_digits(images, rng)
    # pixel noise 0.02 in [-1, 1] is 0.01 in colour units, averaged over 19 pixels or more
    np.testing.assert_allclose(cluster_colours(noisy), colours, atol=0.01)


def test_gaussian_colours_have_the_asked_mean_and_spread_and_paint_only_the_strokes():
    images = stroke_images(4000)
    coloured, colours = gaussian_colour_digits(images, np.random.default_rng(2), mean=0.5,
                                               std=0.1, noise=0.0)
    assert coloured.shape == (4000, 3, 8, 8) and coloured.dtype == np.float32
    np.testing.assert_allclose(colours.mean(axis=0), 0.5, atol=0.01)
    np.testing.assert_allclose(colours.std(axis=0), 0.1, atol=0.01)
    background = np.broadcast_to((images == 0)[:, None], coloured.shape)
    assert np.all(coloured[background] == -1.0)


def test_gaussian_colour_digits_refuse_images_outside_zero_one():
    with pytest.raises(ValueError, match=r"gaussian_colour_digits: images must lie in \[0, 1\]"):
        gaussian_colour_digits(np.full((2, 4, 4), 2.0), np.random.default_rng(0))


def test_a_model_that_paints_a_narrower_spread_of_colours_is_further_from_the_data():
    images = stroke_images(600)
    data, _ = gaussian_colour_digits(images, np.random.default_rng(3))
    same, _ = gaussian_colour_digits(stroke_images(600, seed=1), np.random.default_rng(4))
    divergences = [colour_js_divergence(data, same)[0]]
    for std in (0.1, 0.02):
        model, _ = gaussian_colour_digits(images, np.random.default_rng(5), std=std)
        divergences.append(colour_js_divergence(data, model)[0])
    assert divergences[0] < 0.1 < divergences[1] < divergences[2]


def test_scott_bandwidth_and_its_refusal_of_a_single_colour():
    colours = np.random.default_rng(0).normal(0.5, 0.2, (1000, 3))
    expected = 1000 ** (-1 / 7) * colours.std(axis=0).mean()
    assert scott_bandwidth(colours) == pytest.approx(expected, rel=1e-12)
    with pytest.raises(ValueError, match="scott_bandwidth: the colours are all equal"):
        scott_bandwidth(np.full((5, 3), 0.5))


def test_distances_added_channel_by_channel_equal_numpys_sum_over_the_channels_bit_for_bit():
    """The clustering's and the KDE's distances skip the (..., 3) array of squared differences;
    adding its channels in order must give what ``.sum(axis=-1)`` of that array gives, so that
    the metric's values are those it gave before."""
    rng = np.random.default_rng(0)
    pixels, centre = rng.random((5, 40, 3)), rng.random((5, 3))
    np.testing.assert_array_equal(colour_kde._squared_distances(pixels, centre),
                                  ((pixels - centre[:, None, :]) ** 2).sum(axis=2))
    points, centres = rng.random((7, 3)), rng.random((9, 3))
    squared = ((points[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2)
    np.testing.assert_allclose(  # log of 1/9 sum_j N(x; c_j, 0.1^2 I_3)
        colour_kde._log_density(points, centres, 0.1),
        logsumexp(-squared / (2 * 0.1 ** 2), axis=1) - np.log(9) - 1.5 * np.log(2 * np.pi * 0.01),
        rtol=1e-12)
