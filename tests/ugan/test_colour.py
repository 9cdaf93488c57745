"""The histogram JS divergence's known values, and the colour-digits experiment (paper Sec. 3.3.2)
scored by the paper's metric: its data scores low and a one-colour generator high (the metric
itself: test_colour_kde.py; the tiny run through the trainer: test_image_experiments.py)."""

import math

import numpy as np
import pytest

from ugan.experiments.colour import ColourExperiment
from ugan.metrics.colour_kde import cluster_colours
from ugan.metrics.divergences import js_divergence


@pytest.fixture(scope="module")
def experiment():
    return ColourExperiment(ColourExperiment.config_from(eval_samples=2000))


def test_js_of_identical_histograms_is_zero_and_of_disjoint_ones_log_2():
    p = np.random.default_rng(0).uniform(size=(4, 4, 4))
    assert js_divergence(p, 3 * p) == pytest.approx(0, abs=1e-12)  # counts are normalised
    q, r = np.zeros(10), np.zeros(10)
    q[:3], r[5:] = 1, 2
    assert js_divergence(q, r) == pytest.approx(math.log(2))


def test_js_is_symmetric_and_between_0_and_log_2():
    rng = np.random.default_rng(1)
    for _ in range(5):
        p, q = rng.dirichlet(np.full(20, 0.3), size=2)
        assert js_divergence(p, q) == pytest.approx(js_divergence(q, p), rel=1e-12)
        assert 0 < js_divergence(p, q) < math.log(2)


def test_js_names_mismatched_shapes():
    with pytest.raises(ValueError, match=r"js_divergence: .*\(8, 8, 8\) and \(4, 4, 4\)"):
        js_divergence(np.ones((8, 8, 8)), np.ones((4, 4, 4)))


def test_real_samples_are_gaussian_colour_digits_in_range(experiment):
    real = experiment.sample_real(np.random.default_rng(3), 500)
    assert real.shape == (500, 3, 8, 8) and real.min() >= -1 and real.max() <= 1
    colours = cluster_colours(real)
    assert abs(colours.mean() - 0.5) < 0.1  # about the Gaussian's mean, COLOUR_MEAN


def test_the_data_scores_zero_a_fresh_draw_low_and_a_one_colour_generator_high(experiment):
    """The paper's metric, in bits: 0 for the evaluation's own real images, the floor of finite
    samples for another draw of them, and most of the 1-bit maximum for digits all painted in
    one colour."""
    n = experiment.config.eval_samples
    assert experiment.metrics(experiment.reference_images(n))["colour_js"] == 0.0
    assert experiment.metrics(experiment.sample_real(np.random.default_rng(3), n))[
        "colour_js"] < 0.05
    grey = (experiment.images[np.random.default_rng(4).integers(0, len(experiment.images), n)]
            + 1) / 2
    one_colour = 2 * np.array([0.9, 0.3, 0.5], dtype=np.float32)[:, None, None] * grey - 1
    assert experiment.metrics(one_colour)["colour_js"] > 0.7
