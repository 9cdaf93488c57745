"""The colour metric and the colour-digits experiment (paper Sec. 3.3.2): the JS divergence's
known values, colour recovery on real colour digits, and a one-colour generator scoring high
(the tiny run through the trainer: test_image_experiments.py)."""

import math

import numpy as np
import pytest

from ugan.data import colorize_digits
from ugan.experiments.colour import ColourExperiment
from ugan.metrics.colour import colour_histogram, recover_colours
from ugan.metrics.divergences import js_divergence


@pytest.fixture(scope="module")
def experiment():
    return ColourExperiment(ColourExperiment.config_from())


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


def test_colour_histogram_puts_each_colour_in_its_cell():
    colours = np.array([[0.0, 0.0, 0.0], [1.0, 1.0, 1.0], [0.3, 0.6, 0.99], [-0.2, 1.5, 0.5]])
    histogram = colour_histogram(colours, bins=4)
    assert histogram.shape == (4, 4, 4) and histogram.sum() == pytest.approx(1)
    for cell in [(0, 0, 0), (3, 3, 3), (1, 2, 3), (0, 3, 2)]:
        assert histogram[cell] == pytest.approx(0.25), cell


def test_recovered_colours_match_the_true_ones_on_real_colour_digits(experiment):
    digits = experiment.images[:1000]
    tinted, true_colours = colorize_digits((digits + 1) / 2, np.random.default_rng(2))
    error = np.abs(recover_colours(2 * tinted - 1) - true_colours)
    assert np.mean(error.max(axis=1) < 1e-6) > 0.95  # digits that reach full intensity
    assert error.max() <= 0.125 + 1e-6  # every digit reaches at least 14/16


def test_real_samples_score_low_and_a_one_colour_generator_high(experiment):
    n = experiment.config.eval_samples
    real = experiment.sample_real(np.random.default_rng(3), n)
    assert real.shape == (n, 3, 8, 8) and real.min() >= -1 and real.max() <= 1
    assert experiment.metrics(real)["colour_js"] < 0.03  # the floor of two finite draws
    grey = (experiment.images[np.random.default_rng(4).integers(0, len(experiment.images), n)]
            + 1) / 2
    one_colour = 2 * np.array([0.9, 0.3, 0.5], dtype=np.float32)[:, None, None] * grey - 1
    assert experiment.metrics(one_colour)["colour_js"] > 0.6


def test_recover_colours_names_the_expected_shape():
    with pytest.raises(ValueError, match=r"recover_colours: expected RGB images .*\(2, 1, 8, 8\)"):
        recover_colours(np.zeros((2, 1, 8, 8)))
