"""Along one axis: the running sum ``cumsum``, and the product ``prod``.

Primitive: ``Cumsum``. Its VJP is a running sum from the other end, flip(cumsum(flip(g))), made
of ``Cumsum`` and basic slices, so derivatives of every order stay in this family. Composite:
``prod``, a tree of multiplications."""

from .. import backend
from ..autodiff import Function
from ..creation import full
from .reduce import _normalize_axes
from .indexing import concatenate
from .shape import accepts_dim, reshape
from .torch_shapes import flip, narrow


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


@accepts_dim
def prod(x, axis=None, keepdims=False):
    """The product of x's elements along ``axis`` (one axis, as PyTorch's ``prod(dim,
    keepdim)``; all of them if None).

    Composite: the two halves of the axis multiplied elementwise (an odd last element carried
    over), halving it until one is left: log2(n) ``Mul`` ops, so every derivative is exact,
    also where elements are 0 (d/dx_i = product of the others, with no division by x_i). The
    rounding follows this order of multiplication, not numpy's."""
    if axis is None:
        total = _product_along(reshape(x, (-1,)), 0)
        return reshape(total, (1,) * x.ndim if keepdims else ())
    (axis,) = _normalize_axes(x, axis)
    total = _product_along(x, axis)
    return total if keepdims else reshape(total, x.shape[:axis] + x.shape[axis + 1:])


def _product_along(x, axis):
    """The product along ``axis``, kept as an axis of size 1."""
    if x.shape[axis] == 0:
        return full(x.shape[:axis] + (1,) + x.shape[axis + 1:], 1, x.dtype, x.device)
    while x.shape[axis] > 1:
        n, half = x.shape[axis], x.shape[axis] // 2
        product = narrow(x, axis, 0, half) * narrow(x, axis, half, half)
        x = concatenate([product, narrow(x, axis, n - 1, 1)], axis) if n % 2 else product
    return x
