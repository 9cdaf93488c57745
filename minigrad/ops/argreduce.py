"""Arg-reductions: PyTorch's reductions that also say *where*. ``max(x, dim)`` and
``min(x, dim)`` return the named tuple ``(values, indices)``, and ``argmin`` the indices; they
read values at indices along an axis with ``pick``, also PyTorch's ``gather``. (``amax`` and
``amin``, the values only, and ``argmax`` are in ``reduce``; indexing by ``x[...]`` is in
``indexing``.)

The values of ``max(x, dim)`` are read from x at the indices (:func:`pick`), so the gradient goes
to the index returned, the first of tied maxima, as in PyTorch; ``amax`` (and ``max`` without a
dim) shares it equally between ties. ``pick`` is the integer-index primitive ``Take`` on the
flattened x, and the indices come from ``Argmax`` (a recorded op): derivatives of every order are
``Take``'s and ``IndexAdd``'s, and a compiled program recomputes the indices for new data.

Composites: ``pick``, ``gather`` (its indices checked by ``indexing``'s ``CheckIndices``),
``argmin``, ``max``, ``min``."""

import collections

import numpy as np

from .. import backend
from ..tensor import Tensor
from .elementwise import maximum, minimum
from .indexing import CheckIndices, Take
from .reduce import _normalize_axes, _require_nonempty, amax, amin, argmax
from .shape import reshape

MaxResult = collections.namedtuple("max", ["values", "indices"])
MinResult = collections.namedtuple("min", ["values", "indices"])


def pick(x, axis, index):
    """y[..., j, ...] = x[..., index[..., j, ...], ...] along ``axis`` (PyTorch's ``gather``) for
    an int64 tensor ``index`` with x's number of axes, no larger than x on the others, and
    values in 0..x.shape[axis] - 1 (not checked: the indices come from this package's ops).

    Computed as Take(flatten(x), flat) with flat = index * stride[axis] + the offsets of the other
    coordinates (a constant of the shapes), so VJP: dx = IndexAdd(g) reshaped to x's shape.
    Composite: ``Take`` on the flattened x, with ``reshape``, ``mul`` and ``add`` around it."""
    strides = [int(np.prod(x.shape[a + 1:], dtype=np.int64)) for a in range(x.ndim)]
    offsets = np.zeros(index.shape, dtype=np.int64)
    for a, n in enumerate(index.shape):
        if a != axis:
            offsets = offsets + (np.arange(n) * strides[a]).reshape(
                (1,) * a + (n,) + (1,) * (index.ndim - a - 1))
    flat = index * strides[axis] + Tensor(backend.array_from_numpy(offsets, index.device))
    taken = Take.apply(reshape(x, (-1,)), index=reshape(flat, (-1,)).array, axis=0)
    return reshape(taken, index.shape)


def gather(x, dim, index):
    """PyTorch's ``gather``: y[..., j, ...] = x[..., index[..., j, ...], ...] along ``dim``, for
    an integer tensor ``index`` with x's number of axes and no larger than x on the others; its
    values are checked (``CheckIndices``).  Composite: :func:`pick`; dx = g added into zeros at
    the indices."""
    (axis,) = _normalize_axes(x, dim)
    if index.ndim != x.ndim or any(i > n for a, (i, n) in enumerate(zip(index.shape, x.shape))
                                   if a != axis):
        raise ValueError(f"gather: index of shape {index.shape} for x of shape {x.shape} along "
                         f"dim {dim}; expected as many axes as x, none larger on the others")
    return pick(x, axis, CheckIndices.apply(index, op="gather", size=x.shape[axis]))


def argmin(x, dim=None, keepdim=False):
    """int64 indices of the smallest elements along ``dim`` (of the flattened tensor if None),
    the first of ties.  Composite: ``argmax(-x)``."""
    _require_nonempty("argmin", x)
    return argmax(-x.detach(), dim=dim, keepdim=keepdim)


def max(x, dim=None, keepdim=False, axis=None, keepdims=False):
    """PyTorch's ``max``: ``max(x)`` the largest element; ``max(x, dim, keepdim=False)`` the named
    tuple ``(values, indices)`` along axis ``dim`` (indices: int64, the first of ties);
    ``max(x, other)`` with a tensor ``other``: ``maximum(x, other)``. numpy's ``axis=`` and
    ``keepdims=`` are PyTorch's aliases of ``dim`` and ``keepdim`` (values and indices); several
    axes are refused (``amax`` reduces over several).

    Composite: ``maximum``, ``amax``, or ``Argmax`` and :func:`pick`."""
    return _extreme("max", x, dim, keepdim, axis, keepdims)


def min(x, dim=None, keepdim=False, axis=None, keepdims=False):
    """As :func:`max`, for the smallest elements (``min(x, other)``: ``minimum``).
    Composite, as :func:`max`."""
    return _extreme("min", x, dim, keepdim, axis, keepdims)


# op: (with a tensor, without a dim, the indices along one axis, the named tuple)
_FORMS = {"max": (maximum, amax, lambda x, axis: argmax(x, dim=axis, keepdim=True),
                  MaxResult),
          "min": (minimum, amin, lambda x, axis: argmin(x, dim=axis, keepdim=True),
                  MinResult)}


def _extreme(op, x, dim, keepdim, axis, keepdims):
    elementwise, values_only, find_index, result = _FORMS[op]
    if isinstance(dim, Tensor):
        return elementwise(x, dim)
    if axis is not None:
        if dim is not None:
            raise TypeError(f"{op}: give dim or its alias axis, not both")
        dim, keepdim = axis, keepdim or keepdims
    _require_nonempty(op, x)
    if dim is None:
        return values_only(x)
    if not isinstance(dim, (int, np.integer)) or isinstance(dim, bool):
        raise TypeError(f"{op}: dim must be an int, got {dim!r}; {op}(x, dim) gives (values, "
                        f"indices) along one axis, as in PyTorch (also with numpy's axis=), "
                        f"a{op}(x, dim=(...)) the values over several")
    scalar = x.ndim == 0
    if scalar:
        x = reshape(x, (1,))
    (axis,) = _normalize_axes(x, int(dim))
    indices = find_index(x, axis)
    values = pick(x, axis, indices)
    if not keepdim or scalar:
        shape = () if scalar else x.shape[:axis] + x.shape[axis + 1:]
        values, indices = reshape(values, shape), reshape(indices, shape)
    return result(values, indices)
