"""Tiny runs of every experiment (and of the mixture's ablations), and the digests that pin what
they train: their metric records and their final checkpoint's arrays. Used by
tests/ugan/test_pinned_runs.py (the digests as the code trained them before issue 33) and
tests/ugan/test_runs_in_threads.py (runs in threads equal to runs alone)."""

import hashlib

import numpy as np

from ugan.checkpoint import load_checkpoint
from ugan.experiments import EXPERIMENTS
from ugan.train import CHECKPOINT_NAME, GANTrainer

MIXTURE = dict(steps=4, batch_size=16, noise_dim=4, g_hidden=8, d_hidden=8, eval_every=2,
               checkpoint_every=2, eval_samples=64, unroll_steps=2, g_lr=1e-3, d_lr=1e-3)
IMAGES = dict(steps=3, batch_size=8, noise_dim=4, d_width=2, eval_every=3, checkpoint_every=3,
              eval_samples=64, unroll_steps=1)
# name -> (experiment, options over its demo preset)
RUNS = {
    "mixture-ring": ("mixture", MIXTURE),
    "mixture-grid-ablations": ("mixture", {**MIXTURE, "dataset": "grid", "resample_unroll": True,
                                           "historical_averaging": 0.1, "g_steps_per_d": 2,
                                           "unroll_objective": "average",
                                           "generator_loss": "nonsaturating"}),
    "mixture-ensemble": ("mixture", {**MIXTURE, "unroll_steps": 0, "d_ensemble": "every",
                                     "ensemble_size": 2, "ensemble_every": 2,
                                     "second_order": False}),
    "stacked": ("stacked", {**IMAGES, "g_width": 4}),
    "colour": ("colour", {**IMAGES, "g_width": 4}),
    "lstm": ("lstm", {**IMAGES, "hidden_units": 6}),
    "conv": ("conv", {**IMAGES, "g_width": 4, "inference_images": 4, "inference_steps": 2}),
}

def digest_of_arrays(arrays):
    digest = hashlib.sha256()
    for name in sorted(arrays):
        array = np.ascontiguousarray(arrays[name])
        digest.update(f"{name} {array.dtype.str} {array.shape}\n".encode())
        digest.update(array.tobytes())
    return digest.hexdigest()


def pinned_digests(name, folder, **changes):
    """The digests of the run ``name`` trained in ``folder``, with ``changes`` to its options
    (say another device or seed)."""
    experiment_name, options = RUNS[name]
    experiment = EXPERIMENTS[experiment_name]
    GANTrainer(experiment(experiment.config_from("demo", **{**options, **changes})),
               folder).run(progress=False)
    return folder_digests(folder)


def folder_digests(folder):
    """The digests of the run trained in ``folder``: of its metric records and of its final
    checkpoint's arrays."""
    arrays, _ = load_checkpoint(folder / CHECKPOINT_NAME)
    return (hashlib.sha256((folder / "metrics.jsonl").read_bytes()).hexdigest(),
            digest_of_arrays(arrays))
