"""Ops that pick elements and put them back: x[key] and its scatters, and joining tensors.

Each VJP stays inside this family, so derivatives of any order do too:

* ``getitem``      <-> a scatter into zeros (``IndexPut`` / ``IndexAdd``, which adds up repeated
  indices), whose VJP is ``getitem``;
* ``concatenate``  <-> slices of the gradient.

Integer-array indices are wrapped (-1 is the last) with ``where``, so this module sits above the
elementwise ops, whose VJPs need only ``shape``'s layout ops.

Primitives: ``GetItem``, ``IndexPut``, ``Take``, ``IndexAdd``, ``Concatenate``, ``CheckIndices``
(not differentiable). Composites: ``getitem`` with an integer array, ``stack``.
"""

import math

import numpy as np

from .. import backend, tracing
from ..autodiff import Function
from ..tensor import Tensor
from .elementwise import where
from .shape import accepts_dim, reshape, to


# -- indexing ---------------------------------------------------------------------------------

class CheckIndices(Function):
    """y = index, after checking that every element lies in 0..size-1 (or equals ``ignored``):
    an IndexError that names ``op`` and the first bad value otherwise, as PyTorch raises. Not
    differentiable. A primitive, so that a compiled program checks every new batch.
    Saves: nothing (not recorded)."""

    differentiable = False
    reads_to_host = True  # bool(any(bad)): on a GPU, the host waits for the device here

    def __init__(self, op, size, ignored=None):
        self.op, self.size, self.ignored = op, size, ignored

    def forward(self, index):
        xp = backend.namespace_of(index)
        bad = (index < 0) | (index >= self.size)
        if self.ignored is not None:
            bad = bad & (index != self.ignored)
        if bool(xp.any(bad)):
            first = backend.to_numpy(index)[backend.to_numpy(bad)][0]
            ignored = "" if self.ignored is None else f" (or {self.ignored}, ignored)"
            raise IndexError(f"{self.op}: index {first} is out of range; expected 0.."
                             f"{self.size - 1}{ignored}")
        return index


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
        item = item.array
    if isinstance(item, list):
        kind = np.asarray(item).dtype
        if kind == np.bool_:
            raise IndexError("getitem: a boolean mask is supported alone (x[mask]), not with "
                             "other indices; use minigrad.where or masked_fill instead")
        if item and not np.issubdtype(kind, np.integer):
            raise IndexError(f"getitem: an index list must hold integers, got {item!r}")
        return True
    if hasattr(item, "dtype") and getattr(item, "ndim", 0) > 0:
        xp = backend.namespace_of(item)
        if xp.isdtype(item.dtype, "bool"):
            raise IndexError("getitem: a boolean mask is supported alone (x[mask]), not with "
                             "other indices; use minigrad.where or masked_fill instead")
        return xp.isdtype(item.dtype, "integral")
    return False


def getitem(x, key):
    """``x[key]``, differentiable: ints, slices, ``...``, None, and one integer array.

    An integer array (list, array or integer Tensor, any shape) may be combined only with full
    slices ``:`` and ``...``: ``x[idx]``, ``x[:, idx]``. Its gradient adds up repeated indices.

    A boolean mask alone (``x[mask]``, the mask of x's shape or of its leading axes) picks the
    elements (rows) where it is True, as PyTorch, in a 1-D (2-D, ...) result.

    A basic key is the primitive ``GetItem``. Composite, for an integer array: negative indices
    wrapped with ``where``, then ``Take`` and ``reshape``; for a mask, the integer array of its
    True positions into x reshaped to (mask elements, rest)."""
    if _is_boolean_mask(key):
        return _masked(x, key)
    key = key if isinstance(key, tuple) else (key,)
    arrays = [position for position, item in enumerate(key) if _is_integer_array(item)]
    if arrays:
        return _take(x, key, arrays)
    return _basic_getitem(x, key)


def _is_boolean_mask(key):
    item = key.array if isinstance(key, Tensor) else key
    if isinstance(item, list):
        item = np.asarray(item)
    return hasattr(item, "dtype") and getattr(item, "ndim", 0) > 0 and \
        backend.namespace_of(item).isdtype(item.dtype, "bool")


def _masked(x, mask):
    """x[mask] for a boolean mask of x's leading axes (see :func:`getitem`)."""
    tracing.refuse(f"x[mask] on a tensor of shape {x.shape}",
                   "the result's shape depends on the mask's values; use where or masked_fill")
    mask = mask.array if isinstance(mask, Tensor) else mask
    if isinstance(mask, list):
        mask = backend.array_from_numpy(np.asarray(mask), x.device)
    if tuple(mask.shape) != x.shape[:mask.ndim]:
        raise IndexError(f"getitem: a boolean mask of shape {tuple(mask.shape)} for a tensor of "
                         f"shape {x.shape}; expected the shape of its leading axes")
    xp = backend.namespace_of(mask)
    (positions,) = xp.nonzero(xp.reshape(mask, (-1,)))
    rows = reshape(x, (-1,) + x.shape[mask.ndim:])
    return _take(rows, (Tensor(xp.astype(positions, xp.int64)),), [0])


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


def _take_several(x, key, array_positions):
    """x[..., i, j, ...] for integer arrays in adjacent positions, the other items full slices:
    the indexed axes merged into one, indexed with the flat index i * n_j + j (as numpy, the
    arrays broadcast together and their shape replaces those axes)."""
    first, count = array_positions[0], len(array_positions)
    if array_positions != list(range(first, first + count)) or any(
            item != slice(None) for i, item in enumerate(key) if i not in array_positions):
        raise IndexError(f"getitem: several integer arrays must be adjacent, with only full "
                         f"slices (:) around them, e.g. x[rows, cols] or x[:, i, j]; got {key!r}")
    sizes = x.shape[first:first + count]
    indices = []
    for item, size in zip(key[first:first + count], sizes):
        index = item if isinstance(item, Tensor) else Tensor(
            backend.to_device(np.asarray(item, dtype=np.int64), x.device))
        index = to(index, x.device)
        index = where(index < 0, index + size, index)
        indices.append(CheckIndices.apply(index, op="getitem", size=size))
    shape = np.broadcast_shapes(*[i.shape for i in indices])
    flat = 0
    for index, stride in zip(indices, [math.prod(sizes[j + 1:]) for j in range(count)]):
        flat = flat + index.broadcast_to(shape) * stride
    merged = reshape(x, x.shape[:first] + (math.prod(sizes),) + x.shape[first + count:])
    return _take(merged, (slice(None),) * first + (flat,), [first])


def _take(x, key, array_positions):
    if len(array_positions) > 1:
        return _take_several(x, key, array_positions)
    if any(not (item is Ellipsis or item == slice(None))
           for i, item in enumerate(key) if i not in array_positions):
        raise IndexError(f"getitem: an integer-array index can only be combined with full "
                         f"slices (:) and '...', e.g. x[idx] or x[:, idx], or with other "
                         f"adjacent arrays (x[rows, cols]); got {key!r}")
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
    taken = Take.apply(x, index=flat.array, axis=axis)
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
