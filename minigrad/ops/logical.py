"""Tests of values, with PyTorch's names: ``isnan``, ``isinf``, ``isfinite`` elementwise,
``all`` and ``any`` over axes, the one-bool answers ``equal`` and ``allclose``, and where the
nonzero elements are: ``nonzero`` and one-argument ``where(condition)``.

None is differentiable: a boolean or an index is a constant of the graph.

Primitive: ``Test``. Composites: ``equal`` (``torch.equal``), ``allclose``. ``nonzero`` reads
the values (its shape depends on them), so it is refused inside ``mg.compile``."""

from .. import backend, tracing
from ..autodiff import Function
from ..grad_mode import no_grad
from ..tensor import Tensor
from . import elementwise
from .reduce import _normalize_axes
from .shape import accepts_dim


class Test(Function):
    """y = ``name``(x): isnan, isinf or isfinite elementwise, or all / any over ``axes``.
    Not differentiable (y is boolean).  Saves: nothing (not recorded)."""

    differentiable = False

    def __init__(self, name, axes=None, keepdims=False):
        self.name = name
        self.axes = axes
        self.keepdims = keepdims

    def forward(self, x):
        test = getattr(backend.namespace_of(x), self.name)
        if self.axes is None:
            return test(x)
        return test(x, axis=self.axes, keepdims=self.keepdims)


def isnan(x):
    """Where x is NaN (a boolean tensor of x's shape)."""
    return Test.apply(x, name="isnan")


def isinf(x):
    """Where x is +inf or -inf."""
    return Test.apply(x, name="isinf")


def isfinite(x):
    """Where x is neither NaN nor infinite."""
    return Test.apply(x, name="isfinite")


@accepts_dim
def all(x, axis=None, keepdims=False):
    """Whether every element (over ``axis``; all of them if None) is nonzero: a boolean tensor,
    0-d without an axis, as PyTorch's ``x.all()``."""
    return Test.apply(x, name="all", axes=_normalize_axes(x, axis), keepdims=keepdims)


@accepts_dim
def any(x, axis=None, keepdims=False):
    """Whether some element (over ``axis``; all of them if None) is nonzero."""
    return Test.apply(x, name="any", axes=_normalize_axes(x, axis), keepdims=keepdims)


def equal(a, b):
    """PyTorch's ``torch.equal``: one Python bool, True when a and b have the same shape and
    equal elements. (``a == b`` and :func:`minigrad.eq` compare elementwise.)"""
    return a.shape == b.shape and bool(all(a == b))


def allclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
    """PyTorch's ``torch.allclose``: one bool, True when |a - b| <= atol + rtol * |b|
    everywhere (broadcasting a and b); NaNs count as equal only with ``equal_nan``."""
    with no_grad():
        close = (a - b).abs() <= atol + rtol * b.abs()
        if equal_nan:
            close = close | (isnan(a) & isnan(b))
        return bool(all(close))


def nonzero(x, as_tuple=False):
    """The indices of x's nonzero elements: an int64 tensor (count, x.ndim), or with
    ``as_tuple`` one int64 tensor per axis (what ``x[...]`` takes), as PyTorch's."""
    tracing.refuse(f"nonzero of a tensor of shape {x.shape}",
                   "the result's shape depends on the values")
    xp = backend.namespace_of(x.array)
    indices = [xp.astype(i, xp.int64) for i in xp.nonzero(x.array)]
    if as_tuple:
        return tuple(Tensor(i) for i in indices)
    return Tensor(xp.stack(indices, axis=1))


def where(condition, a=None, b=None):
    """``where(condition, a, b)``: elementwise a if condition else b (differentiable in a and
    b); ``where(condition)``: ``nonzero(condition, as_tuple=True)``, as PyTorch's."""
    if a is None and b is None:
        return nonzero(condition if isinstance(condition, Tensor) else
                       Tensor(condition), as_tuple=True)
    return elementwise.where(condition, a, b)
