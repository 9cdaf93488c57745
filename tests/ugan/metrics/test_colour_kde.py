"""The paper's colour metric (ugan/metrics/colour_kde.py) on known distributions, and the
Gaussian colour digits it is measured on (ugan/data/colour_digits.py)."""

import numpy as np
import pytest
from scipy.special import logsumexp
from scipy.stats import norm

from ugan.data import gaussian_colour_digits
from ugan.metrics import colour_kde
from ugan.metrics import cluster_colours, colour_js_divergence, kde_js_divergence, scott_bandwidth
from ugan.metrics.colour_kde import (chroma_js_with_error, chromaticities, kde_js_with_error)


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


def gaussian_colours(n, seed, mean=0.5, std=0.25):
    """Colours as the colour digits draw them: a Gaussian clipped to [0, 1]^3."""
    return np.clip(np.random.default_rng(seed).normal(mean, std, (n, 3)), 0.0, 1.0)


def test_the_estimate_with_its_error_is_the_estimate_bit_for_bit():
    p, q = gaussian_colours(300, 0), gaussian_colours(200, 1, std=0.1)
    for samples, seed in ((10, 0), (4000, 3)):
        js, error = kde_js_with_error(p, q, 0.05, samples, seed)
        assert js == kde_js_divergence(p, q, 0.05, samples, seed) and error > 0
    assert kde_js_with_error(p, p, 0.05) == (0.0, 0.0)


def test_the_standard_error_is_the_formula_and_shrinks_as_one_over_root_samples():
    p, q, h = gaussian_colours(300, 0), gaussian_colours(200, 1, std=0.1), 0.05
    a, b = (terms / np.log(2) for terms in colour_kde._js_terms(p, q, h, 1000, 0, "test"))
    assert kde_js_with_error(p, q, h, 1000, 0)[1] == pytest.approx(
        0.5 * np.sqrt(a.var(ddof=1) / 1000 + b.var(ddof=1) / 1000), rel=1e-12)
    errors = [kde_js_with_error(p, q, h, samples, 0)[1] for samples in (1000, 16000)]
    assert errors[0] / errors[1] == pytest.approx(4.0, rel=0.1)  # sqrt(16000 / 1000)


def test_the_standard_error_is_the_spread_of_the_estimate_over_monte_carlo_seeds():
    p, q, h = gaussian_colours(300, 0), gaussian_colours(200, 1, std=0.1), 0.05
    estimates = [kde_js_with_error(p, q, h, 500, seed) for seed in range(60)]
    spread = np.std([js for js, _ in estimates], ddof=1)
    # the spread of 60 draws is itself uncertain by about 1/sqrt(2 * 59) = 9%
    assert np.mean([error for _, error in estimates]) == pytest.approx(spread, rel=0.3)


def test_the_standard_error_needs_two_samples():
    with pytest.raises(ValueError, match="kde_js_with_error: a standard error needs samples"):
        kde_js_with_error(gaussian_colours(5, 0), gaussian_colours(5, 1), 0.1, samples=1)


def test_chromaticities_divide_out_the_intensity_with_a_floor():
    colours = np.array([[0.2, 0.3, 0.5], [0.4, 0.6, 1.0], [0.0, 0.0, 0.0], [1e-4, 0.0, 0.0]])
    np.testing.assert_allclose(chromaticities(colours),
                               [[0.2, 0.3], [0.2, 0.3], [0.0, 0.0], [0.1, 0.0]], rtol=1e-12)
    with pytest.raises(ValueError, match=r"chromaticities: expected RGB colours \(n, 3\)"):
        chromaticities(np.ones((4, 2)))


def test_dimming_every_colour_moves_the_chroma_js_near_0_while_the_papers_js_grows():
    data, model = gaussian_colours(2000, 0), gaussian_colours(2000, 1)
    bandwidth = scott_bandwidth(data)
    assert chroma_js_with_error(data, 0.8 * data)[0] == pytest.approx(0.0, abs=1e-12)
    assert kde_js_divergence(data, 0.8 * data, bandwidth) > 0.1
    fresh_chroma, dim_chroma = (chroma_js_with_error(data, m)[0] for m in (model, 0.8 * model))
    fresh, dim = (kde_js_divergence(data, m, bandwidth) for m in (model, 0.8 * model))
    assert dim_chroma == pytest.approx(fresh_chroma, abs=1e-9) and fresh_chroma < 0.02
    assert fresh < 0.03 < 0.1 < dim


def test_the_chroma_js_sees_a_collapse_of_hues_and_uses_scotts_bandwidth_on_the_data():
    data = gaussian_colours(2000, 0)
    one_hue = np.outer(np.random.default_rng(1).uniform(0.3, 1.0, 2000), [0.9, 0.3, 0.5])
    assert chroma_js_with_error(data, one_hue)[0] > 0.7
    chroma = chromaticities(data)
    assert chroma_js_with_error(data, one_hue) == kde_js_with_error(
        chroma, chromaticities(one_hue), scott_bandwidth(chroma))
    assert scott_bandwidth(chroma) == pytest.approx(2000 ** (-1 / 6) * chroma.std(axis=0).mean())


def test_colours_clustered_in_slices_equal_one_call_bit_for_bit():
    images, _ = gaussian_colour_digits(stroke_images(257), np.random.default_rng(6))
    whole = cluster_colours(images)
    for size in (1, 50, 100, 256):
        np.testing.assert_array_equal(
            np.concatenate([cluster_colours(images[s:s + size]) for s in range(0, 257, size)]),
            whole)
