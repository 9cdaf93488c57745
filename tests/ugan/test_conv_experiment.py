"""The conv-GAN experiment (paper Sec. 3.4): its distance metric on known cases, the fixed
reconstruction targets, and a tiny run through the trainer with the files a study reads."""

import json
import math

import numpy as np
import pytest

from ugan import plots
from ugan.experiments.conv import ConvExperiment
from ugan.metrics import js_divergence, shared_distance_histograms
from ugan.study import run_study
from ugan.train import GANTrainer

TINY = dict(steps=4, batch_size=16, noise_dim=8, g_width=8, d_width=4, eval_every=2,
            checkpoint_every=2, eval_samples=64, inference_images=10, inference_steps=5,
            unroll_steps=1)


def tiny_experiment(**overrides):
    return ConvExperiment(ConvExperiment.config_from(**{**TINY, **overrides}))


def test_distance_js_is_zero_for_the_data_and_near_log_2_for_one_repeated_image():
    experiment = tiny_experiment()
    real = experiment.reference_images(200)
    assert experiment.metrics(real)["distance_js"] == 0.0
    collapsed = np.repeat(real[:1], 200, axis=0)
    assert experiment.metrics(collapsed)["distance_js"] > 0.9 * math.log(2)


def test_shared_histograms_span_both_sets_and_equal_sets_have_zero_js():
    rng = np.random.default_rng(0)
    small, large = rng.normal(size=(30, 5)), 3 * rng.normal(size=(40, 5))
    counts_small, counts_large, edges = shared_distance_histograms(small, large, bins=10)
    assert counts_small.sum() == 30 * 29 // 2 and counts_large.sum() == 40 * 39 // 2
    assert edges[0] == 0 and counts_large[-1] >= 1 and counts_small[-3:].sum() == 0
    assert js_divergence(counts_small, counts_large) > 0.1
    same, again, _ = shared_distance_histograms(small, small.copy(), bins=10)
    assert js_divergence(same, again) == 0.0


def test_the_distance_figure_needs_a_count_per_bin(tmp_path):
    edges = np.linspace(0, 1, 6)
    plots.distance_histograms(edges, {"data": np.arange(5), "K=0": np.ones(5)}, tmp_path / "a.png")
    assert (tmp_path / "a.png").stat().st_size > 0
    with pytest.raises(ValueError, match="one count per bin of edges"):
        plots.distance_histograms(edges, {"data": np.ones(4)}, tmp_path / "b.png")


def test_reconstruction_targets_are_distinct_images_shared_by_every_seed():
    a, b = tiny_experiment(seed=0), tiny_experiment(seed=3)
    np.testing.assert_array_equal(a.targets, b.targets)
    assert a.targets.shape == (10, 1, 8, 8)
    assert len(np.unique(a.targets.reshape(10, -1), axis=0)) == 10
    with pytest.raises(ValueError, match=r"conv: inference_images must lie in 1\.\.1797"):
        tiny_experiment(inference_images=5000)


def test_a_tiny_run_writes_finite_metrics_errors_and_distance_figure(tmp_path):
    history = GANTrainer(tiny_experiment(), tmp_path).run(progress=False)
    assert [r["step"] for r in history] == [0, 2, 4]
    for record in history:
        for key in ConvExperiment.curves + tuple(key for key, _ in ConvExperiment.study_columns):
            assert math.isfinite(record[key]), (record["step"], key)
    errors = np.load(tmp_path / "reconstruction_errors.npy")
    assert errors.shape == (10,) and np.all(errors >= 0)
    assert errors.mean() == pytest.approx(history[-1]["reconstruction_mse"])
    distances = np.load(tmp_path / "distances.npz")
    assert distances["samples"].sum() == distances["data"].sum() == 64 * 63 // 2
    assert js_divergence(distances["samples"], distances["data"]) == pytest.approx(
        history[-1]["distance_js"])
    final = json.loads((tmp_path / "metrics.json").read_text())["final"]
    assert final["step"] == 4
    for name in ("distances.png", "metrics.png", "samples.png"):
        assert (tmp_path / name).stat().st_size > 0


def test_unknown_options_are_reported():
    with pytest.raises(ValueError, match="conv: no option g_hidden"):
        ConvExperiment.config_from(g_hidden=3)


def test_evaluating_leaves_the_generator_exactly_as_it_was(tmp_path):
    """Sampling in training mode updates batch norm's running statistics; evaluation puts them
    back, so a checkpoint does not depend on how often the run was evaluated."""
    experiment = tiny_experiment()
    generator, _ = experiment.build_models()
    before = {name: t.numpy() for name, t in generator.state_dict().items()}
    experiment.evaluate(generator, 0, tmp_path)
    for name, value in generator.state_dict().items():
        np.testing.assert_array_equal(value.numpy(), before[name], err_msg=name)


def test_a_conv_study_compares_each_k_with_the_first_seed_by_seed(tmp_path):
    tiny = {key: value for key, value in TINY.items() if key != "unroll_steps"}
    run_study("demo", [0, 1], [0], tmp_path, progress=False, experiment="conv", **tiny)
    runs = json.loads((tmp_path / "summary.json").read_text())["runs"]
    errors = {k: np.load(tmp_path / f"K{k}-seed0" / "reconstruction_errors.npy") for k in (0, 1)}
    wins = runs["1"]["extras"]["wins against the first K"]["value"]
    assert wins == [float(np.mean(errors[1] < errors[0]) + 0.5 * np.mean(errors[1] == errors[0]))]
    assert runs["0"]["extras"]["wins against the first K"]["value"] == [0.5]
