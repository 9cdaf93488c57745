"""Array backends: which array library holds a tensor's data, and how data moves between devices.

A device is named by a string (a :class:`Device`, what ``x.device`` returns, is one):

==================  =====================================================================
``"cpu"``           numpy (the default)
``"cuda"``          cupy on GPU 0; ``"cuda:N"`` on GPU N. cupy is imported only when asked for.
``"strict:NAME"``   ``array_api_strict`` on its device NAME (e.g. ``"strict:device1"``). A test
                    device: like a GPU array it refuses silent conversion to numpy and refuses
                    to be mixed with arrays of another device, so the test suite can keep the
                    GPU path honest on machines without a GPU.
==================  =====================================================================

Ops never import numpy or cupy to compute: they ask for the namespace of their arrays with
:func:`namespace_of` and use the array-API names (``xp.matmul``, ``xp.permute_dims``, ...), which
numpy 2, cupy (through ``array_api_compat``) and ``array_api_strict`` all provide. The few things
the array API does not standardise (scatter-add) live here, behind one function each.
"""

import contextvars
import importlib.util
import math
import os
import sys

import numpy as np

_default_device = None  # the process's; see default_device
_local_device = contextvars.ContextVar("minigrad_local_device", default=None)


def namespace_of(array):
    """The array-API namespace of ``array``: numpy, cupy (wrapped) or array_api_strict."""
    if type(array) is np.ndarray:
        return np
    return _non_numpy_namespace(array)


def _non_numpy_namespace(array):
    module = type(array).__module__
    if module.startswith("cupy"):
        try:
            import array_api_compat.cupy as xp
        except ImportError:  # the raw cupy namespace covers what minigrad uses in recent cupy
            import cupy as xp
        return xp
    if isinstance(array, np.generic):
        return np
    if hasattr(array, "__array_namespace__"):
        return array.__array_namespace__()
    raise TypeError(f"minigrad: {type(array).__name__} is not an array of a supported backend "
                    "(numpy, cupy, array_api_strict)")


class Device(str):
    """A device, PyTorch's ``torch.device``: ``minigrad.device("cuda")``,
    ``minigrad.device("cuda", 1)``; what ``x.device`` returns.

    It *is* its canonical name as a string ("cpu", "cuda:N", "strict:NAME"), so it equals that
    string, hashes like it and goes wherever a device name does: ``x.device == "cpu"`` and
    ``x.device == minigrad.device("cpu")`` both hold (PyTorch's device does not equal a string).
    ``device("cuda")`` means GPU 0, "cuda:0" (PyTorch's means "the current GPU" and does not
    equal ``device("cuda:0")``)."""

    __slots__ = ()

    def __new__(cls, type, index=None):
        name = type if index is None else f"{type}:{index}"
        if not isinstance(name, str):
            raise TypeError(f"minigrad: a device is a name such as 'cpu' or 'cuda' (or "
                            f"minigrad.device(name)), got {name!r}")
        if name == "cuda":
            name = "cuda:0"
        if not (name == "cpu" or name.startswith("strict:")
                or (name.startswith("cuda:") and name[5:].isdigit())):
            raise ValueError(f"minigrad: unknown device {name!r}; expected 'cpu', 'cuda', "
                             "'cuda:N' or 'strict:NAME' (the array_api_strict test device)")
        return str.__new__(cls, name)

    @property
    def type(self):
        """"cpu", "cuda" or "strict"."""
        return self.partition(":")[0]

    @property
    def index(self):
        """The GPU's number for "cuda:N"; None for other devices."""
        return int(self[5:]) if self.type == "cuda" else None

    def __repr__(self):
        return f"device({str(self)!r})"


CPU = Device("cpu")
_known_devices = {"cpu": CPU}


def _named(name):
    """The Device called ``name`` (made once per name: ``device_of`` runs for every op, and a
    name such as "cuda" stands for its canonical Device, "cuda:0")."""
    device = _known_devices.get(name)
    if device is None:
        device = _known_devices[name] = Device(name)
    return device


def device_of(array):
    """The :class:`Device` that ``array`` lives on."""
    if type(array) is np.ndarray:
        return CPU
    module = type(array).__module__
    if module.startswith("cupy"):
        return _named(f"cuda:{array.device.id}")
    if module.startswith("array_api_strict"):
        return _named(f"strict:{array.device._device}")
    if isinstance(array, np.generic):
        return CPU
    raise TypeError(f"minigrad: cannot tell the device of a {type(array).__name__}")


def canonical_device(device):
    """A user's device name or :class:`Device` as a Device; None -> the default."""
    if device is None:
        return default_device()
    if type(device) is Device:
        return device
    return _named(device) if isinstance(device, str) else Device(device)


def set_default_device(device):
    """Make ``device`` the default for new tensors: the process's default, or, inside a
    :func:`minigrad.local_defaults` block, that block's (the environment variable
    MINIGRAD_DEVICE sets the process's starting default)."""
    global _default_device
    device = canonical_device(device)
    if _local_device.get() is not None:
        _local_device.set(device)
    else:
        _default_device = device


def default_device():
    """The device of new tensors: the innermost :func:`minigrad.local_defaults` block's in this
    context, else the process's."""
    global _default_device
    local = _local_device.get()
    if local is not None:
        return local
    if _default_device is None:
        _default_device = canonical_device(os.environ.get("MINIGRAD_DEVICE", "cpu"))
    return _default_device


def _cupy():
    try:
        import cupy
    except ImportError as error:
        raise RuntimeError("minigrad: device 'cuda' needs cupy; install it with "
                           "pip install -e \".[cuda13]\" (or \".[cuda12]\", after the CUDA "
                           "version that nvidia-smi shows) on a machine with an NVIDIA GPU") \
            from error
    try:
        cupy.cuda.runtime.getDeviceCount()
    except Exception as error:  # cupy raises its own CUDA error types
        raise RuntimeError(f"minigrad: cupy is installed but no CUDA GPU is usable: "
                           f"{error}") from error
    return cupy


def cupy_installed():
    """Whether cupy can be imported (without importing it)."""
    return importlib.util.find_spec("cupy") is not None


def cuda_available():
    """Whether device "cuda" can be used: cupy is installed and sees a GPU (imports cupy)."""
    if not cupy_installed():
        return False
    try:
        _cupy()
    except RuntimeError:
        return False
    return True


def synchronize():
    """Wait until every GPU has finished the work queued on it, so that a clock read next sees it
    done (cupy's kernels run asynchronously). Nothing to wait for when cupy was never imported:
    then no tensor was ever on a GPU (nor when cupy sees no GPU)."""
    cupy = sys.modules.get("cupy")
    if cupy is None:
        return
    try:
        count = cupy.cuda.runtime.getDeviceCount()
    except Exception:  # cupy without a usable GPU (its own CUDA error types): nothing queued
        return
    for index in range(count):
        cupy.cuda.Device(index).synchronize()


def _strict(device):
    import array_api_strict

    return array_api_strict, array_api_strict.Device(device[len("strict:"):])


def check_same_dtype(op, **operands):
    """Refuse operands (tensors by name; None skipped) of different dtypes, as PyTorch does for
    matmul, linear, conv and batch norm: a float32 layer given float64 input would otherwise
    compute in float64 without a word."""
    named = [(name, dtype_name(t.dtype)) for name, t in operands.items() if t is not None]
    first, first_dtype = named[0]
    for name, dtype in named[1:]:
        if dtype != first_dtype:
            raise TypeError(
                f"{op}: {first} is {first_dtype} but {name} is {dtype}; they must have one dtype "
                f"(PyTorch raises here too). Convert one: {first}.astype('{dtype}') or "
                f"{name}.astype('{first_dtype}') (a tensor: .float() / .double(); a module's "
                "parameters: module.float() / module.double())")


def dtype_name(dtype):
    """'float32', 'int64', ... for a numpy/cupy/array_api_strict dtype or a name."""
    if isinstance(dtype, str):
        return dtype
    try:
        return np.dtype(dtype).name
    except TypeError:
        return str(dtype).rsplit(".", 1)[-1]


def to_numpy(array):
    """A numpy copy of ``array`` whatever its device (an explicit transfer, never a silent one)."""
    device = device_of(array)
    if device == "cpu":
        return np.array(array)
    if device.startswith("cuda"):
        return array.get()
    xp, _ = _strict(device)
    return np.asarray(array.to_device(xp.Device("CPU_DEVICE")))


def array_from_numpy(array, device, dtype=None, copy=True):
    """The backend array (numpy, cupy, ...; not a Tensor: ``minigrad.from_numpy`` makes one) of a
    numpy array on ``device``, optionally cast to ``dtype``: a copy, unless ``copy`` is False and
    the array already is on the CPU with that dtype."""
    device = canonical_device(device)
    if dtype is not None:
        array = array.astype(dtype_name(dtype), copy=False)
    if device == "cpu":
        return np.array(array) if copy else np.asarray(array)
    if device.startswith("cuda"):
        cupy = _cupy()
        with cupy.cuda.Device(int(device[5:])):
            return cupy.asarray(array)
    xp, strict_device = _strict(device)
    return xp.asarray(array, device=strict_device, copy=True)  # else it wraps numpy's memory


def to_device(array, device):
    """Move ``array`` to ``device`` (returns ``array`` itself if it is already there)."""
    device = canonical_device(device)
    if device_of(array) == device:
        return array
    return array_from_numpy(to_numpy(array), device)


def scalar_like(value, array):
    """A 0-d array holding the Python number ``value``, with ``array``'s dtype and device.

    Integer and boolean arrays combined with a float give a float array of the default float
    dtype (float32), as a Python float would in PyTorch."""
    if type(array) is np.ndarray and array.dtype.kind == "f":  # the common case, made quick
        return np.asarray(value, dtype=array.dtype)
    xp = namespace_of(array)
    dtype = array.dtype
    if isinstance(value, float) and not xp.isdtype(dtype, "real floating"):
        dtype = xp.float32
    if xp is np:
        return np.asarray(value, dtype=dtype)
    return xp.asarray(value, dtype=dtype, device=array.device)


def times_mask(x, mask):
    """``x * mask`` for a mask of zeros and ones, with 0 wherever x is -inf (where -inf * 0
    would be nan): the same numbers as ``where(x == -inf, 0, x) * mask``, signs of zero
    included. numpy arrays take a quicker path, the product first and the -inf entries set to 0
    afterwards (about 2x less time than the select on a 1024x128 float32 array, which dominates
    that of a relu: benchmarks/relu_kernel.py)."""
    if type(x) is np.ndarray:
        with np.errstate(invalid="ignore"):  # -inf * 0: nan, replaced next
            product = np.asarray(x * mask)  # an array also for 0-d operands
        np.copyto(product, 0, where=x == -np.inf)
        return product
    xp = namespace_of(x)
    return xp.where(x == -xp.inf, 0.0, x) * mask


def is_writable(array):
    """Whether ``array`` may be written in place: False for numpy's read-only views (a
    broadcast's, whose elements share memory); other backends' arrays are taken as writable."""
    return array.flags.writeable if type(array) is np.ndarray else True


def erf(array):
    """The error function elementwise, erf(x) = 2/sqrt(pi) int_0^x exp(-t^2) dt, in the array's
    dtype. The array API has no erf: numpy arrays take the C library's (``math.erf``, in float64,
    one element at a time), cupy arrays cupyx's; other namespaces are refused."""
    if type(array) is np.ndarray:
        return np.asarray(np.frompyfunc(math.erf, 1, 1)(array.astype(np.float64)),
                          dtype=array.dtype)
    if type(array).__module__.startswith("cupy"):
        import cupyx.scipy.special

        return cupyx.scipy.special.erf(array)
    raise TypeError(f"erf: needs a numpy or cupy array (the array API has no erf), got "
                    f"{type(array).__module__}.{type(array).__name__} on device "
                    f"{device_of(array)}")


def index_add(xp, target, axis, index, values):
    """``target[..., index, ...] += values`` along ``axis``, accumulating repeated indices.

    numpy and cupy have a scatter-add; for other namespaces it is a product with a one-hot matrix
    (``values @ onehot``), which the array API can express."""
    if xp is np:
        np.add.at(target, (slice(None),) * axis + (index,), values)
        return target
    if type(target).__module__.startswith("cupy"):
        import cupyx

        cupyx.scatter_add(target, (slice(None),) * axis + (index,), values)
        return target
    n = target.shape[axis]
    positions = xp.arange(n, dtype=index.dtype, device=index.device)
    onehot = xp.astype(index[:, None] == positions[None, :], values.dtype)  # (m, n)
    moved = xp.moveaxis(values, axis, -1)  # (..., m)
    return target + xp.moveaxis(xp.matmul(moved, onehot), -1, axis)
