"""Ops that move, copy or re-read elements, and the two that add elements up where those copies
are undone: ``SumToShape`` (the VJP of broadcasting) and ``IndexAdd`` (of indexing with repeats).

Each VJP stays inside this family, so derivatives of any order do too:

* ``reshape``      <-> ``reshape`` back;
* ``permute``      <-> ``permute`` by the inverse permutation;
* ``broadcast_to`` <-> ``sum_to_shape`` (the one place where broadcasting is undone);
* ``getitem``      <-> a scatter into zeros (``IndexPut`` / ``IndexAdd``), whose VJP is ``getitem``;
* ``concatenate``  <-> slices of the gradient;
* ``astype`` and ``to(device)`` <-> the conversion back.

Primitives: ``Reshape``, ``Permute``, ``BroadcastTo``, ``SumToShape``, ``Astype``, ``ToDevice``,
``GetItem``, ``IndexPut``, ``Take``, ``IndexAdd``, ``Concatenate``. Composites: ``transpose``,
``unbroadcast``, ``stack``, and ``getitem`` with an integer array.
"""

import functools
import math

import numpy as np

from .. import backend
from ..autodiff import Function
from ..tensor import Tensor


def accepts_dim(function):
    """Let ``function(x, axis=..., keepdims=...)`` also take PyTorch's names, ``dim=`` and
    ``keepdim=`` (PyTorch code says ``x.sum(dim=1)``)."""
    @functools.wraps(function)
    def with_torch_names(x, *args, dim=None, keepdim=None, **kwargs):
        for alias, name, value in (("dim", "axis", dim), ("keepdim", "keepdims", keepdim)):
            if value is None:
                continue
            if name in kwargs or (name == "axis" and args):
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


# -- indexing ---------------------------------------------------------------------------------

class GetItem(Function):
    """y = x[key] for a basic key (ints, slices, ``...``, None).
    VJP: dx = zeros like x with g put at ``key`` (:class:`IndexPut`).

    Saves: nothing (the key and x's shape)."""

    def __init__(self, key, shape):
        self.key = key      # a full tuple of ints and slices, one item per axis of x
        self.shape = shape  # the result's shape (with the axes that None adds)

    def forward(self, x):
        return backend.namespace_of(x).reshape(x[self.key], self.shape)

    def backward(self, g):
        source = self.inputs[0]
        picked_shape = _picked_shape(source.shape, self.key)
        return (IndexPut.apply(reshape(g, picked_shape), key=self.key, shape=source.shape),)


class IndexPut(Function):
    """y = zeros(shape) with y[key] = g, for a basic key (no element is written twice).
    VJP: dg = d[key].

    Saves: nothing (the key)."""

    def __init__(self, key, shape):
        self.key = key
        self.shape = shape

    def forward(self, g):
        xp = backend.namespace_of(g)
        out = xp.zeros(self.shape, dtype=g.dtype, device=g.device)
        out[self.key] = g
        return out

    def backward(self, d):
        return (reshape(d[self.key], self.inputs[0].shape),)


class Take(Function):
    """y = x[..., index, ...] along ``axis`` with a 1-D integer array ``index`` (repeats allowed).
    VJP: dx = zeros like x with g *added* at ``index`` (:class:`IndexAdd`).

    Saves: nothing (the index and x's shape)."""

    def __init__(self, index, axis):
        self.index = index
        self.axis = axis

    def forward(self, x):
        return backend.namespace_of(x).take(x, self.index, axis=self.axis)

    def backward(self, g):
        size = self.inputs[0].shape[self.axis]
        return (IndexAdd.apply(g, index=self.index, axis=self.axis, size=size),)


class IndexAdd(Function):
    """y = zeros with ``size`` along ``axis``, and y[..., index[j], ...] += g[..., j, ...].
    VJP: dg = take(d, index, axis).

    Saves: nothing (the index)."""

    def __init__(self, index, axis, size):
        self.index = index
        self.axis = axis
        self.size = size

    def forward(self, g):
        xp = backend.namespace_of(g)
        shape = g.shape[:self.axis] + (self.size,) + g.shape[self.axis + 1:]
        out = xp.zeros(shape, dtype=g.dtype, device=g.device)
        return backend.index_add(xp, out, self.axis, self.index, g)

    def backward(self, d):
        return (Take.apply(d, index=self.index, axis=self.axis),)


def _picked_shape(shape, key):
    """The shape of x[key] for a full basic key (ints drop an axis, slices keep one)."""
    return tuple(len(range(*k.indices(n))) for k, n in zip(key, shape) if isinstance(k, slice))


def _is_integer_array(item):
    if isinstance(item, Tensor):
        item = item.data
    if isinstance(item, list):
        kind = np.asarray(item).dtype
        if kind == np.bool_:
            raise IndexError("getitem: boolean masks are not supported (the result's shape "
                             "would depend on the data); use minigrad.where instead")
        if item and not np.issubdtype(kind, np.integer):
            raise IndexError(f"getitem: an index list must hold integers, got {item!r}")
        return True
    if hasattr(item, "dtype") and getattr(item, "ndim", 0) > 0:
        xp = backend.namespace_of(item)
        if xp.isdtype(item.dtype, "bool"):
            raise IndexError("getitem: boolean masks are not supported (the result's shape "
                             "would depend on the data); use minigrad.where instead")
        return xp.isdtype(item.dtype, "integral")
    return False


def getitem(x, key):
    """``x[key]``, differentiable: ints, slices, ``...``, None, and one integer array.

    An integer array (list, array or integer Tensor, any shape) may be combined only with full
    slices ``:`` and ``...``: ``x[idx]``, ``x[:, idx]``. Its gradient adds up repeated indices.

    A basic key is the primitive ``GetItem``. Composite, for an integer array: negative indices
    wrapped with ``where``, then ``Take`` and ``reshape``."""
    key = key if isinstance(key, tuple) else (key,)
    arrays = [position for position, item in enumerate(key) if _is_integer_array(item)]
    if arrays:
        return _take(x, key, arrays)
    return _basic_getitem(x, key)


def _basic_getitem(x, key):
    if sum(item is Ellipsis for item in key) > 1:
        raise IndexError("getitem: an index can only have a single ellipsis ('...')")
    consumed = sum(1 for item in key if item is not None and item is not Ellipsis)
    if consumed > x.ndim:
        raise IndexError(f"getitem: too many indices ({consumed}) for a tensor of shape {x.shape}")
    if Ellipsis not in key:
        key = key + (Ellipsis,)
    full, out_shape, axis = [], [], 0
    for item in key:
        if item is None:
            out_shape.append(1)
        elif item is Ellipsis:
            for _ in range(x.ndim - consumed):
                full.append(slice(None))
                out_shape.append(x.shape[axis])
                axis += 1
        elif isinstance(item, slice):
            full.append(item)
            out_shape.append(len(range(*item.indices(x.shape[axis]))))
            axis += 1
        else:
            if not isinstance(item, (int, np.integer)) or isinstance(item, (bool, np.bool_)):
                raise IndexError(f"getitem: unsupported index {item!r} of type "
                                 f"{type(item).__name__}; use ints, slices, '...', None or one "
                                 "integer array")
            index = int(item)
            if not -x.shape[axis] <= index < x.shape[axis]:
                raise IndexError(f"getitem: index {index} is out of bounds for axis {axis} "
                                 f"with size {x.shape[axis]}")
            full.append(index % x.shape[axis])
            axis += 1
    return GetItem.apply(x, key=tuple(full), shape=tuple(out_shape))


def _take(x, key, array_positions):
    if len(array_positions) > 1 or any(not (item is Ellipsis or item == slice(None))
                                       for i, item in enumerate(key) if i not in array_positions):
        raise IndexError(f"getitem: an integer-array index can only be combined with full "
                         f"slices (:) and '...', e.g. x[idx] or x[:, idx]; got {key!r}")
    from .elementwise import where  # here: elementwise imports this module

    position = array_positions[0]
    if Ellipsis in key[:position]:
        axis = x.ndim - (len(key) - position)
    else:
        axis = position
    index = key[position]
    if not isinstance(index, Tensor):  # a constant index, given as a list or an array
        if isinstance(index, list) or backend.device_of(index) != x.device:
            index = backend.to_device(np.asarray(index, dtype=np.int64), x.device)
        index = Tensor(index)
    index_shape = index.shape
    # with ops, not raw arrays: an index computed from data stays part of a compiled program
    flat = reshape(to(index, x.device), (-1,))
    flat = where(flat < 0, flat + x.shape[axis], flat)
    taken = Take.apply(x, index=flat.data, axis=axis)
    return reshape(taken, x.shape[:axis] + index_shape + x.shape[axis + 1:])


# -- joining ----------------------------------------------------------------------------------

class Concatenate(Function):
    """y = the inputs joined along ``axis``.  VJP: dx_i = the slice of g that x_i filled.
    Saves: nothing (the inputs' shapes)."""

    def __init__(self, axis):
        self.axis = axis

    def forward(self, *xs):
        return backend.namespace_of(xs[0]).concat(xs, axis=self.axis)

    def backward(self, g):
        grads, start = [], 0
        lead = (slice(None),) * self.axis
        for x, need in zip(self.inputs, self.needs_input_grad):
            stop = start + x.shape[self.axis]
            grads.append(getitem(g, lead + (slice(start, stop),)) if need else None)
            start = stop
        return tuple(grads)


@accepts_dim
def concatenate(tensors, axis=0):
    """Join tensors along an existing axis (``torch.cat``)."""
    tensors = list(tensors)
    if not tensors:
        raise ValueError("concatenate: needs at least one tensor")
    ndim = tensors[0].ndim
    if ndim == 0:
        raise ValueError("concatenate: 0-d tensors have no axis to join along; use stack")
    if not -ndim <= axis < ndim:
        raise ValueError(f"concatenate: axis {axis} is out of range for tensors of shape "
                         f"{tensors[0].shape}")
    axis = axis % ndim
    for position, t in enumerate(tensors):
        if t.ndim != ndim or t.shape[:axis] + t.shape[axis + 1:] != \
                tensors[0].shape[:axis] + tensors[0].shape[axis + 1:]:
            raise ValueError(f"concatenate: tensor {position} has shape {t.shape}, which does not "
                             f"match tensor 0's shape {tensors[0].shape} outside axis {axis}")
    return Concatenate.apply(*tensors, axis=axis)


@accepts_dim
def stack(tensors, axis=0):
    """Join tensors of one shape along a new axis.

    Composite: each tensor reshaped with a new axis of size 1, then ``Concatenate``."""
    tensors = list(tensors)
    if not tensors:
        raise ValueError("stack: needs at least one tensor")
    for position, t in enumerate(tensors):
        if t.shape != tensors[0].shape:
            raise ValueError(f"stack: tensor {position} has shape {t.shape}, expected the shape "
                             f"of tensor 0, {tensors[0].shape}")
    axis = axis % (tensors[0].ndim + 1)
    expanded = [reshape(t, t.shape[:axis] + (1,) + t.shape[axis:]) for t in tensors]
    return Concatenate.apply(*expanded, axis=axis)
