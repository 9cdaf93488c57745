"""CIFAR-10's "python version" batches, read with a restricted unpickler.

Each batch file is a dict pickled by Python 2 with

    b"data":   (N, 3072) uint8, a row being the 32x32 red plane, then the green, then the blue
    b"labels": N ints in 0..9

so pixel j of a row belongs to channel j // 1024, and a row reshapes to (3, 32, 32) as it is.

Unpickling can run any code (a pickle may name any importable callable), so only the globals
that rebuild numpy arrays are allowed."""

import codecs
import pickle
from pathlib import Path

import numpy as np

_SUBFOLDER = "cifar-10-batches-py"
_SPLIT_FILES = {
    "train": [f"data_batch_{i}" for i in range(1, 6)],
    "test": ["test_batch"],
}
_IMAGE_SHAPE = (3, 32, 32)

# numpy's ndarray.__reduce__ names this function; taking it from an array
# avoids importing the deprecated numpy.core alias on numpy 2.
_reconstruct = np.zeros(0).__reduce__()[0]


def _latin1_encode(text, encoding):
    """``_codecs.encode`` for latin1 only: Python 3 pickles bytes at protocol <= 2 as
    ``_codecs.encode(text, "latin1")``, so batches saved again from Python 3 need it. No other
    codec is ever needed, so no other is reachable."""
    if encoding != "latin1":
        raise pickle.UnpicklingError(f"refusing _codecs.encode with encoding {encoding!r}; only "
                                     "'latin1' is allowed")
    return codecs.encode(text, "latin1")


_ALLOWED_GLOBALS = {
    ("numpy.core.multiarray", "_reconstruct"): _reconstruct,
    ("numpy._core.multiarray", "_reconstruct"): _reconstruct,
    ("numpy", "ndarray"): np.ndarray,
    ("numpy", "dtype"): np.dtype,
    ("_codecs", "encode"): _latin1_encode,
}


class _RestrictedUnpickler(pickle.Unpickler):
    """An unpickler that resolves only the names that rebuild numpy arrays."""

    def find_class(self, module, name):
        try:
            return _ALLOWED_GLOBALS[(module, name)]
        except KeyError:
            allowed = ", ".join(f"{m}.{n}" for m, n in _ALLOWED_GLOBALS)
            raise pickle.UnpicklingError(f"refusing to load global {module}.{name}: a CIFAR batch "
                                         f"may only reference {allowed}") from None


def _load_batch(path):
    """(images uint8 (N, 3, 32, 32), labels int64 (N,)) of one batch file, checked."""
    with open(path, "rb") as f:
        try:
            batch = _RestrictedUnpickler(f, encoding="bytes").load()
        except pickle.UnpicklingError as err:
            raise pickle.UnpicklingError(f"{path}: {err}") from None
        # damaged opcodes fail in many ways (MemoryError for a huge declared length,
        # AttributeError, ...): each means "not a batch"
        except Exception as err:
            raise ValueError(f"{path}: not a CIFAR-10 python batch ({err!r})") from None
    if not isinstance(batch, dict) or b"data" not in batch or b"labels" not in batch:
        found = sorted(batch) if isinstance(batch, dict) else type(batch).__name__
        raise ValueError(f"{path}: expected a dict with keys b'data' and b'labels', got {found}")
    data = np.asarray(batch[b"data"])
    labels = np.asarray(batch[b"labels"], dtype=np.int64)
    n_pixels = int(np.prod(_IMAGE_SHAPE))
    if data.dtype != np.uint8 or data.ndim != 2 or data.shape[1] != n_pixels:
        raise ValueError(f"{path}: expected b'data' as uint8 (N, {n_pixels}), got {data.dtype} "
                         f"{data.shape}")
    if labels.shape != (data.shape[0],):
        raise ValueError(f"{path}: expected {data.shape[0]} labels to match the images, got shape "
                         f"{labels.shape}")
    if labels.size and (labels.min() < 0 or labels.max() > 9):
        raise ValueError(f"{path}: labels must lie in 0..9, got {labels.min()}..{labels.max()}")
    return data.reshape((-1, *_IMAGE_SHAPE)), labels


def load_cifar10(directory, split="train"):
    """(images uint8 (N, 3, 32, 32), labels int64 (N,)) of CIFAR-10 in ``directory`` or its
    ``cifar-10-batches-py/`` subfolder: data_batch_1..5 one after another for ``split="train"``,
    test_batch for ``split="test"``."""
    if split not in _SPLIT_FILES:
        raise ValueError(f"load_cifar10: split must be one of {sorted(_SPLIT_FILES)}, got "
                         f"{split!r}")
    directory = Path(directory)
    if (directory / _SUBFOLDER).is_dir():
        directory = directory / _SUBFOLDER
    missing = [name for name in _SPLIT_FILES[split] if not (directory / name).is_file()]
    if missing:
        raise FileNotFoundError(f"CIFAR-10 {split} batches {missing} not found in directory "
                                f"{directory}")
    batches = [_load_batch(directory / name) for name in _SPLIT_FILES[split]]
    images = np.concatenate([images for images, _ in batches])
    labels = np.concatenate([labels for _, labels in batches])
    return images, labels
