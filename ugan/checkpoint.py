"""Checkpoints as ``.npz`` files that load with ``allow_pickle=False`` (loading never runs code).

A checkpoint holds named float arrays (model parameters and buffers, optimizer states) and one
JSON document (the iteration, the run's configuration, the random generator's state and the
optimizers' scalar state). It is written to a temporary file and renamed, so a run killed while
saving leaves the previous checkpoint intact."""

import json
import os
import zipfile
from pathlib import Path

import numpy as np

META_KEY = "__meta__"


class CheckpointError(RuntimeError):
    """A checkpoint that cannot be used: missing, corrupt, truncated or from another run."""


def save_checkpoint(path, arrays, meta):
    path = Path(path)
    payload = {name: np.asarray(array) for name, array in arrays.items()}
    payload[META_KEY] = np.array(json.dumps(meta))
    temporary = path.with_name(path.name + ".tmp")
    with open(temporary, "wb") as handle:
        np.savez(handle, **payload)
    os.replace(temporary, path)
    return path


def load_checkpoint(path):
    """(arrays, meta) from a checkpoint written by :func:`save_checkpoint`."""
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"checkpoint {path} does not exist")
    try:
        with np.load(path, allow_pickle=False) as archive:
            arrays = {name: archive[name] for name in archive.files}
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, KeyError) as error:
        raise CheckpointError(f"checkpoint {path} is corrupt or truncated ({error}); delete it "
                              "to restart the run from its previous checkpoint") from error
    if META_KEY not in arrays:
        raise CheckpointError(f"checkpoint {path} has no {META_KEY} entry: not a ugan checkpoint")
    try:
        meta = json.loads(str(arrays.pop(META_KEY)))
    except json.JSONDecodeError as error:
        raise CheckpointError(f"checkpoint {path}: its metadata is not valid JSON ({error})") \
            from error
    return arrays, meta


def check_same_config(meta, config, path, ignore=("steps",), defaults=None):
    """Refuse a checkpoint whose configuration differs from ``config`` (except ``ignore``). An
    option the checkpoint does not name (one added since it was written) matches its value in
    ``defaults``: the behaviour the checkpoint was trained with."""
    saved = {**(defaults or {}), **meta.get("config", {})}
    differences = [f"{key}: checkpoint {saved.get(key)!r}, this run {config.get(key)!r}"
                   for key in sorted(set(saved) | set(config))
                   if key not in ignore and saved.get(key) != config.get(key)]
    if differences:
        raise CheckpointError(f"checkpoint {path} is from another configuration; differences: "
                              + "; ".join(differences))


def generator_state_to_json(generator):
    """A numpy Generator's state as JSON-ready data (its integers are arbitrary-size)."""
    return generator.bit_generator.state


def generator_from_json(state):
    generator = np.random.Generator(getattr(np.random, state["bit_generator"])())
    generator.bit_generator.state = state
    return generator
