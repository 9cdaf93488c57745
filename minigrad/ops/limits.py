"""Two primitives that give the losses their limits where a term is 0 * inf, as PyTorch's
losses do (or, where PyTorch's own formula gives nan, as the limit does).

* ``ZeroDroppingMul``: a * c with c = 0 giving 0 whatever a is (-inf, inf or nan): a
  classification loss weights each log-probability with a coefficient that is 0 off the target,
  and PyTorch picks the target's value by index, so a masked (-inf) class elsewhere adds nothing.
* ``InfiniteLogitLimit``: the value of binary cross-entropy with logits at x = +-inf, where its
  stable formula softplus(x) - p t x meets inf - inf or 0 * inf.

Both compute their masks in ``forward`` from the data, so a compiled program recomputes them on
every replay (a ``where`` would freeze a condition made from values).
"""

from .. import backend
from ..autodiff import Function
from .elementwise.binary import Mul
from .shape import unbroadcast


class ZeroDroppingMul(Mul):
    """y = a * c, except y = 0 where c = 0 (also for an infinite or nan a; elsewhere the bits of
    a * c). VJP: ``Mul``'s, da = g * c, dc = g * a (the change of y in a is c, which is 0
    there; in c it is a, infinite where a is). Saves: a and c."""

    def forward(self, a, c):
        xp = backend.namespace_of(a)
        product = a * c
        return xp.where((c == 0) & xp.isnan(product), xp.zeros_like(product), product)


def zero_dropping_mul(a, coefficients):
    """a * coefficients with the terms of coefficient 0 dropped (0 even where a is -inf)."""
    return ZeroDroppingMul.apply(a, coefficients)


class InfiniteLogitLimit(Function):
    """The loss L(x) of binary cross-entropy with logits, given as computed (``loss``), made
    exact at x = +-inf. L(x) = (1 - t + p t) softplus(x) - p t x grows like (1 - t) x as
    x -> +inf and like p t |x| as x -> -inf (softplus(x) -> x and 0): its limit is
    slope * inf, with slope = ``rising`` (1 - t) or ``falling`` (p t), and 0 where the slope
    is 0 (a confident logit on its own side costs nothing). Finite x keep ``loss`` as it is.

    VJP: d loss = g; x, ``rising`` and ``falling`` get nothing here (the loss's own graph gives
    them their gradients: dL/dx = (1 - t + p t) sigmoid(x) - p t, finite at +-inf).
    Saves: nothing (the shape of ``loss``)."""

    def forward(self, loss, x, rising, falling):
        xp = backend.namespace_of(loss)
        slope = xp.where(x > 0, rising, falling)
        infinity = xp.where(slope == 0, slope, xp.full_like(slope, xp.inf))
        return xp.where(xp.isinf(x), slope * infinity, loss)

    def backward(self, g):
        return (unbroadcast(g, self.inputs[0]), None, None, None)


def infinite_logit_limit(loss, logits, rising, falling):
    """``loss`` with its limits at infinite ``logits`` (slopes ``rising`` and ``falling``)."""
    return InfiniteLogitLimit.apply(loss, logits, rising, falling)
