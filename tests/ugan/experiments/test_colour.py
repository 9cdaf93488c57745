"""The histogram JS divergence's known values, and the colour-digits experiment (paper Sec. 3.3.2)
scored by the paper's metric: its data scores low and a one-colour generator high (the metric
itself: ../metrics/test_colour_kde.py; the tiny run through the trainer: test_images.py)."""

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


def score(experiment, images):
    """The colour metrics of ``images``, through the experiment's features and metrics."""
    return experiment.metrics(experiment.features(images), images)


def test_the_data_scores_zero_a_fresh_draw_low_and_a_one_colour_generator_high(experiment):
    """The paper's metric, in bits: 0 for the evaluation's own real images, the floor of finite
    samples for another draw of them, and most of the 1-bit maximum for digits all painted in
    one colour; the chromaticity JS likewise."""
    n = experiment.config.eval_samples
    own = score(experiment, experiment.reference_images(n))
    assert own == {"colour_js": 0.0, "colour_js_se": 0.0, "chroma_js": 0.0, "chroma_js_se": 0.0}
    fresh = score(experiment, experiment.sample_real(np.random.default_rng(3), n))
    assert fresh["colour_js"] < 0.05 and fresh["chroma_js"] < 0.05
    grey = (experiment.images[np.random.default_rng(4).integers(0, len(experiment.images), n)]
            + 1) / 2
    one_colour = 2 * np.array([0.9, 0.3, 0.5], dtype=np.float32)[:, None, None] * grey - 1
    collapsed = score(experiment, one_colour)
    assert collapsed["colour_js"] > 0.7 and collapsed["chroma_js"] > 0.7
    assert 0 < collapsed["colour_js_se"] < 0.02 and 0 < collapsed["chroma_js_se"] < 0.02


def test_dimmer_digits_in_the_right_hues_move_the_paper_metric_but_not_the_chroma_one(experiment):
    n = experiment.config.eval_samples
    real = experiment.sample_real(np.random.default_rng(3), n)
    dimmed = 2 * (0.8 * (real + 1) / 2) - 1
    fresh, dim = score(experiment, real), score(experiment, dimmed)
    assert dim["colour_js"] > 0.05 and dim["colour_js"] > 3 * fresh["colour_js"]
    assert dim["chroma_js"] == pytest.approx(fresh["chroma_js"], abs=1e-6)  # rounding only


def test_the_data_colours_are_clustered_in_slices_with_the_bits_of_one_call(experiment):
    n = experiment.config.eval_samples
    assert n > 500  # more than one slice
    np.testing.assert_array_equal(experiment.data_colours,
                                  cluster_colours(experiment.reference_images(n)))


def test_real_data_are_scored_against_reference_colours_of_another_draw(experiment):
    """The real-data row: real images independent of the reference ones, so above 0 (the
    floor of finite samples), and near the scores of another fresh draw."""
    real = experiment.real_data_metrics(0)
    assert {"colour_js", "colour_js_se", "chroma_js", "chroma_js_se"} <= set(real)
    assert 0 < real["colour_js"] < 0.05 and 0 < real["chroma_js"] < 0.05
    assert real == experiment.real_data_metrics(0)
