"""Running sums: ``cumsum`` along one axis.

Primitive: ``Cumsum``. Its VJP is a running sum from the other end, flip(cumsum(flip(g))), made
of ``Cumsum`` and basic slices, so derivatives of every order stay in this family."""

from .. import backend
from ..autodiff import Function
from .reduce import _normalize_axes
from .torch_shapes import flip


class Cumsum(Function):
    """y_i = x_0 + ... + x_i along ``axis``.  VJP: dx_i = g_i + ... + g_last along the axis,
    that is flip(cumsum(flip(g))).
    Saves: nothing."""

    def __init__(self, axis):
        self.axis = axis

    def forward(self, x):
        return backend.namespace_of(x).cumulative_sum(x, axis=self.axis)

    def backward(self, g):
        return (flip(Cumsum.apply(flip(g, self.axis), axis=self.axis), self.axis),)


def cumsum(x, dim):
    """The running sum of x along ``dim`` (PyTorch's ``cumsum(x, dim)``), of x's shape."""
    (axis,) = _normalize_axes(x, dim)
    return Cumsum.apply(x, axis=axis)
