"""Checkpoints as ``.npz`` files that load with ``allow_pickle=False`` (loading never runs code).

A checkpoint holds named float arrays (model parameters and buffers, optimizer states) and one
JSON document (the iteration, the run's configuration, the random generator's state and the
optimizers' scalar state). It is written to a temporary file and renamed, so a run killed while
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
    The arrays are named

        G/net.0.weight      a model's state_dict entry
        optG/3/exp_avg      a moment of the G optimizer's parameter 3 (exp_avg, exp_avg_sq)
        avgD/0              the historical average of D's parameter 0
        ensD/2/0            parameter 0 of the ensemble's member 2 (0 is the newest)

    and the metadata's "optimizers" entry holds, per player, the optimizer's hyperparameters and
    its scalar state ({"3/step": 40}: parameter 3 has taken 40 steps). ``steps_per_iteration``
    (default 1 for each) is how many steps a player's optimizer takes per iteration."""

    def __init__(self, models, optimizers, averages, ensembles=None, steps_per_iteration=None):
        self.models, self.optimizers, self.averages = models, optimizers, averages
        self.ensembles = ensembles or {}
        self.steps_per_iteration = steps_per_iteration or {}

    def optimizer_steps(self, prefix, step):
        """The steps player ``prefix``'s optimizer has taken after iteration ``step``."""
        return step * self.steps_per_iteration.get(prefix, 1)

    def _state_objects(self):
        """(array name prefix, object) of the averages and ensembles, which save
        ``state_arrays()``."""
        return ([(f"avg{prefix}", average) for prefix, average in self.averages.items()]
                + [(f"ens{prefix}", ensemble) for prefix, ensemble in self.ensembles.items()])

    def arrays(self):
        """(arrays, the "optimizers" metadata) of the state as it is now."""
        arrays = {f"{prefix}/{name}": tensor.numpy()
                  for prefix, module in self.models.items()
                  for name, tensor in module.state_dict().items()}
        optimizer_meta = {}
        for prefix, optimizer in self.optimizers.items():
            state = optimizer.state_dict()
            scalars = {}
            for position, entries in state["state"].items():
                for key, value in entries.items():
                    if isinstance(value, np.ndarray):
                        arrays[f"opt{prefix}/{position}/{key}"] = value
                    else:
                        scalars[f"{position}/{key}"] = value
            optimizer_meta[prefix] = {"hyperparameters": dict(optimizer.hyperparameters),
                                      "scalars": scalars}
        for prefix, obj in self._state_objects():
            for name, array in obj.state_arrays().items():
                arrays[f"{prefix}/{name}"] = array
        return arrays, optimizer_meta

    def expected_arrays(self):
        """{name: (shape, dtype)} of the arrays saved after any iteration."""
        expected = {f"{prefix}/{name}": (tensor.shape, np.dtype(tensor.dtype))
                    for prefix, module in self.models.items()
                    for name, tensor in module.state_dict().items()}
        for prefix, optimizer in self.optimizers.items():
            for position, p in enumerate(optimizer.params):
                for key in optimizer.tensor_state_keys:
                    expected[f"opt{prefix}/{position}/{key}"] = (p.shape, np.dtype(p.dtype))
        for prefix, obj in self._state_objects():
            for name, array in obj.state_arrays().items():
                expected[f"{prefix}/{name}"] = (array.shape, array.dtype)
        return expected

    def expected_optimizer_meta(self, step):
        """The "optimizers" metadata saved after iteration ``step`` (as JSON reads it back)."""
        return {prefix: {"hyperparameters": {**optimizer.hyperparameters,
                                             "betas": list(optimizer.hyperparameters["betas"])},
                         "scalars": {f"{position}/step": self.optimizer_steps(prefix, step)
                                     for position in range(len(optimizer.params))}}
                for prefix, optimizer in self.optimizers.items()}

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
            if name.endswith("/exp_avg_sq") and (array < 0).any():
                refuse(f"holds negative values in {name}, a running mean of squared gradients "
                       "(>= 0 in any checkpoint Adam writes): it was altered")

    def load(self, arrays, step):
        """Put checked ``arrays`` of iteration ``step`` into the models, optimizers, averages
        and ensembles."""
        for prefix, module in self.models.items():
            module.load_state_dict({name[len(prefix) + 1:]: value
                                    for name, value in arrays.items()
                                    if name.startswith(prefix + "/")})
        for prefix, optimizer in self.optimizers.items():
            steps = self.optimizer_steps(prefix, step)
            state = {position: {"step": steps, **{key: arrays[f"opt{prefix}/{position}/{key}"]
                                                  for key in optimizer.tensor_state_keys}}
                     for position in range(len(optimizer.params))}
            groups = [{**optimizer.hyperparameters, "params": list(range(len(optimizer.params)))}]
            optimizer.load_state_dict({"state": state, "param_groups": groups})
        for prefix, average in self.averages.items():
            average.load_state_arrays({name.split("/")[1]: value
                                       for name, value in arrays.items()
                                       if name.startswith(f"avg{prefix}/")}, count=step + 1)
        for prefix, ensemble in self.ensembles.items():
            ensemble.load_state_arrays({name[len(prefix) + 4:]: value
                                        for name, value in arrays.items()
                                        if name.startswith(f"ens{prefix}/")})


def generator_state_to_json(generator):
    """A numpy Generator's state as JSON-ready data (its integers are arbitrary-size)."""
    return generator.bit_generator.state


def generator_from_json(state):
    """The Generator whose state :func:`generator_state_to_json` gave: a PCG64 generator (what
    ``np.random.default_rng`` makes), and no other, whatever the state names."""
    generator = np.random.Generator(np.random.PCG64())
    generator.bit_generator.state = state
    return generator
