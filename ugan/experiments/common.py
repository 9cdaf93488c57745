"""Helpers every experiment module uses: presets with overrides, and evaluation snapshots."""

import dataclasses
from pathlib import Path

import numpy as np


def config_from(experiment, presets, preset, **overrides):
    """``presets[preset]`` with some options replaced; None values are ignored, and an option
    this experiment does not have is an error that names it."""
    if preset not in presets:
        raise ValueError(f"{experiment}: preset must be one of {sorted(presets)}, got {preset!r}")
    config = presets[preset]
    fields = {field.name for field in dataclasses.fields(config)}
    given = {k: v for k, v in overrides.items() if v is not None}
    unknown = sorted(set(given) - fields)
    if unknown:
        raise ValueError(f"{experiment}: no option {', '.join(unknown)} for this experiment")
    return dataclasses.replace(config, **given)


def snapshot_samples(out_dir, history, columns=5):
    """(step, samples) at ``columns`` evenly spaced evaluations, for the through-time figures."""
    steps = [r["step"] for r in history]
    picks = sorted({steps[round(i * (len(steps) - 1) / (columns - 1))] for i in range(columns)})
    return [(step, np.load(Path(out_dir) / "samples" / f"step_{step:07d}.npy")) for step in picks]
