"""The stacked-digits experiment (paper Sec. 3.3.1): real stacked data scores (nearly) all 1000
modes at the evaluation sample size, and a collapsed generator scores one (the tiny run through
the trainer: test_image_experiments.py)."""

import math

import numpy as np
import pytest

from ugan.data import stack_digits
from ugan.experiments.stacked import StackedExperiment, stacked_modes


@pytest.fixture(scope="module")
def experiment():
    return StackedExperiment(StackedExperiment.config_from())


def test_real_samples_are_three_stacked_digits_in_range(experiment):
    real = experiment.sample_real(np.random.default_rng(0), 50)
    assert experiment.image_shape == (3, 8, 8)
    assert real.shape == (50, 3, 8, 8) and real.dtype == np.float32
    assert real.min() >= -1 and real.max() <= 1
    assert not np.array_equal(real[:, 0], real[:, 1])  # channels drawn independently


def test_the_classifier_recovers_the_modes_of_real_stacked_digits(experiment):
    images, modes = stack_digits(experiment.images, experiment.labels, 2000,
                                 np.random.default_rng(1))
    assert np.mean(stacked_modes(experiment.classifier, images) == modes) > 0.95


def test_real_data_covers_nearly_all_1000_modes_at_the_evaluation_size(experiment):
    assert experiment.config.eval_samples == 10000
    real = experiment.sample_real(np.random.default_rng(2), experiment.config.eval_samples)
    scores = experiment.metrics(real)
    assert scores["modes_covered"] >= 990
    assert scores["kl_to_uniform"] < 0.1  # finite-sample KL of a uniform draw is ~0.05


def test_a_collapsed_generator_covers_one_mode(experiment):
    one = experiment.sample_real(np.random.default_rng(3), 1)
    scores = experiment.metrics(np.repeat(one, experiment.config.eval_samples, axis=0))
    assert scores["modes_covered"] == 1
    assert scores["kl_to_uniform"] == pytest.approx(math.log(1000))


def test_stacked_modes_rejects_single_channel_images(experiment):
    with pytest.raises(ValueError,
                       match=r"stacked_modes: expected stacked images .*\(5, 1, 8, 8\)"):
        stacked_modes(experiment.classifier, np.zeros((5, 1, 8, 8)))


def test_config_from_names_an_unknown_option():
    with pytest.raises(ValueError, match="stacked: no option g_hidden"):
        StackedExperiment.config_from(g_hidden=3)


def test_the_deepest_collapse_after_the_start_is_kept(experiment):
    """metrics.json keeps the fewest modes at any evaluation but the first (the untrained
    generator's); a study tables them (test_image_experiments.py)."""
    history = [{"step": step, "modes_covered": modes, "kl_to_uniform": 1.0, "diversity": 0.5}
               for step, modes in [(0, 5), (100, 40), (200, 12), (300, 30)]]
    fewest = experiment.final_metrics(history)["fewest_modes"]
    assert fewest == {"modes_covered": 12, "step": 200}
