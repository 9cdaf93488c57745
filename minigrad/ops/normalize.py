"""Batch standardization, the core of batch norm, as a closed pair of primitives.

Over the reduced ``axes`` (n values per statistic; (0,) for (N, C), (0, 2, 3) for (N, C, H, W)):

    mean = (1/n) sum x,   var = (1/n) sum (x - mean)^2,   s = (var + eps)^(-1/2)
    x_hat = (x - mean) s

* :class:`Standardize`   x_hat = standardize(x)        (the shape of x)
* :class:`InverseStd`    s = inverse_std(x)            (the statistics' shape, reduced axes kept)

Written as ~9 elementwise ops, x_hat records ~9 graph nodes whose VJPs make ~20 full-size
temporaries; as one primitive, its VJP is five full-size products and two means. Each VJP is
written with the other primitive, so derivatives of every order stay inside the pair:

    Standardize  dx = s * (g - mean(g) - x_hat * mean(g * x_hat))
    InverseStd   dx = -(g s^2 / n) * x_hat

(the second from ds/dx_i = -(1/2)(var + eps)^(-3/2) * 2 (x_i - mean)/n; the mean's own
derivative drops out of both because sum (x_i - mean) = 0).

The statistics are computed once by :func:`batch_statistics` (its caller, batch norm, also needs
them for the running averages) and handed to both primitives: they must be x's own statistics.
``batch_statistics`` is a composite of recorded ops on ``x.detach()``; ``standardize`` applies
``Standardize``.
"""

from ..autodiff import Function
from .reduce import _count


def batch_statistics(x, axes, eps):
    """(mean, var, s) of the tensor ``x`` over ``axes``, kept as size-1 axes: constants of the
    graph (computed from ``x.detach()``), made by recorded ops so that a compiled program
    recomputes them from each new x.

    Composite: of mean, sub, mul, add, sqrt and div."""
    x = x.detach()
    mean = x.mean(axis=axes, keepdims=True)
    centered = x - mean
    var = (centered * centered).mean(axis=axes, keepdims=True)
    return mean, var, 1.0 / (var + eps).sqrt()


class _BatchStatistic(Function):
    """A primitive of the pair: it knows its axes and x's (mean, s)."""

    def __init__(self, axes, mean, inverse_std):
        self.axes = axes
        self.mean = mean
        self.inverse_std = inverse_std

    def _other(self, kind, x):
        return kind.apply(x, axes=self.axes, mean=self.mean, inverse_std=self.inverse_std)


class Standardize(_BatchStatistic):
    """x_hat = (x - mean) s.  VJP: dx = s * (g - mean(g) - x_hat * mean(g * x_hat)).
    Saves: x, x_hat (its output), and x's mean and s (parameters)."""

    def forward(self, x):
        return (x - self.mean) * self.inverse_std

    def backward(self, g):
        x = self.inputs[0]
        x_hat = self.output
        s = self._other(InverseStd, x)
        g_mean = g.mean(axis=self.axes, keepdims=True)
        projection = (g * x_hat).mean(axis=self.axes, keepdims=True)
        return ((g - g_mean - x_hat * projection) * s,)


class InverseStd(_BatchStatistic):
    """s = (var + eps)^(-1/2), reduced axes kept.  VJP: dx = -(g s^2 / n) * x_hat.
    Saves: x, s (its output), and x's mean and s (parameters)."""

    def forward(self, x):
        return self.inverse_std

    def backward(self, g):
        x = self.inputs[0]
        s = self.output
        x_hat = self._other(Standardize, x)
        return (-(g * s * s * (1.0 / _count(x, self.axes))) * x_hat,)


def standardize(x, axes, eps):
    """(x_hat, mean, var): x standardized over ``axes`` with its own batch statistics, and those
    statistics as constant tensors (reduced axes kept)."""
    mean, var, inverse_std = batch_statistics(x, axes, eps)
    x_hat = Standardize.apply(x, axes=axes, mean=mean.array, inverse_std=inverse_std.array)
    return x_hat, mean, var
