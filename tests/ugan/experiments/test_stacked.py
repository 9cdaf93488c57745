"""The stacked-digits experiment (paper Sec. 3.3.1): real stacked data scores all 1000 modes,
confidently, at the evaluation sample size, noise many modes but almost none confidently, and a
collapsed generator one (the tiny run through
the trainer: test_images.py)."""

import math

import numpy as np
import pytest

from ugan.data import stack_digits
from ugan.experiments.stacked import StackedExperiment


@pytest.fixture(scope="module")
def experiment():
    return StackedExperiment(StackedExperiment.config_from())


def test_real_samples_are_three_stacked_digits_in_range(experiment):
    real = experiment.sample_real(np.random.default_rng(0), 50)
    assert experiment.image_shape == (3, 8, 8)
    assert real.shape == (50, 3, 8, 8) and real.dtype == np.float32
    assert real.min() >= -1 and real.max() <= 1
    assert not np.array_equal(real[:, 0], real[:, 1])  # channels drawn independently


def score(experiment, images):
    """The experiment's metrics of a batch of images, as an evaluation scores them."""
    metrics, _ = experiment.score(iter([images]))
    return metrics


def test_the_classifier_recovers_the_modes_of_real_stacked_digits(experiment):
    images, modes = stack_digits(experiment.images, experiment.labels, 2000,
                                 np.random.default_rng(1))
    assert np.mean(experiment.features(images)["mode"] == modes) > 0.95


def test_real_data_covers_all_1000_modes_confidently_at_the_evaluation_size(experiment):
    assert experiment.config.eval_samples == 25600
    scores = experiment.real_data_metrics(seed=2)
    assert scores["modes_covered"] == 1000 and scores["confident_modes"] >= 990
    assert scores["kl_to_uniform"] < 0.1  # finite-sample KL of a uniform draw is ~0.02
    assert scores["kl_to_real"] < scores["kl_to_uniform"] + 0.01
    # each of the three labels passes for >= 90% of real images: about 0.9^3 of the triples
    assert 0.7 < scores["pass_share"] <= 1


def test_noise_hits_many_modes_but_holds_almost_none_confidently(experiment):
    noise = np.random.default_rng(4).uniform(-1, 1, (5000, 3, 8, 8)).astype(np.float32)
    scores = score(experiment, noise)
    assert scores["confident_modes"] < 0.1 * scores["modes_covered"]
    assert scores["pass_share"] < 0.05


def test_a_collapsed_generator_covers_one_mode(experiment):
    one = experiment.sample_real(np.random.default_rng(3), 1)
    scores = score(experiment, np.repeat(one, 2000, axis=0))
    assert scores["modes_covered"] == 1 and scores["confident_modes"] <= 1
    assert scores["kl_to_uniform"] == pytest.approx(math.log(1000))


def test_chunks_score_as_one_batch(experiment, monkeypatch):
    images = experiment.sample_real(np.random.default_rng(5), 1200)
    whole = score(experiment, images)
    chunked, kept = experiment.score(iter([images[:500], images[500:1000], images[1000:]]))
    assert chunked == whole and np.array_equal(kept, images)


def test_stacked_rejects_single_channel_images(experiment):
    with pytest.raises(ValueError, match=r"stacked: expected stacked images .*\(5, 1, 8, 8\)"):
        experiment.features(np.zeros((5, 1, 8, 8), dtype=np.float32))


def test_config_from_names_an_unknown_option():
    with pytest.raises(ValueError, match="stacked: no option g_hidden"):
        StackedExperiment.config_from(g_hidden=3)


def test_the_deepest_collapse_after_the_start_is_kept(experiment):
    """metrics.json keeps the fewest modes at any evaluation but the first (the untrained
    generator's); a study tables them (test_images.py)."""
    history = [{"step": step, "confident_modes": modes, "kl_to_uniform": 1.0, "diversity": 0.5}
               for step, modes in [(0, 5), (100, 40), (200, 12), (300, 30)]]
    fewest = experiment.final_metrics(history)["fewest_modes"]
    assert fewest == {"confident_modes": 12, "step": 200}
