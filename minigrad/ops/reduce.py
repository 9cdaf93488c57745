"""Reductions over axes. ``axis`` is None (all axes), an int or a tuple; ``keepdims`` as numpy
(PyTorch's ``dim`` and ``keepdim`` are accepted too).
(This module's ``sum`` shadows Python's.)

The VJP of a reduction spreads g back over the reduced axes: reshape g to the kept-dims shape,
then broadcast it to the input's shape.

Primitives: ``Sum``, ``Mean``, ``Max``, ``Argmax``, ``SafeShift``. Composites (built from
primitives, so their derivatives are the primitives'): ``amin``, ``norm``, ``logsumexp``, ``var``,
``std``, ``log_softmax``, ``softmax``.
"""

from .. import backend
from ..autodiff import Function
from .elementwise import Masked
from .shape import accepts_dim, broadcast_to, reshape


def _normalize_axes(x, axis):
    if axis is None:
        return tuple(range(x.ndim))
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    for a in axes:
        if not -x.ndim <= a < max(x.ndim, 1):
            raise ValueError(f"axis {a} is out of range for a tensor of shape {x.shape}")
    return tuple(sorted({a % max(x.ndim, 1) for a in axes}))


def _kept_shape(shape, axes):
    return tuple(1 if i in axes else n for i, n in enumerate(shape))


def _spread(g, x, axes):
    """g of the reduced shape, laid back over the input's shape."""
    return broadcast_to(reshape(g, _kept_shape(x.shape, axes)), x.shape)


class _Reduction(Function):
    """A reduction over ``axes`` (a sorted tuple), keeping them as size 1 if ``keepdims``."""

    def __init__(self, axes, keepdims):
        self.axes = axes
        self.keepdims = keepdims


class Sum(_Reduction):
    """y = sum of x over ``axes``.  VJP: dx = g broadcast back over the summed axes.
    Saves: nothing (x's shape)."""

    def forward(self, x):
        return backend.namespace_of(x).sum(x, axis=self.axes, keepdims=self.keepdims)

    def backward(self, g):
        return (_spread(g, self.inputs[0], self.axes),)


@accepts_dim
def sum(x, axis=None, keepdims=False):
    return Sum.apply(x, axes=_normalize_axes(x, axis), keepdims=keepdims)


class Mean(_Reduction):
    """y = mean of x over ``axes`` (n values each).  VJP: dx = g / n, spread over the axes.
    Saves: nothing (x's shape)."""

    def forward(self, x):
        return backend.namespace_of(x).mean(x, axis=self.axes, keepdims=self.keepdims)

    def backward(self, g):
        x = self.inputs[0]
        return (_spread(g * (1.0 / _count(x, self.axes)), x, self.axes),)


def _count(x, axes):
    count = 1
    for a in axes:
        count *= x.shape[a]
    return count


def _require_nonempty(op, x):
    """Refuse a tensor with no elements: it has no largest or smallest one."""
    if x.numel() == 0:
        raise ValueError(f"{op}: the tensor of shape {x.shape} is empty")


def _require_values(op, x, axes, more_than=0):
    """Refuse a reduction over fewer than ``more_than + 1`` values (an empty one, for most)."""
    count = _count(x, axes)
    if count <= more_than:
        raise ValueError(f"{op}: needs more than {more_than} values to reduce over, got {count} "
                         f"(axes {axes} of a tensor of shape {x.shape})")


@accepts_dim
def mean(x, axis=None, keepdims=False):
    axes = _normalize_axes(x, axis)
    _require_values("mean", x, axes)
    return Mean.apply(x, axes=axes, keepdims=keepdims)


class Max(_Reduction):
    """y = max of x over ``axes``.  VJP: dx = g at the maxima, shared equally between ties.
    A slice holding a nan has the max nan, and its maxima are its nans (x == nan is false, so
    they are found by isnan): the gradient goes to the nan elements, as PyTorch's ``max()``,
    instead of g / 0 = nan everywhere. (PyTorch's ``amax`` gives nan everywhere there.)
    Saves: each element's share of g, an array made by forward; x only links the graph."""

    def forward(self, x):
        xp = backend.namespace_of(x)
        top = xp.max(x, axis=self.axes, keepdims=True)
        is_top = xp.astype((x == top) | (xp.isnan(x) & xp.isnan(top)), x.dtype)
        self.share = is_top / xp.sum(is_top, axis=self.axes, keepdims=True)
        return top if self.keepdims else xp.reshape(top, _reduced_shape(x.shape, self.axes))

    def backward(self, g):
        x = self.inputs[0]
        return (Masked.apply(_spread(g, x, self.axes), x, mask=self.share),)


def _reduced_shape(shape, axes):
    return tuple(n for i, n in enumerate(shape) if i not in axes)


@accepts_dim
def amax(x, axis=None, keepdims=False):
    """PyTorch's ``amax``: the largest values over ``axis`` (all axes if None), without their
    indices (``max(x, dim)`` gives those too)."""
    _require_nonempty("amax", x)
    return Max.apply(x, axes=_normalize_axes(x, axis), keepdims=keepdims)


@accepts_dim
def amin(x, axis=None, keepdims=False):
    """PyTorch's ``amin``, the smallest values.  Composite: amin(x) = -amax(-x)."""
    _require_nonempty("amin", x)
    return -amax(-x, axis=axis, keepdims=keepdims)


class Argmax(Function):
    """The index of the largest element along ``axis`` (of the flattened tensor if None); the
    first one at ties. Not differentiable: an index is a constant of the graph.

    Saves: nothing (not recorded)."""

    differentiable = False

    def __init__(self, axis, keepdims):
        self.axis = axis
        self.keepdims = keepdims

    def forward(self, x):
        xp = backend.namespace_of(x)
        if self.axis is None:
            index = xp.argmax(xp.reshape(x, (-1,)))
            return xp.reshape(index, (1,) * x.ndim) if self.keepdims else index
        return xp.argmax(x, axis=self.axis, keepdims=self.keepdims)


@accepts_dim
def argmax(x, axis=None, keepdims=False):
    """PyTorch's ``x.argmax(dim, keepdim)``: int64 indices of the maxima along ``axis``."""
    _require_nonempty("argmax", x)
    if axis is not None:
        axis = _normalize_axes(x, axis)
        if len(axis) != 1:
            raise ValueError(f"argmax: takes one axis (or None), got {axis}")
        axis = axis[0]
    return Argmax.apply(x, axis=axis, keepdims=keepdims)


@accepts_dim
def norm(x, p=2, axis=None, keepdims=False):
    """The p-norm over ``axis`` (all elements if None): (sum |x|^p)^(1/p); p=2 by default.

    Composite: sum with mul and sqrt (p = 2), abs (p = 1), or abs and power (other p); its
    derivatives are theirs (infinite at x = 0 for p = 2, as PyTorch's is there only by
    convention)."""
    if p == 2:
        return (x * x).sum(axis=axis, keepdims=keepdims).sqrt()
    if p == 1:
        return x.abs().sum(axis=axis, keepdims=keepdims)
    return (x.abs() ** p).sum(axis=axis, keepdims=keepdims) ** (1.0 / p)


class SafeShift(_Reduction):
    """m = max of x over ``axes`` (kept), or 0 where that max is infinite: the shift that
    keeps exp(x - m) from overflowing. Not differentiable: logsumexp uses it as a constant (its
    result does not depend on the shift).

    Saves: nothing (not recorded)."""

    differentiable = False

    def forward(self, x):
        xp = backend.namespace_of(x)
        largest = xp.max(x, axis=self.axes, keepdims=True)
        # an infinite max would give inf - inf = nan; no shift is needed there (exp gives 0 or inf)
        return xp.where(xp.isfinite(largest), largest, xp.zeros_like(largest))


@accepts_dim
def logsumexp(x, axis=None, keepdims=False):
    """log(sum(exp(x))) computed as m + log(sum(exp(x - m))) with m = max(x) (0 where that is
    infinite), a constant shift that cannot overflow.

    Composite: of SafeShift (a constant), sub, exp, Sum, log and add; its VJP by composition is
    dx = g * softmax(x)."""
    axes = _normalize_axes(x, axis)
    _require_values("logsumexp", x, axes)
    shift = SafeShift.apply(x, axes=axes, keepdims=True)
    total = Sum.apply((x - shift).exp(), axes=axes, keepdims=True).log() + shift
    return total if keepdims else reshape(total, _reduced_shape(x.shape, axes))


def log_softmax(x, dim):
    """x - logsumexp(x) along ``dim``: log-probabilities, computed without overflow.
    Composite: sub and logsumexp; dx = g - softmax(x) * sum(g) along ``dim``."""
    return x - x.logsumexp(axis=dim, keepdims=True)


def softmax(x, dim):
    """exp(log_softmax(x, dim)): probabilities along ``dim``.
    Composite: exp of log_softmax; dx = y * (g - sum(g * y)) along ``dim``."""
    return log_softmax(x, dim).exp()


@accepts_dim
def var(x, axis=None, unbiased=None, keepdims=False, *, correction=None):
    """Variance: the sum of squared deviations from the mean, divided by count - correction.

    PyTorch's signatures: ``x.var(dim, unbiased=True, keepdim=False)`` and ``x.var(dim,
    correction=1)``; the default divides by count - 1 (Bessel's correction), and a bool in
    place of ``dim`` is ``unbiased`` (``x.var(False)``). ``unbiased=False`` is correction 0.

    Composite: of mean, sub, mul, Sum and a constant factor."""
    if isinstance(axis, bool):
        axis, unbiased = None, axis if unbiased is None else _two_corrections()
    if unbiased is not None and correction is not None:
        _two_corrections()
    if correction is None:
        correction = 0 if unbiased is False else 1
    axes = _normalize_axes(x, axis)
    _require_values(f"var (correction={correction})", x, axes, more_than=correction)
    deviation = x - mean(x, axis=axes, keepdims=True)
    return Sum.apply(deviation * deviation, axes=axes, keepdims=keepdims) * \
        (1.0 / (_count(x, axes) - correction))


def _two_corrections():
    raise TypeError("var/std: give unbiased or correction, not both (unbiased=True is "
                    "correction=1, unbiased=False correction=0)")


@accepts_dim
def std(x, axis=None, unbiased=None, keepdims=False, *, correction=None):
    """The standard deviation, sqrt(var(...)), with :func:`var`'s arguments (count - 1 by
    default, as PyTorch).  Composite: var and sqrt; d std = d var / (2 std), infinite where
    all the values are equal."""
    return var(x, axis, unbiased, keepdims, correction=correction).sqrt()
