"""Ops that change how elements are laid out, not which: reshape, permute, broadcast_to and its
VJP sum_to_shape (the one op here that adds elements up), astype, to(device).

Each VJP stays inside this family, so derivatives of any order do too:

* ``reshape``      <-> ``reshape`` back;
* ``permute``      <-> ``permute`` by the inverse permutation;
* ``broadcast_to`` <-> ``sum_to_shape`` (the one place where broadcasting is undone);
* ``astype`` and ``to(device)`` <-> the conversion back.

Primitives: ``Reshape``, ``Permute``, ``BroadcastTo``, ``SumToShape``, ``Astype``, ``ToDevice``.
Composites: ``transpose``, ``unbroadcast``.
"""

import functools
import inspect
import math

import numpy as np

from ... import backend
from ...autodiff import Function


def accepts_dim(function):
    """Let ``function(x, axis=..., keepdims=...)`` also take PyTorch's names, ``dim=`` and
    ``keepdim=`` (PyTorch code says ``x.sum(dim=1)``, ``x.norm(2, dim=1)``)."""
    positions = list(inspect.signature(function).parameters)
    axis_position = positions.index("axis") - 1  # among the arguments after x

    @functools.wraps(function)
    def with_torch_names(x, *args, dim=None, keepdim=None, **kwargs):
        for alias, name, value in (("dim", "axis", dim), ("keepdim", "keepdims", keepdim)):
            if value is None:
                continue
            if name in kwargs or (name == "axis" and len(args) > axis_position):
                raise TypeError(f"{function.__name__}: give {name} or {alias}, not both")
            kwargs[name] = value
        return function(x, *args, **kwargs)

    return with_torch_names


class Reshape(Function):
    """y = reshape(x, shape).  VJP: dx = reshape(g, x.shape).
    Saves: nothing (x's shape)."""

    def __init__(self, shape):
        self.shape = shape

    def forward(self, x):
        return backend.namespace_of(x).reshape(x, self.shape)

    def backward(self, g):
        return (reshape(g, self.inputs[0].shape),)


def reshape(x, *shape):
    """``x.reshape(2, -1)`` or ``x.reshape((2, -1))``; one dimension may be -1."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = shape[0]
    shape = _resolve_shape(x, tuple(int(s) for s in shape))
    if shape == x.shape:
        return x
    return Reshape.apply(x, shape=shape)


def _resolve_shape(x, shape):
    size = x.numel()
    if shape.count(-1) > 1:
        raise ValueError(f"reshape: only one dimension can be -1, got {shape}")
    if -1 in shape:
        known = math.prod(s for s in shape if s != -1)
        if known == 0 or size % known:
            raise ValueError(f"reshape: cannot reshape {x.shape} ({size} elements) into {shape}")
        shape = tuple(size // known if s == -1 else s for s in shape)
    if math.prod(shape) != size:
        raise ValueError(f"reshape: cannot reshape {x.shape} ({size} elements) into {shape}")
    return shape


class Permute(Function):
    """y = x with axes reordered: y.shape[i] = x.shape[axes[i]].
    VJP: dx = permute(g, argsort(axes)).

    Saves: nothing."""

    def __init__(self, axes):
        self.axes = axes

    def forward(self, x):
        return backend.namespace_of(x).permute_dims(x, self.axes)

    def backward(self, g):
        return (permute(g, *np.argsort(self.axes).tolist()),)


def permute(x, *axes):
    """Reorder the axes of ``x`` (``x.permute(2, 0, 1)``, as in PyTorch)."""
    if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
        axes = axes[0]
    if sorted(a % max(x.ndim, 1) for a in axes) != list(range(x.ndim)):
        raise ValueError(f"permute: {tuple(axes)} is not a permutation of the {x.ndim} axes "
                         f"of a tensor of shape {x.shape}")
    axes = tuple(a % x.ndim for a in axes)
    if axes == tuple(range(x.ndim)):
        return x
    return Permute.apply(x, axes=axes)


def transpose(x, dim0=-2, dim1=-1):
    """Swap two axes (the last two by default).

    Composite: a ``permute``."""
    if not (-x.ndim <= dim0 < x.ndim and -x.ndim <= dim1 < x.ndim):
        raise ValueError(f"transpose: axes {dim0} and {dim1} do not exist in a tensor of shape "
                         f"{x.shape} (.mT and .transpose() swap the last two axes of a tensor "
                         "with at least 2)")
    axes = list(range(x.ndim))
    axes[dim0], axes[dim1] = axes[dim1], axes[dim0]
    return permute(x, *axes)


class BroadcastTo(Function):
    """y = x broadcast to ``shape`` (numpy's rules).  VJP: dx = sum_to_shape(g, x.shape).
    Saves: nothing (x's shape)."""

    def __init__(self, shape):
        self.shape = shape

    def forward(self, x):
        return backend.namespace_of(x).broadcast_to(x, self.shape)

    def backward(self, g):
        return (sum_to_shape(g, self.inputs[0].shape),)


def broadcast_to(x, shape):
    shape = tuple(shape)
    if shape == x.shape:
        return x
    if len(shape) < x.ndim or any(n not in (1, m) for n, m in zip(x.shape[::-1], shape[::-1])):
        raise ValueError(f"broadcast_to: cannot broadcast shape {x.shape} to {shape}: aligned "
                         "from the right, each axis of the tensor must be 1 or equal the target's")
    return BroadcastTo.apply(x, shape=shape)


class SumToShape(Function):
    """y = the sum of x over the axes that broadcasting added or stretched, so y.shape = shape.
    VJP: dx = broadcast_to(g, x.shape).

    Saves: nothing (x's shape)."""

    def __init__(self, shape):
        self.shape = shape

    def forward(self, x):
        xp = backend.namespace_of(x)
        leading = x.ndim - len(self.shape)
        stretched = tuple(leading + i for i, n in enumerate(self.shape) if n == 1
                          and x.shape[leading + i] != 1)
        summed = xp.sum(x, axis=tuple(range(leading)) + stretched, keepdims=True)
        return xp.reshape(summed, self.shape)

    def backward(self, g):
        return (broadcast_to(g, self.inputs[0].shape),)


def sum_to_shape(x, shape):
    shape = tuple(shape)
    if x.shape == shape:
        return x
    leading = x.ndim - len(shape)
    if leading < 0 or any(n not in (1, m) for n, m in zip(shape, x.shape[leading:])):
        raise ValueError(f"sum_to_shape: shape {shape} does not broadcast to the tensor's "
                         f"shape {x.shape}")
    return SumToShape.apply(x, shape=shape)


def unbroadcast(grad, like):
    """The gradient ``grad`` of a broadcast result, brought back to the shape and dtype of the
    operand ``like``: the single place where every op undoes numpy broadcasting.

    Composite: ``sum_to_shape``, then ``astype`` if the dtypes differ."""
    grad = sum_to_shape(grad, like.shape)
    if grad.dtype != like.dtype:
        grad = astype(grad, like.dtype)
    return grad


class Astype(Function):
    """y = x converted to ``dtype``.  VJP: dx = astype(g, x.dtype).
    Saves: nothing (x's dtype)."""

    def __init__(self, dtype):
        self.dtype = dtype

    def forward(self, x):
        xp = backend.namespace_of(x)
        return xp.astype(x, getattr(xp, backend.dtype_name(self.dtype)))

    def backward(self, g):
        return (astype(g, self.inputs[0].dtype),)


def astype(x, dtype):
    if backend.dtype_name(x.dtype) == backend.dtype_name(dtype):
        return x
    return Astype.apply(x, dtype=dtype)


class ToDevice(Function):
    """y = x copied to another device.  VJP: dx = g copied back to x's device.
    Saves: nothing (x's device)."""

    def __init__(self, device):
        self.device = device

    def forward(self, x):
        return backend.to_device(x, self.device)

    def backward(self, g):
        return (to(g, self.inputs[0].device),)


def to(x, device):
    """A copy of ``x`` on ``device`` ("cpu", "cuda", ...); ``x`` itself if it is already there.
    The copy is differentiable: gradients are moved back."""
    device = backend.canonical_device(device)
    if device == x.device:
        return x
    return ToDevice.apply(x, device=device)
