"""Tiny mixture runs (a second each) for the tests of the training loop and run folders, and
trainers compared array by array."""

import dataclasses

import numpy as np

from ugan import jsonfile
from ugan.checkpoint import load_checkpoint
from ugan.experiments.mixture import MixtureExperiment
from ugan.train import CHECKPOINT_NAME, GANTrainer

TINY = dict(steps=6, batch_size=16, noise_dim=4, g_hidden=8, d_hidden=8, eval_every=2,
            checkpoint_every=3, eval_samples=64, unroll_steps=2, g_lr=1e-3, d_lr=1e-3)
TINY_FLAGS = ["--batch-size", "16", "--eval-every", "2", "--unroll-steps", "2", "--no-progress"]


def tiny_config(**overrides):
    return MixtureExperiment.config_from("paper", **{**TINY, **overrides})


def train(out_dir, resume=False, **overrides):
    return GANTrainer(MixtureExperiment(tiny_config(**overrides)), out_dir).run(
        resume=resume, progress=False)


def assert_same_run(dir_a, dir_b):
    assert_same_checkpoint(dir_a, dir_b)
    assert (dir_a / "metrics.jsonl").read_text() == (dir_b / "metrics.jsonl").read_text()


def assert_extended_run(straight, extended, former_end):
    """``extended`` (a run of ``former_end`` iterations, continued) trained as ``straight`` did,
    and holds its records plus the one of its former end, kept where it stands."""
    assert_same_checkpoint(straight, extended)
    lines = (extended / "metrics.jsonl").read_text().splitlines(keepends=True)
    steps = [jsonfile.loads(line)["step"] for line in lines]
    assert steps == sorted(steps) and steps.count(former_end) == 1
    del lines[steps.index(former_end)]
    assert "".join(lines) == (straight / "metrics.jsonl").read_text()


def assert_same_checkpoint(dir_a, dir_b):
    arrays_a, meta_a = load_checkpoint(dir_a / CHECKPOINT_NAME)
    arrays_b, meta_b = load_checkpoint(dir_b / CHECKPOINT_NAME)
    assert meta_a["step"] == meta_b["step"]
    assert meta_a["rng"] == meta_b["rng"] and meta_a["optimizers"] == meta_b["optimizers"]
    assert sorted(arrays_a) == sorted(arrays_b)
    for name in arrays_a:
        np.testing.assert_array_equal(arrays_a[name], arrays_b[name], err_msg=name)


def trainer_arrays(trainer):
    return trainer.layout.arrays()[0]


def assert_same_trainers(a, b):
    arrays_a, arrays_b = trainer_arrays(a), trainer_arrays(b)
    assert sorted(arrays_a) == sorted(arrays_b)
    for name in arrays_a:
        assert arrays_a[name].tobytes() == arrays_b[name].tobytes(), name


def compiled_and_eager(experiment_class, config):
    return (GANTrainer(experiment_class(config), "unused"),
            GANTrainer(experiment_class(dataclasses.replace(config, compile=False)), "unused"))
