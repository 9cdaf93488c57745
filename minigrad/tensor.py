"""The Tensor: an array, whether it needs a gradient, its gradient, and the op that made it.

A tensor made by a recorded op keeps that op in ``_node``; the op keeps its input tensors, so a
tensor holds the whole graph that produced it, and the graph is freed when the last tensor that
holds it goes away. Leaves (tensors made by the user) have no node.

This module knows nothing of the ops or of the reverse sweep: ``minigrad.ops`` attaches the
operators (``+``, ``@``, ``x[...]``, ``x.sum()``, ``x.to(device)``, ...) and
``minigrad.autodiff`` attaches ``backward``, so that imports point down only
(backend <- tensor <- autodiff <- ops).
"""

import itertools
import math

import numpy as np

from . import backend, tracing
from .grad_mode import is_grad_enabled


_creation_counter = itertools.count()


def next_stamp():
    """The creation stamp the next tensor will get (or a later one): tensors with a smaller
    stamp already exist."""
    return next(_creation_counter)


class Tensor:
    __slots__ = ("_data", "_requires_grad", "grad", "_node", "_version", "_stamp",
                 "retains_grad", "_hooks", "_detach_shared", "__weakref__")
    __array_priority__ = 1000  # numpy defers ``ndarray * tensor`` to Tensor.__rmul__

    def __init__(self, data, requires_grad=False):
        """Wrap a backend array as it is: no copy, its dtype kept (as ``torch.from_numpy``).

        This is the engine's constructor. Unlike ``torch.Tensor(data)`` it neither copies nor
        converts to float32, so anything but an array (a list, a number, a tensor) is refused:
        :func:`minigrad.tensor` makes a tensor from those (a copy; Python floats become
        float32), :func:`minigrad.from_numpy` states the sharing."""
        if type(data) is not np.ndarray and not hasattr(data, "__array_namespace__"):
            raise TypeError(
                f"Tensor({type(data).__name__}): minigrad.Tensor wraps a backend array without "
                "copying it, unlike torch.Tensor; use minigrad.tensor(data) to make a tensor "
                "from a list or a number (a copy; Python floats become float32), "
                "minigrad.tensor(array, dtype='float32') to copy and convert an array")
        self._data = data
        self._requires_grad = requires_grad
        self.grad = None
        self._node = None
        self.retains_grad = False  # a tensor made by an op keeps its .grad (retain_grad())
        self._hooks = None  # functions of the gradient, run by the reverse sweep
        self._version = [0]  # shared with detach()ed views of the same array
        self._detach_shared = False  # True once detach() shares the array and the counter
        # Creation order: a tensor can only depend on older tensors, which lets the reverse
        # sweep skip every part of the graph older than what it differentiates with respect to.
        self._stamp = next(_creation_counter)

    # -- the array -------------------------------------------------------------------------
    @property
    def array(self):
        """The backend array behind this tensor (numpy.ndarray, cupy.ndarray, ...): shared, not
        a copy. Writing into it bypasses the version counter; use the tensor's in-place methods
        (``x.copy_``, ``x.add_``, ...) to change values that a graph may have recorded."""
        return self._data

    @property
    def data(self):
        """A tensor that shares this tensor's array, cut from the graph and not requiring grad,
        as PyTorch's ``x.data``: ``p.data.normal_()``, ``p.data -= lr * p.grad`` and
        ``x.data.size()`` work as there. The raw array is :attr:`array`.

        One difference, on purpose: it shares the version counter too (it is ``detach()``).
        PyTorch's ``.data`` hides in-place changes from autograd, so a graph recorded before
        them silently computes wrong gradients; here that graph refuses backward instead."""
        return self.detach()

    @data.setter
    def data(self, value):
        """``x.data = other``: this tensor now holds ``other``'s array (any shape and dtype, as
        in PyTorch, on the same device), outside of autodiff. A graph recorded before the change
        and still used afterwards would silently compute with the new values, so the version
        counter is bumped and backward refuses it."""
        if not isinstance(value, Tensor):
            raise TypeError(f"x.data = {type(value).__name__}: assign a tensor, as in PyTorch "
                            "(x.data = minigrad.tensor(array), or x.copy_(array) to write the "
                            "values into x's own array)")
        if value.device != self.device:
            raise RuntimeError(f"x.data = a tensor on {value.device}, but x is on "
                               f"{self.device}; move it with .to('{self.device}') first")
        self._set_array(value._data)

    def _set_array(self, array):
        """Replace the array behind this tensor outside of autodiff (optimizers, state loading,
        a compiled program's state write-back), bumping the version counter."""
        self._data = array
        self._version[0] += 1

    @property
    def shape(self):
        return tuple(self._data.shape)

    @property
    def dtype(self):
        return self._data.dtype

    @property
    def device(self):
        return backend.device_of(self._data)

    @property
    def ndim(self):
        return self._data.ndim

    def size(self, dim=None):
        """The shape, as PyTorch's ``x.size()``, or the length of axis ``dim``."""
        return self.shape if dim is None else self.shape[dim]

    def numel(self):
        return math.prod(self._data.shape)

    nelement = numel  # PyTorch's other name

    def dim(self):
        """The number of axes (PyTorch's name for ``ndim``)."""
        return self._data.ndim

    def is_floating_point(self):
        return backend.namespace_of(self._data).isdtype(self.dtype, "real floating")

    def __len__(self):
        if self.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.shape[0]

    @property
    def is_leaf(self):
        return self._node is None

    @property
    def grad_fn(self):
        """The recorded op that made this tensor (None for a leaf), as PyTorch's ``grad_fn``."""
        return self._node

    def retain_grad(self):
        """Keep this tensor's gradient in ``.grad`` at the next ``backward()`` although it is
        made by an op (leaves always keep theirs), as PyTorch's ``retain_grad``."""
        if self._requires_grad and self._node is not None:
            self.retains_grad = True

    def register_hook(self, hook):
        """Call ``hook(grad)`` when the reverse sweep has this tensor's whole gradient; if it
        returns a tensor, that replaces the gradient (for the leaves' ``.grad`` and for what
        flows on), as PyTorch's. Returns a handle whose ``remove()`` takes the hook away."""
        if not self._requires_grad:
            raise RuntimeError(f"register_hook on a tensor that does not require grad (shape "
                               f"{self.shape}): no gradient will reach it")
        if self._hooks is None:
            self._hooks = []
        self._hooks.append(hook)
        return _HookHandle(self._hooks, hook)

    @property
    def requires_grad(self):
        """Whether gradients flow to this tensor: set by the user on a leaf, by the op that
        made it otherwise."""
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, requires_grad):
        if not self.is_leaf:
            raise RuntimeError(
                f"requires_grad = {requires_grad} on a tensor made by an op (shape {self.shape}): "
                "as in PyTorch, only a leaf's flag can be changed; use y = x.detach() for a "
                "tensor cut from the graph, or x.detach().requires_grad_() for a new leaf")
        self._requires_grad = requires_grad

    @property
    def version(self):
        """How many times the array behind this tensor was changed in place."""
        return self._version[0]

    # -- conversions -----------------------------------------------------------------------
    def numpy(self):
        """A numpy copy of the data, whatever the device."""
        tracing.refuse(f"reading the values of a tensor of shape {self.shape} (.numpy(), "
                       ".item(), .tolist(), bool(), print)",
                       "its value would be fixed at trace time; return the tensor from the "
                       "function and read it after the call")
        return backend.to_numpy(self._data)

    def item(self):
        if self.numel() != 1:
            raise ValueError(f"item(): the tensor has {self.numel()} elements, expected exactly 1")
        return self.numpy().reshape(()).item()

    def tolist(self):
        return self.numpy().tolist()

    # Python's number protocols, as PyTorch's: float(t), int(t), f"{t:.3f}", math.exp(t),
    # range(t) and list[t] read the one element of the tensor
    def __float__(self):
        return float(self.item())

    def __int__(self):
        return int(self.item())

    def __index__(self):
        xp = backend.namespace_of(self._data)
        if self.numel() != 1 or not xp.isdtype(self.dtype, "integral"):
            raise TypeError(f"only an integer tensor of one element can be used as an index "
                            f"(range(t), a list index), got dtype "
                            f"{backend.dtype_name(self.dtype)} and shape {self.shape}")
        return int(self.item())

    def __format__(self, spec):
        if self.ndim == 0:
            return format(self.item(), spec)
        return format(str(self), spec)

    def __array__(self, dtype=None, copy=None):
        """``np.asarray(t)``: a numpy copy of a CPU tensor's values (PyTorch shares the memory;
        here a change to the array does not reach the tensor). A tensor on another device is
        refused, as PyTorch refuses a CUDA tensor: call ``t.numpy()`` to copy it over."""
        if self.device != "cpu":
            raise TypeError(f"numpy.asarray of a tensor on {self.device} (shape {self.shape}): "
                            "no silent copy between devices; call t.numpy() or t.cpu() first")
        array = self.numpy()
        return array if dtype is None else array.astype(dtype, copy=False)

    def detach(self):
        """The same data, cut from the graph (shares the array and its version counter)."""
        out = Tensor(self._data)
        out._version = self._version
        self._detach_shared = out._detach_shared = True
        return out

    def requires_grad_(self, requires_grad=True):
        if not self.is_leaf and not requires_grad:
            raise RuntimeError("requires_grad_(False) on a tensor made by an op: use detach()")
        self._requires_grad = requires_grad
        return self

    # -- in-place updates (outside autodiff) ------------------------------------------------
    def _check_inplace(self, op_name):
        tracing.refuse(f"{op_name} on a tensor of shape {self.shape}",
                       "in-place writes are not recorded; compute a new tensor instead (state "
                       "tensors that are replaced, as optimizers do, are written back)")
        if is_grad_enabled() and self.requires_grad:
            raise RuntimeError(f"{op_name}: in-place change of a tensor that requires grad "
                               f"(shape {self.shape}) while recording; run it under "
                               "minigrad.no_grad() or on a detach()ed tensor")

    def copy_(self, source):
        """Copy ``source`` (a Tensor or array of the same shape) into this tensor's array."""
        self._check_inplace("copy_")
        array = source._data if isinstance(source, Tensor) else source
        if tuple(array.shape) != self.shape:
            raise ValueError(f"copy_: source shape {tuple(array.shape)} != target shape "
                             f"{self.shape}")
        if backend.device_of(array) != self.device:
            raise RuntimeError(f"copy_: source is on {backend.device_of(array)}, target on "
                               f"{self.device}; move it with .to() first")
        self._data[...] = array
        self._version[0] += 1
        return self

    def zero_(self):
        self._check_inplace("zero_")
        self._data[...] = 0
        self._version[0] += 1
        return self

    # -- printing --------------------------------------------------------------------------
    def __repr__(self):
        body = np.array2string(self.numpy(), separator=", ", prefix="tensor(")
        extras = []
        if self.device != "cpu":
            extras.append(f"device='{self.device}'")
        if backend.dtype_name(self.dtype) not in ("float32", "int64", "bool"):
            extras.append(f"dtype={backend.dtype_name(self.dtype)}")
        if self._node is not None:
            extras.append(f"grad_fn={type(self._node).__name__}")
        elif self.requires_grad:
            extras.append("requires_grad=True")
        return "tensor(" + ", ".join([body] + extras) + ")"

    __hash__ = object.__hash__  # comparisons are elementwise, identity stays the hash

    def __bool__(self):
        if self.numel() != 1:
            raise RuntimeError(f"the truth value of a tensor with {self.numel()} elements is "
                               "ambiguous; use .any() or .all()")
        return bool(self.item())


class _HookHandle:
    """What ``register_hook`` returns: ``remove()`` takes the hook away."""

    def __init__(self, hooks, hook):
        self._hooks, self._hook = hooks, hook

    def remove(self):
        if self._hook in self._hooks:
            self._hooks.remove(self._hook)


def tensor(data, requires_grad=False, dtype=None, device=None):
    """Make a leaf tensor from a list, a number, a numpy array or a backend array (always a copy).

    Python floats become float32 (as in PyTorch), Python ints int64; arrays keep their dtype
    unless ``dtype`` is given. ``device`` defaults to :func:`minigrad.default_device`."""
    array = _as_array(data, dtype, device, copy=True)
    if requires_grad:
        xp = backend.namespace_of(array)
        if not xp.isdtype(array.dtype, "real floating"):
            raise TypeError(f"tensor: only floating-point tensors can require grad, got "
                            f"dtype {backend.dtype_name(array.dtype)}")
    return Tensor(array, requires_grad=requires_grad)


def as_tensor(data, dtype=None, device=None):
    """Like :func:`tensor`, but shares memory with ``data`` when it already is an array of the
    requested dtype on the requested device (as ``torch.as_tensor``): the way to feed each
    minibatch to a model without copying it. Changing that array afterwards changes the tensor
    behind the engine's back, so hand it over and leave it alone."""
    return Tensor(_as_array(data, dtype, device, copy=False))


def from_numpy(array):
    """A CPU tensor that shares memory with the numpy array ``array`` and keeps its dtype (as
    ``torch.from_numpy``): a change to one shows in the other, behind the engine's back."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy: expected a numpy.ndarray, got {type(array).__name__}; "
                        "use minigrad.tensor(data) for other data")
    return as_tensor(array, device="cpu")


def _as_array(data, dtype, device, copy):
    if isinstance(data, (Tensor, np.ndarray)) or hasattr(data, "__array_namespace__"):
        tracing.refuse(f"making a tensor from an existing array or tensor (shape "
                       f"{tuple(data.shape)})", "the array would be frozen into the program; "
                       "pass it to the compiled function as an input")
    if isinstance(data, Tensor):
        data = data._data
    if isinstance(data, (np.ndarray, np.generic)):
        array = np.asarray(data)
    elif hasattr(data, "__array_namespace__"):
        array = data
    else:
        array = np.asarray(data)
        if dtype is None and array.dtype == np.float64:
            array = array.astype(np.float32)
    if isinstance(array, np.ndarray):
        device = device if device is not None else backend.default_device()
        return backend.array_from_numpy(array, device, dtype, copy=copy)
    target = backend.canonical_device(device) if device is not None else backend.device_of(array)
    moved = backend.to_device(array, target)
    if dtype is not None:
        xp = backend.namespace_of(moved)
        moved = xp.astype(moved, getattr(xp, backend.dtype_name(dtype)), copy=False)
    if copy and moved is array:  # neither moved nor cast: copy it on its device
        moved = backend.namespace_of(moved).asarray(moved, copy=True)
    return moved
