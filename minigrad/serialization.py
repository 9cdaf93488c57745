"""``save`` and ``load`` for state dicts, PyTorch's ``torch.save(model.state_dict(), path)`` and
``model.load_state_dict(torch.load(path))``.

Two formats, neither of which can run code when it is loaded (PyTorch's pickle can):

* numpy's ``.npz`` (a zip of ``.npy`` arrays, one per name), read back with
  ``allow_pickle=False``; numpy, already what minigrad computes with, reads and writes it.
* **safetensors**, the format the PyTorch ecosystem shares (``safetensors.torch.save_file``),
  when the file name ends in ``.safetensors``; it needs the ``safetensors`` package (the
  optional dependency ``minigrad-ugan[safetensors]``). A checkpoint moves between the two
  libraries this way.

Either holds named arrays only, not arbitrary Python objects.
"""

import math
import os
import zipfile
from collections import OrderedDict

import numpy as np

from . import backend
from .tensor import Tensor


def save(state_dict, path):
    """Write ``state_dict`` (a mapping of names to tensors or arrays, as ``Module.state_dict()``
    returns) to the file ``path``: safetensors if its name ends in ".safetensors", else npz
    (any other name: unlike ``numpy.savez``, no ".npz" is appended)."""
    if not hasattr(state_dict, "items"):
        raise TypeError(f"save: expected a mapping of names to tensors (a state_dict), got "
                        f"{type(state_dict).__name__}")
    arrays = {}
    for name, value in state_dict.items():
        if not isinstance(name, str):
            raise TypeError(f"save: the names must be strings, got {name!r}")
        if isinstance(value, Tensor):
            arrays[name] = value.numpy()
        elif isinstance(value, np.ndarray) and value.dtype != object:
            arrays[name] = value
        else:
            raise TypeError(f"save: {name!r} holds a {type(value).__name__}; the file holds only "
                            "tensors and arrays (save an optimizer's or a run's other state "
                            "separately, e.g. as JSON)")
    if _is_safetensors(path):
        _safetensors("save").save_file({name: np.ascontiguousarray(array)
                                        for name, array in arrays.items()}, str(path))
        return
    with open(path, "wb") as handle:
        np.savez(handle, **arrays)


def load(path, map_location=None):
    """The state dict in the file ``path`` written by :func:`save` (or by safetensors, from
    PyTorch, for a name ending in ".safetensors"), as an ordered dict of names to tensors on
    ``map_location`` (a device; the default device if None), with the dtypes they were saved
    with. Pass it to ``Module.load_state_dict``."""
    device = backend.canonical_device(map_location)
    if _is_safetensors(path):
        arrays = _safetensors("load").load_file(str(path))
        return OrderedDict((name, Tensor(backend.array_from_numpy(array, device)))
                           for name, array in arrays.items())
    try:
        archive = np.load(path, allow_pickle=False)
        if not isinstance(archive, np.lib.npyio.NpzFile):
            raise ValueError("it holds a single array, not named ones")
        with archive:
            _check_members(archive.zip, os.path.getsize(path))
            return OrderedDict((name, Tensor(backend.array_from_numpy(archive[name], device)))
                               for name in archive.files)
    except (ValueError, OSError, EOFError, zipfile.BadZipFile) as error:
        if isinstance(error, FileNotFoundError):
            raise
        hint = (" (a PyTorch file? load it with torch.load and pass {name: t.numpy()} to "
                "load_state_dict)") if _holds_pickle(path) else ""
        raise ValueError(f"load: {path} is not a state dict written by minigrad.save (an .npz of "
                         f"arrays, read without pickle){hint}: {error}") from None


# deflate shrinks data by at most about 1032 to 1, so a deflated member can hold at most this
# many times its compressed size
DEFLATE_MAX_RATIO = 1032


def _check_members(archive, file_size):
    """Refuse, before any array is allocated, a member that is not a .npy array, a name held
    twice (numpy would return the last copy), and an array header declaring more bytes than
    the member holds or than ``file_size`` (the file's bytes on disk) can expand to."""
    names = archive.namelist()
    for name in names:
        if not name.endswith(".npy"):
            raise ValueError(f"it holds {name}, which is not a .npy array")
        if names.count(name) > 1:
            raise ValueError(f"it holds the entry {name[:-4]!r} {names.count(name)} times")
    for info in archive.infolist():
        ratio = DEFLATE_MAX_RATIO if info.compress_type == zipfile.ZIP_DEFLATED else 1
        capacity = min(info.file_size, ratio * file_size)
        declared = _declared_bytes(archive, info)
        if declared > capacity:
            raise ValueError(f"the entry {info.filename[:-4]!r} declares {declared} bytes of "
                             f"array data, more than it can hold ({info.file_size} bytes in "
                             f"the entry, {file_size} bytes in the file)")


def _declared_bytes(archive, info):
    """The size in bytes of the array that a .npy member's header declares (shape x itemsize),
    read from the header alone."""
    with archive.open(info) as member:
        version = np.lib.format.read_magic(member)
        read_header = (np.lib.format.read_array_header_1_0 if version[0] == 1
                       else np.lib.format.read_array_header_2_0)
        shape, _, dtype = read_header(member)
    return math.prod(shape) * dtype.itemsize


def _is_safetensors(path):
    return str(path).endswith(".safetensors")


def _safetensors(verb):
    """safetensors' numpy API, or an error that says how to install it."""
    try:
        import safetensors.numpy
    except ImportError:
        raise ImportError(f"{verb}: a .safetensors file needs the safetensors package: pip "
                          "install safetensors (or minigrad-ugan[safetensors]); without it, "
                          "use another file name for numpy's .npz") from None
    return safetensors.numpy


def _holds_pickle(path):
    """Whether ``path`` is a zip with a pickle inside, as ``torch.save`` writes."""
    try:
        with zipfile.ZipFile(path) as archive:
            return any(name.endswith(".pkl") for name in archive.namelist())
    except (OSError, zipfile.BadZipFile):
        return False
