"""The conv-GAN experiment (paper Sec. 3.4): its distance metric on known cases, the fixed
reconstruction targets, and a tiny run through the trainer with the files a study reads."""

import json
import math

import numpy as np
import pytest

from best_rank_reference import all_pairings
from ugan import plots
from ugan.experiments.conv import NEIGHBOUR_POOL, ConvExperiment
from ugan.metrics import js_divergence, shared_distance_histograms
from ugan.metrics.inference import reconstruction_errors
from ugan.results import format_table
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
    assert experiment.metrics({}, real)["distance_js"] == 0.0
    collapsed = np.repeat(real[:1], 200, axis=0)
    assert experiment.metrics({}, collapsed)["distance_js"] > 0.9 * math.log(2)


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
        if key != "lbfgs_mse_test":  # the 8x8 digits have no test split
            assert math.isfinite(history[-1][key]), key
    assert "lbfgs_mse" not in history[0]  # L-BFGS runs at the final evaluation only
    errors = np.load(tmp_path / "lbfgs_errors.npy")
    assert errors.shape == (10,) and np.all(errors >= 0)
    assert errors.mean() == pytest.approx(history[-1]["lbfgs_mse"])
    targets = np.load(tmp_path / "lbfgs_targets.npy")
    reconstructions = np.load(tmp_path / "lbfgs_reconstructions.npy")
    assert targets.shape == reconstructions.shape == (10, 1, 8, 8)
    np.testing.assert_allclose(((targets - reconstructions) ** 2).mean(axis=(1, 2, 3)), errors,
                               rtol=1e-5)
    assert "lbfgs_mse_test" not in history[-1] and not (tmp_path / "lbfgs_errors_test.npy").exists()
    assert history[-1]["scale_mean_image_mse"] > history[-1]["scale_nearest_neighbour_mse"] > 0
    distances = np.load(tmp_path / "distances.npz")
    assert distances["samples"].sum() == distances["data"].sum() == 64 * 63 // 2
    # the histograms of the very samples that gave the final distance_js
    assert js_divergence(distances["samples"], distances["data"]) == history[-1]["distance_js"]
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
    """Table 1's best-rank shares: among all the study's K, over every pairing of seeds, from
    the L-BFGS errors each run kept, with a bootstrap interval; they sum to 1 and show in the
    table. Given the study's folder, it draws Figure 4."""
    tiny = {key: value for key, value in TINY.items() if key != "unroll_steps"}
    ks, seeds = [0, 1, 2], [0, 1]
    summary = run_study("demo", ks, seeds, tmp_path, progress=False, experiment="conv", **tiny)
    errors = np.array([[np.load(tmp_path / f"K{k}-seed{seed}" / "lbfgs_errors.npy")
                        for seed in seeds] for k in ks])                  # (K, seeds, images)
    extras = [summary["runs"][str(k)]["extras"] for k in ks]
    shares = [extra["best rank"]["value"] for extra in extras]
    np.testing.assert_allclose(shares, list(all_pairings(dict(enumerate(errors))).values()),
                               rtol=1e-12)
    assert sum(shares) == pytest.approx(1.0)
    for share, extra in zip(shares, extras):
        low, high = extra["best rank"]["interval"]
        assert low <= share <= high
    table = format_table(summary)
    low, high = extras[0]["best rank"]["interval"]
    assert f"{100 * shares[0]:.1f}% [{100 * low:.1f}, {100 * high:.1f}]" in table
    picks = extras[0]["figure 4"]["value"]["images"]
    assert len(picks) == 10 and sorted(picks) == list(range(10))  # 10 targets: all of them
    assert extras[2]["figure 4"]["value"]["mse"] == errors[2, 0, picks].tolist()
    folders = {k: {seed: tmp_path / f"K{k}-seed{seed}" for seed in seeds} for k in ks}
    ConvExperiment.compare_configurations(folders, out_dir=tmp_path)
    assert (tmp_path / "reconstructions.png").stat().st_size > 0


def test_every_finished_seed_takes_part_in_the_ranks(tmp_path):
    errors = {(0, 0): [1.0, 2.0], (0, 1): [1.0, 1.0], (1, 0): [2.0, 1.0]}
    folders = {}
    for (k, seed), values in errors.items():
        folder = tmp_path / f"K{k}-seed{seed}"
        folder.mkdir()
        np.save(folder / "lbfgs_errors.npy", np.array(values))
        folders.setdefault(k, {})[seed] = folder
    compared = ConvExperiment.compare_configurations(folders)
    # K1 has no seed 1; K0's seed 1 is paired with K1's seed 0 all the same.
    # (K0 seed 0, K1 seed 0): K0 image 0, K1 image 1 -> 1/2, 1/2
    # (K0 seed 1, K1 seed 0): K0 image 0, image 1 tied -> 3/4, 1/4
    assert {k: entry["best rank"]["value"] for k, entry in compared.items()} == \
        pytest.approx({0: 0.625, 1: 0.375})
    assert compared[0]["best rank"]["cell"].startswith("62.5% [")


def test_the_scale_of_the_errors_by_hand():
    experiment = tiny_experiment()
    images = experiment.images.reshape(len(experiment.images), -1).astype(np.float64)
    targets = experiment.targets.reshape(10, -1).astype(np.float64)
    scale = experiment.scale()
    mean = ((targets - images.mean(axis=0)) ** 2).mean(axis=1)
    assert scale["scale_mean_image_mse"] == pytest.approx(mean.mean(), rel=1e-6)
    pool = images[:NEIGHBOUR_POOL]                                # all 1,797 digits
    squared = ((targets[:, None] - pool[None]) ** 2).mean(axis=2)
    assert squared[np.arange(10), experiment.target_picks].max() == 0   # each target's copy
    squared[np.arange(10), experiment.target_picks] = np.inf
    assert scale["scale_nearest_neighbour_mse"] == pytest.approx(squared.min(axis=1).mean(),
                                                                 rel=1e-6)
    assert 0 < scale["scale_nearest_neighbour_mse"] < scale["scale_mean_image_mse"]


def test_the_reconstructions_see_the_statistics_the_samples_see(tmp_path):
    """evaluate searches inside evaluation_mode: the Adam errors are those of a search with
    batch norm's statistics re-estimated, not the running statistics of training."""
    experiment = tiny_experiment()
    generator, _ = experiment.build_models()
    record = experiment.evaluate(generator, 2, tmp_path)
    c = experiment.config
    with experiment.evaluation_mode(generator):
        inside = reconstruction_errors(generator, experiment.targets, c.noise_dim,
                                       c.inference_steps, c.inference_lr, 0)
    outside = reconstruction_errors(generator, experiment.targets, c.noise_dim,
                                    c.inference_steps, c.inference_lr, 0)
    assert record["reconstruction_mse"] == pytest.approx(inside.mean(), rel=1e-12)
    assert record["reconstruction_mse"] != pytest.approx(outside.mean(), rel=1e-3)


def test_real_data_scores_near_zero_distance_js_and_carries_the_scale():
    experiment = tiny_experiment(eval_samples=200)
    real = experiment.real_data_metrics(seed=0)
    assert real["distance_js"] < 0.05
    assert {key: real[key] for key in experiment.scale()} == experiment.scale()


def test_held_out_test_images_are_reconstructed_at_the_final_evaluation(tmp_path,
                                                                        small_fashion_mnist):
    experiment = tiny_experiment(dataset="fashion-mnist", inference_steps=2, eval_samples=32)
    assert experiment.test_targets().shape == (10, 1, 28, 28)
    generator, _ = experiment.build_models()
    record = experiment.evaluate(generator, experiment.config.steps, tmp_path)
    errors = np.load(tmp_path / "lbfgs_errors_test.npy")
    assert errors.shape == (10,) and record["lbfgs_mse_test"] == pytest.approx(errors.mean())
    for key in ("scale_mean_image_mse_test", "scale_nearest_neighbour_mse_test"):
        assert 0 < record[key] < 4


def test_figure_4_shows_the_images_the_first_and_last_k_differ_on_most(tmp_path):
    rng = np.random.default_rng(0)
    targets = rng.uniform(-1, 1, (12, 1, 8, 8)).astype(np.float32)
    folders = {}
    for k in (0, 5, 10):
        for seed in (1, 0):
            folder = tmp_path / f"K{k}-seed{seed}"
            folder.mkdir()
            np.save(folder / "lbfgs_errors.npy", rng.random(12))
            np.save(folder / "lbfgs_reconstructions.npy", targets + 0.1 * k)
            np.save(folder / "lbfgs_targets.npy", targets)
            folders.setdefault(k, {})[seed] = folder
    compared = ConvExperiment.compare_configurations(folders, out_dir=tmp_path)
    first, last = (np.load(tmp_path / f"K{k}-seed0" / "lbfgs_errors.npy") for k in (0, 10))
    score = np.abs(first - last) / ((first + last) / 2)
    picks = compared[5]["figure 4"]["value"]["images"]
    np.testing.assert_array_equal(picks, np.argsort(-score)[:10])
    assert (tmp_path / "reconstructions.png").stat().st_size > 0
    with pytest.raises(ValueError, match="reconstruction_panel: expected targets"):
        plots.reconstruction_panel(targets, {"K=0": targets[:3]}, tmp_path / "bad.png")
