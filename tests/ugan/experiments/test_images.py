"""What every image experiment does the same way: a tiny run through the trainer leaves a run
folder with the metrics its study reports, each in its range; a dataset of colour images is
refused where grey digits are needed."""

import json
import math

import numpy as np
import pytest

import minigrad as mg

from tiny_runs import assert_extended_run
from ugan.checkpoint import load_checkpoint, save_checkpoint
from ugan.experiments import EXPERIMENTS, images
from ugan.experiments.colour import ColourExperiment
from ugan.experiments.lstm import LSTMExperiment
from ugan.experiments.stacked import StackedExperiment
from ugan.results import format_table
from ugan.study import run_study
from ugan.train import CHECKPOINT_NAME, GANTrainer

TINY = dict(steps=4, batch_size=8, noise_dim=4, g_width=4, d_width=2, eval_every=2,
            checkpoint_every=2, eval_samples=200, unroll_steps=2)
# experiment -> (channels of its images, {metric: (low, high)})
EXPECTED = {
    LSTMExperiment: (1, {"modes_covered_strict": (0, 10), "confident_modes": (0, 10),
                         "kl_to_uniform": (0, math.log(10) + 1e-9), "pass_share": (0, 1)}),
    StackedExperiment: (3, {"modes_covered": (1, 200),  # at most one mode per evaluated sample
                            "confident_modes": (0, 200), "pass_share": (0, 1),
                            "kl_to_uniform": (0, math.log(1000) + 1e-9)}),
    ColourExperiment: (3, {"colour_js": (0, 1 + 1e-12)}),  # bits
}


@pytest.mark.parametrize("experiment", list(EXPECTED), ids=lambda e: e.name)
def test_a_tiny_run_leaves_a_run_folder_with_metrics_in_range(experiment, tmp_path):
    history = GANTrainer(experiment(experiment.config_from(**TINY)), tmp_path).run(
        progress=False)
    assert [r["step"] for r in history] == [0, 2, 4]
    for name in ("config.json", "metrics.jsonl", "metrics.json", "checkpoint.npz",
                 "samples.png", "metrics.png", "samples/step_0000004.npy"):
        assert (tmp_path / name).exists(), name
    written = json.loads((tmp_path / "metrics.json").read_text())
    final = written["final"]
    assert final == history[-1]
    if experiment.collapse_metric:  # the lowest value after the untrained generator's
        metric, _ = experiment.collapse_metric
        lowest = min(history[1:], key=lambda record: record[metric])
        assert written["fewest_modes"] == {metric: lowest[metric], "step": lowest["step"]}
    else:
        assert "fewest_modes" not in written
    reported = [key for key, _ in experiment.study_columns] + list(experiment.curves)
    assert set(reported) <= set(final)
    channels, ranges = EXPECTED[experiment]
    for key, (low, high) in ranges.items():
        assert low <= final[key] <= high, key
    assert np.isfinite(final["diversity"]) and final["diversity"] > 0
    assert np.load(tmp_path / "samples/step_0000004.npy").shape[1:] == (channels, 8, 8)


@pytest.mark.parametrize("experiment, column", [
    (StackedExperiment, "fewest confident modes during training"),
    (LSTMExperiment, "fewest confident classes during training")], ids=["stacked", "lstm"])
def test_a_study_tables_the_deepest_collapse_of_each_seed(experiment, column):
    metric, _ = experiment.collapse_metric
    runs = [{"fewest_modes": {metric: lowest, "step": 0}} for lowest in (1, 3)]
    assert experiment.study_extras(runs) == {column: {"value": [1, 3], "cell": "2 ± 1 (1, 3)"}}


@pytest.mark.parametrize("experiment", list(EXPECTED), ids=lambda e: e.name)
def test_a_tiny_study_tables_real_data_above_the_untrained_generator(experiment, tmp_path):
    """The baseline rows of an image study: real images scored as samples are (the ceiling),
    and each seed's untrained generator (the floor); the table shows both first."""
    options = {key: value for key, value in TINY.items() if key != "unroll_steps"}
    summary = run_study("demo", [0], [0, 1], tmp_path, False, experiment.name,
                        **{**options, "steps": 2, "eval_samples": 400})
    assert not summary["runs"]["0"]["failed"]
    real = summary["baselines"]["real data"]
    untrained = summary["baselines"]["untrained generator"]
    assert real["seeds"] == untrained["seeds"] == 2
    steps_0 = [entry["history"][0] for entry in summary["runs"]["0"]["per_seed"]]
    assert untrained["diversity"]["values"] == [record["diversity"] for record in steps_0]
    key = {"colour": "colour_js", "stacked": "confident_modes", "lstm": "confident_modes"}[
        experiment.name]
    better = max if key == "confident_modes" else min
    for seed in range(2):
        assert better(real[key]["values"][seed], untrained[key]["values"][seed]) == \
            real[key]["values"][seed] != untrained[key]["values"][seed]
    lines = format_table(summary).splitlines()
    assert lines[2].startswith("| real data | 2 |")
    assert lines[3].startswith("| untrained generator | 2 |")


def test_an_experiment_without_classes_tables_no_collapse():
    assert ColourExperiment.study_extras([{"final": {}}]) == {}


@pytest.mark.parametrize("experiment", list(EXPECTED), ids=lambda e: e.name)
def test_colour_images_are_refused_where_grey_digits_are_needed(experiment, monkeypatch):
    colour_images = np.zeros((20, 3, 8, 8), dtype=np.float32)
    monkeypatch.setattr(images, "load_images",
                        lambda dataset, data_dir: (colour_images, np.arange(20) % 10))
    with pytest.raises(ValueError, match=rf"{experiment.name}: needs single-channel digit "
                                         r"images .* 3 channels"):
        experiment(experiment.config_from(**TINY))


def test_the_lstm_takes_hidden_units_under_their_former_name_g_width():
    config = LSTMExperiment.config_from(g_width=5)
    assert config.hidden_units == 5 and not hasattr(config, "g_width")
    assert LSTMExperiment.config_from(hidden_units=6).hidden_units == 6
    with pytest.raises(ValueError, match="lstm: g_width is the former name of hidden_units"):
        LSTMExperiment.config_from(g_width=5, hidden_units=6)
    with pytest.raises(ValueError, match="stacked: no option hidden_units"):
        StackedExperiment.config_from(hidden_units=6)


def test_an_lstm_checkpoint_that_names_g_width_resumes_exactly(tmp_path):
    """A checkpoint written before the option was called hidden_units holds g_width in its
    configuration: the run continues from it as from one of today's."""
    def train(folder, steps, resume=False):
        config = LSTMExperiment.config_from(**{**TINY, "steps": steps, "eval_every": 4})
        GANTrainer(LSTMExperiment(config), folder).run(resume=resume, progress=False)

    train(tmp_path / "straight", 4)
    train(tmp_path / "old", 2)
    arrays, meta = load_checkpoint(tmp_path / "old" / CHECKPOINT_NAME)
    meta["config"]["g_width"] = meta["config"].pop("hidden_units")
    save_checkpoint(tmp_path / "old" / CHECKPOINT_NAME, arrays, meta)
    train(tmp_path / "old", 4, resume=True)
    assert_extended_run(tmp_path / "straight", tmp_path / "old", former_end=2)


@pytest.mark.parametrize("name", ["lstm", "stacked", "colour", "conv"])
def test_a_run_names_its_device_where_the_default_device_is_another(name, tmp_path):
    """Training and evaluation (generation, classifiers, reconstruction) make their tensors on
    the run's device, whatever minigrad's default device is (array_api_strict's here, which
    refuses to mix devices)."""
    experiment = EXPERIMENTS[name]
    options = {**TINY, "eval_samples": 64, "unroll_steps": 1}
    if name == "conv":
        options.update(inference_images=5, inference_steps=2)
    run = experiment(experiment.config_from(**options))
    mg.set_default_device("strict:device1")
    try:
        history = GANTrainer(run, tmp_path).run(progress=False)
    finally:
        mg.set_default_device("cpu")
    assert [r["step"] for r in history] == [0, 2, 4]
