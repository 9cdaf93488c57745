"""Checkpoints as ``.npz`` files that load with ``allow_pickle=False`` (loading never runs code).

A checkpoint holds named float arrays (model parameters and buffers, optimizer states and step
counts, averages, ensembles) and one JSON document (the iteration, the run's configuration, the
random generator's state and the optimizers' hyperparameters). It is written to a temporary file and renamed, so a run killed while
saving leaves the previous checkpoint intact. Its zip comment holds a SHA-256 digest of the rest of
the file, so that a damaged file is refused whichever byte changed; the structure of what it
holds is checked by its reader (``GANTrainer.load``), against the names, shapes and dtypes that
:class:`CheckpointLayout` says a run saves."""

import hashlib
import io
import json
import struct
import tokenize
import zipfile
import zlib
from pathlib import Path

import numpy as np

from minigrad import backend
from minigrad.optim import Optimizer
from ugan.safe_files import replace_file

META_KEY = "__meta__"
# A checkpoint's zip comment holds the SHA-256 of every byte before it, so that any damaged or
# truncated file is refused, wherever the damage lies (zip's own CRCs cover member data only).
DIGEST_MARKER = b"ugan-sha256:"
COMMENT_SIZE = len(DIGEST_MARKER) + 64
ZIP_START = b"PK\x03\x04"
END_RECORD = b"PK\x05\x06"  # zip's end-of-central-directory record: 22 bytes, then the comment
END_RECORD_SIZE = 22
# What numpy and zipfile raise on a malformed archive, .npy header or compressed stream.
MALFORMED = (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, KeyError,
             SyntaxError, tokenize.TokenError, NotImplementedError, struct.error, OverflowError,
             MemoryError, RecursionError)
# Entries >= 0 in any checkpoint a run writes: Adam's mean of squares, the counts.
NONNEGATIVE = ("/exp_avg_sq", "/step", "/count")
ADVICE = ("the run cannot continue from it. Only the latest checkpoint is kept: without it, "
          "--resume starts the run again from iteration 0 and rewrites its metrics (choose another "
          "--out to keep this folder)")


class CheckpointError(RuntimeError):
    """A checkpoint that cannot be used: missing, corrupt, truncated or from another run."""


def save_checkpoint(path, arrays, meta):
    path = Path(path)
    payload = {name: np.asarray(array) for name, array in arrays.items()}
    payload[META_KEY] = np.array(json.dumps(meta, allow_nan=False))
    buffer = io.BytesIO()
    np.savez(buffer, **payload)
    return replace_file(path, _with_digest(buffer.getvalue()))


def _with_digest(archive):
    """The zip ``archive`` (written without a comment) with the comment DIGEST_MARKER + the hex
    SHA-256 of everything before the comment, its length field included."""
    body = archive[:-2] + struct.pack("<H", COMMENT_SIZE)
    return body + DIGEST_MARKER + hashlib.sha256(body).hexdigest().encode()


def _check_digest(data, path):
    """Refuse ``data`` unless its digest matches; a checkpoint from before digests (a zip
    archive without a comment) is let through to the structural checks."""
    if not data.startswith(ZIP_START):
        raise CheckpointError(f"checkpoint {path} is corrupt or truncated (not a zip archive); "
                              f"{ADVICE}")
    end = data[-END_RECORD_SIZE:]
    if end.startswith(END_RECORD) and end.endswith(b"\0\0"):
        return
    body, comment = data[:-COMMENT_SIZE], data[-COMMENT_SIZE:]
    if comment != DIGEST_MARKER + hashlib.sha256(body).hexdigest().encode():
        raise CheckpointError(f"checkpoint {path} is corrupt or truncated (its content does not "
                              f"match its SHA-256 digest); {ADVICE}")


def load_checkpoint(path):
    """(arrays, meta) from a checkpoint written by :func:`save_checkpoint`."""
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"checkpoint {path} does not exist")
    try:
        data = path.read_bytes()
    except OSError as error:
        raise CheckpointError(f"checkpoint {path} cannot be read ({error})") from error
    _check_digest(data, path)
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as archive:
            arrays = {name: archive[name] for name in archive.files}
        meta = arrays.pop(META_KEY, None)
        meta = None if meta is None else json.loads(str(meta))
    except MALFORMED as error:
        raise CheckpointError(f"checkpoint {path} is corrupt or truncated ({error}); "
                              f"{ADVICE}") from error
    if not isinstance(meta, dict):
        raise CheckpointError(f"checkpoint {path} has no {META_KEY} entry holding a JSON object: "
                              "not a ugan checkpoint")
    return arrays, meta


def check_same_config(saved, config, path, ignore=("steps",), defaults=None):
    """Refuse a checkpoint whose configuration ``saved`` differs from ``config`` (except
    ``ignore``). An option the checkpoint does not name (one added since it was written) matches
    its value in ``defaults``: the behaviour the checkpoint was trained with."""
    saved = {**(defaults or {}), **saved}
    differences = [f"{key}: checkpoint {saved.get(key)!r}, this run {config.get(key)!r}"
                   for key in sorted(set(saved) | set(config))
                   if key not in ignore and saved.get(key) != config.get(key)]
    if differences:
        raise CheckpointError(f"checkpoint {path} is from another configuration; differences: "
                              + "; ".join(differences))


class CheckpointLayout:
    """Where each part of a run's state lies in its checkpoint. ``models``, ``optimizers`` (Adam),
    ``averages`` (historical averages; none when they are off) and ``ensembles`` (ensembles of
    past discriminators, ``ugan.ensemble``; none when off) are dicts keyed by player, "G" or "D".
    Every one of them answers minigrad's state protocol (``minigrad.compile.state``), and its
    ``state_tensors()`` are saved under a prefix per object: the player for a model, then
    "opt", "avg" or "ens" and the player, as in

        G/net.0.weight      a model's parameter or buffer
        optG/3/exp_avg      a moment of the G optimizer's parameter 3 (exp_avg, exp_avg_sq)
        optG/3/step         the steps parameter 3 has taken (a float64 0-d array)
        avgD/0              the historical average of D's parameter 0
        avgD/count          the iterations that average holds (a float64 0-d array)
        ensD/2/0            parameter 0 of the ensemble's member 2 (0 is the newest)

    The metadata's "optimizers" entry holds, per player, the optimizer's hyperparameters."""

    def __init__(self, models, optimizers, averages, ensembles=None):
        self.models, self.optimizers, self.averages = models, optimizers, averages
        self.ensembles = ensembles or {}

    def _objects(self):
        """(array name prefix, object) of every stateful object of the run."""
        return ([(prefix, module) for prefix, module in self.models.items()]
                + [(f"opt{prefix}", optimizer) for prefix, optimizer in self.optimizers.items()]
                + [(f"avg{prefix}", average) for prefix, average in self.averages.items()]
                + [(f"ens{prefix}", ensemble) for prefix, ensemble in self.ensembles.items()])

    def _full_state(self):
        """{array name: (object, its name for the entry, a tensor like the one saved)} of the
        state saved after any iteration (an optimizer's, before its first step, as it will be
        shaped after it)."""
        full = {}
        for prefix, obj in self._objects():
            tensors = (obj.initial_state_tensors() if isinstance(obj, Optimizer)
                       else obj.state_tensors())
            full.update({f"{prefix}/{name}": (obj, name, tensor)
                         for name, tensor in tensors.items()})
        return full

    def arrays(self):
        """(arrays, the "optimizers" metadata) of the state as it is now."""
        arrays = {f"{prefix}/{name}": tensor.numpy()
                  for prefix, obj in self._objects()
                  for name, tensor in obj.state_tensors().items() if tensor is not None}
        return arrays, self.optimizer_meta()

    def optimizer_meta(self):
        """The "optimizers" metadata (as JSON reads it back: betas are a list)."""
        return {prefix: {"hyperparameters": {**optimizer.hyperparameters,
                                             "betas": list(optimizer.hyperparameters["betas"])}}
                for prefix, optimizer in self.optimizers.items()}

    def expected_arrays(self):
        """{name: (shape, dtype)} of the arrays saved after any iteration."""
        return {name: (tensor.shape, np.dtype(tensor.dtype))
                for name, (_, _, tensor) in self._full_state().items()}

    def check_arrays(self, arrays, refuse):
        """Call ``refuse(problem)`` for arrays other than these names, shapes and dtypes, or
        non-finite ones."""
        expected = self.expected_arrays()
        if sorted(arrays) != sorted(expected):
            refuse(f"does not match this run's models: missing arrays "
                   f"{sorted(set(expected) - set(arrays))}, unexpected arrays "
                   f"{sorted(set(arrays) - set(expected))}")
        for name, (shape, dtype) in expected.items():
            array = arrays[name]
            if array.shape != shape or array.dtype != dtype:
                refuse(f"holds {name} as {array.dtype} {array.shape}; this run has {dtype} {shape}")
            if not np.isfinite(array).all():
                refuse(f"holds non-finite values in {name}: it was saved by a diverged run")
            if name.endswith(NONNEGATIVE) and (array < 0).any():
                refuse(f"holds negative values in {name}, a running mean of squared gradients "
                       "or a count (>= 0 in any checkpoint a run writes): it was altered")

    def load(self, arrays):
        """Put checked ``arrays`` into the models, optimizers, averages and ensembles, each on
        the device and with the dtype of the tensor it replaces."""
        per_object = {}
        for name, (obj, entry, like) in self._full_state().items():
            per_object.setdefault(id(obj), (obj, {}))[1][entry] = backend.array_from_numpy(
                arrays[name], like.device, like.dtype)
        for obj, entries in per_object.values():
            obj.load_state_tensors(entries)


def upgrade_legacy_checkpoint(arrays, meta, refuse):
    """(arrays, meta) of a checkpoint written before counts were state: the optimizers' step
    counts, then JSON scalars in the metadata ({"G": {"hyperparameters": ..., "scalars":
    {"3/step": 40}}}), become the arrays optG/3/step, and each historical average, which then
    saved no count, gets avg<player>/count = iteration + 1 (one initial value, then one update
    per iteration). A checkpoint of today's format is returned as it is; ``refuse(problem)`` is
    called for one of neither format."""
    optimizers = meta.get("optimizers")
    if not isinstance(optimizers, dict) or not any(
            isinstance(entry, dict) and "scalars" in entry for entry in optimizers.values()):
        return arrays, meta
    arrays, meta = dict(arrays), {**meta, "optimizers": {}}
    for prefix, entry in optimizers.items():
        if not isinstance(entry, dict) or sorted(entry) != ["hyperparameters", "scalars"]:
            refuse(f"holds optimizer {prefix!r} as {entry!r}: neither today's format "
                   f"(hyperparameters) nor the one before counts were arrays (hyperparameters, "
                   f"scalars); {ADVICE}")
        for name, count in entry["scalars"].items():
            arrays[f"opt{prefix}/{name}"] = np.array(count, dtype=np.float64)
        meta["optimizers"][prefix] = {"hyperparameters": entry["hyperparameters"]}
    for prefix in sorted({name.split("/")[0] for name in arrays if name.startswith("avg")}):
        arrays[f"{prefix}/count"] = np.array(meta["step"] + 1, dtype=np.float64)
    return arrays, meta


def generator_state_to_json(generator):
    """A numpy Generator's state as JSON-ready data (its integers are arbitrary-size)."""
    return generator.bit_generator.state


def generator_from_json(state):
    """The Generator whose state :func:`generator_state_to_json` gave: a PCG64 generator (what
    ``np.random.default_rng`` makes), and no other, whatever the state names."""
    generator = np.random.Generator(np.random.PCG64())
    generator.bit_generator.state = state
    return generator
