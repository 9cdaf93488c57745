"""The conv-GAN experiment (paper Sec. 3.4): its distance metric on known cases, the fixed
reconstruction targets, and a tiny run through the trainer with the files a study reads."""

import json
import math

import numpy as np
import pytest

from ugan import plots
from ugan.experiments.conv import ConvExperiment
from ugan.metrics import js_divergence, shared_distance_histograms
from ugan.study import format_summary, run_study
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
        for key in ConvExperiment.curves:
            assert math.isfinite(record[key]), (record["step"], key)
    for key, _ in ConvExperiment.study_columns:
        assert math.isfinite(history[-1][key]), key
    assert "lbfgs_mse" not in history[0]  # L-BFGS runs at the final evaluation only
    errors = np.load(tmp_path / "lbfgs_errors.npy")
    assert errors.shape == (10,) and np.all(errors >= 0)
    assert errors.mean() == pytest.approx(history[-1]["lbfgs_mse"])
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


def test_a_conv_study_ranks_every_k_against_all_the_others_on_the_same_images(tmp_path):
    """Table 1's best-rank shares: among all the study's K, seed by seed, from the L-BFGS
    errors each run kept; they sum to 1 and show in the table."""
    tiny = {key: value for key, value in TINY.items() if key != "unroll_steps"}
    ks, seeds = [0, 1, 2], [0, 1]
    summary = run_study("demo", ks, seeds, tmp_path, progress=False, experiment="conv", **tiny)
    errors = np.array([[np.load(tmp_path / f"K{k}-seed{seed}" / "lbfgs_errors.npy")
                        for seed in seeds] for k in ks])                  # (K, seeds, images)
    best = errors == errors.min(axis=0)
    expected = (best / best.sum(axis=0)).mean(axis=(1, 2))
    shares = [summary["runs"][str(k)]["extras"]["best rank"]["value"] for k in ks]
    np.testing.assert_allclose(shares, expected)
    assert sum(shares) == pytest.approx(1.0)
    table = format_summary(summary, ConvExperiment.study_columns)
    assert f"{100 * shares[0]:.1f}%" in table.splitlines()[2]


def test_a_seed_missing_from_one_k_is_left_out_of_the_ranks(tmp_path):
    errors = {(0, 0): [1.0, 2.0], (0, 1): [1.0, 1.0], (1, 0): [2.0, 1.0]}
    folders = {}
    for (k, seed), values in errors.items():
        folder = tmp_path / f"K{k}-seed{seed}"
        folder.mkdir()
        np.save(folder / "lbfgs_errors.npy", np.array(values))
        folders.setdefault(k, {})[seed] = folder
    compared = ConvExperiment.compare_configurations(folders)
    assert {k: entry["best rank"]["value"] for k, entry in compared.items()} == {0: 0.5, 1: 0.5}
    assert compared[0]["best rank"]["cell"] == "50.0%"
