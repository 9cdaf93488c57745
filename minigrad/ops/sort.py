"""Sorting, with PyTorch's names: ``sort`` and ``topk`` return the named tuple
``(values, indices)``.

The indices come from ``Argsort`` (a recorded op, not differentiable), and the values are read
from x at those indices (``pick``, PyTorch's gather), so the gradient of each value goes to the
element it came from, and derivatives of every order are ``pick``'s. Ties keep their order
(a stable sort); PyTorch's default sort does not promise that, so the indices of tied values
may differ from PyTorch's (the values do not).

Primitive: ``Argsort``. Composites: ``sort``, ``topk``."""

import collections

from .. import backend
from ..autodiff import Function
from .argreduce import pick
from .reduce import _normalize_axes
from .torch_shapes import narrow

SortResult = collections.namedtuple("sort", ["values", "indices"])
TopkResult = collections.namedtuple("topk", ["values", "indices"])


class Argsort(Function):
    """The indices that sort x along ``axis`` (stable; largest first if ``descending``).
    Not differentiable.  Saves: nothing (not recorded)."""

    differentiable = False

    def __init__(self, axis, descending):
        self.axis, self.descending = axis, descending

    def forward(self, x):
        # -x, not argsort's descending= (numpy has none): ties then keep their order too
        return backend.namespace_of(x).argsort(-x if self.descending else x, axis=self.axis,
                                               stable=True)


def sort(x, dim=-1, descending=False):
    """(values, indices): x sorted along ``dim``, and where each value came from."""
    (axis,) = _normalize_axes(x, dim)
    indices = Argsort.apply(x, axis=axis, descending=descending)
    return SortResult(pick(x, axis, indices), indices)


def topk(x, k, dim=-1, largest=True, sorted=True):
    """(values, indices) of the ``k`` largest (``largest=False``: smallest) elements along
    ``dim``, in order (``sorted`` is accepted: they always are)."""
    (axis,) = _normalize_axes(x, dim)
    if not 0 <= k <= x.shape[axis]:
        raise ValueError(f"topk: k={k} is out of range for dim {dim} of size {x.shape[axis]} "
                         f"(tensor of shape {x.shape})")
    indices = narrow(Argsort.apply(x, axis=axis, descending=largest), axis, 0, k)
    return TopkResult(pick(x, axis, indices), indices)
