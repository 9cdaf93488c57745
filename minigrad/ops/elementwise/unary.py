"""Elementwise ops of one tensor: y_i depends on x_i alone.

Notation: x is the input, y the output, g the gradient flowing into y; products are elementwise.
Masks computed from the data (``x > 0``) are constants of the graph: the second derivative of
relu, abs and clip is zero wherever it exists, which is exactly right.

Every op here is a primitive (a :class:`~minigrad.autodiff.Function` with its wrapper below it)
but the composites ``rsqrt`` and ``reciprocal`` at the end;
``Masked`` is the primitive that the VJPs of the piecewise ops (here, in ``binary.py`` and in
``reduce.py``) multiply their mask with.
"""

import math

from ... import backend
from ...autodiff import Function


class Masked(Function):
    """y = g * mask for the gradient g flowing back through an op whose derivative is a mask
    computed from its input x (relu, leaky_relu, clip, abs, maximum, max): ``Masked.apply(g, x,
    mask=...)``. x is an input only to keep the gradient in x's graph: the mask is piecewise
    constant in x, so dy/dx = 0 wherever it exists. As in PyTorch, a parameter that reached y
    only through x then gets a gradient of zeros from ``backward`` (not None).

    VJP: dg = G * mask (``Masked`` again), dx = 0, returned as no gradient so that nothing is
    computed for it (the sweep gives zeros to the leaves that only such a zero reaches).

    Saves: its mask (a parameter); x only links the graph."""

    graph_only_inputs = (1,)

    def __init__(self, mask):
        self.mask = mask

    def forward(self, g, x):
        return g * self.mask

    def backward(self, grad):
        return (Masked.apply(grad, self.inputs[1], mask=self.mask), None)


class Neg(Function):
    """y = -x.  VJP: dx = -g.
    Saves: nothing."""

    def forward(self, x):
        return -x

    def backward(self, g):
        return (-g,)


def neg(x):
    return Neg.apply(x)


class Exp(Function):
    """y = exp(x).  VJP: dx = g * y.
    Saves: y."""

    def forward(self, x):
        return backend.namespace_of(x).exp(x)

    def backward(self, g):
        return (g * self.output,)


def exp(x):
    return Exp.apply(x)


class Log(Function):
    """y = log(x).  VJP: dx = g / x.
    Saves: x."""

    def forward(self, x):
        return backend.namespace_of(x).log(x)

    def backward(self, g):
        return (g / self.inputs[0],)


def log(x):
    return Log.apply(x)


class Log1p(Function):
    """y = log(1 + x), accurate for small x.  VJP: dx = g / (1 + x).
    Saves: x."""

    def forward(self, x):
        return backend.namespace_of(x).log1p(x)

    def backward(self, g):
        return (g / (self.inputs[0] + 1.0),)


def log1p(x):
    return Log1p.apply(x)


class Sqrt(Function):
    """y = sqrt(x).  VJP: dx = g / (2 y)  (infinite at x = 0: keep x > 0).
    Saves: y."""

    def forward(self, x):
        return backend.namespace_of(x).sqrt(x)

    def backward(self, g):
        return (g / (self.output * 2.0),)


def sqrt(x):
    return Sqrt.apply(x)


class Sign(Function):
    """y = -1, 0 or 1 per element. Not differentiable: y is a constant of the graph (its
    derivative is 0 wherever it exists).

    Saves: nothing (not recorded)."""

    differentiable = False

    def forward(self, x):
        return backend.namespace_of(x).sign(x)


def sign(x):
    return Sign.apply(x)


class Abs(Function):
    """y = |x|.  VJP: dx = g * sign(x)  (0 at x = 0).
    Saves: x (the VJP recomputes sign(x))."""

    def forward(self, x):
        return backend.namespace_of(x).abs(x)

    def backward(self, g):
        x = self.inputs[0]
        return (Masked.apply(g, x, mask=sign(x).array),)


def abs(x):
    return Abs.apply(x)


class TanhOp(Function):
    """y = tanh(x).  VJP: dx = g * (1 - y^2).
    Saves: y."""

    def forward(self, x):
        return backend.namespace_of(x).tanh(x)

    def backward(self, g):
        y = self.output
        return (g * (1.0 - y * y),)


def tanh(x):
    return TanhOp.apply(x)


class Sin(Function):
    """y = sin(x).  VJP: dx = g * cos(x), with ``Cos``, whose VJP uses ``Sin``: the pair is a
    closed family, so derivatives of every order stay inside it.
    Saves: x."""

    def forward(self, x):
        return backend.namespace_of(x).sin(x)

    def backward(self, g):
        return (g * Cos.apply(self.inputs[0]),)


def sin(x):
    return Sin.apply(x)


class Cos(Function):
    """y = cos(x).  VJP: dx = -g * sin(x).
    Saves: x."""

    def forward(self, x):
        return backend.namespace_of(x).cos(x)

    def backward(self, g):
        return (-(g * Sin.apply(self.inputs[0])),)


def cos(x):
    return Cos.apply(x)


class Erf(Function):
    """y = erf(x) = 2/sqrt(pi) int_0^x exp(-t^2) dt.  VJP: dx = g * 2/sqrt(pi) exp(-x^2), in
    tensor ops, so the second derivative, -2x times that, comes from Exp's and Mul's.
    Saves: x. Numpy and cupy arrays only (``backend.erf``)."""

    def forward(self, x):
        return backend.erf(x)

    def backward(self, g):
        x = self.inputs[0]
        return (g * (Exp.apply(-(x * x)) * _TWO_OVER_SQRT_PI),)


_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)


def erf(x):
    return Erf.apply(x)


def _stable_sigmoid(xp, x):
    """1 / (1 + e^-x) without overflow: with e = exp(-|x|) <= 1, it is 1/(1+e) for x >= 0
    and e/(1+e) for x < 0."""
    e = xp.exp(-xp.abs(x))
    return xp.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


class SigmoidOp(Function):
    """y = 1 / (1 + exp(-x)).  VJP: dx = g * y * (1 - y).
    Saves: y."""

    def forward(self, x):
        return _stable_sigmoid(backend.namespace_of(x), x)

    def backward(self, g):
        y = self.output
        return (g * (y * (1.0 - y)),)


def sigmoid(x):
    return SigmoidOp.apply(x)


class Softplus(Function):
    """y = log(1 + exp(x)) = max(x, 0) + log1p(exp(-|x|)) (never overflows).
    VJP: dx = g * sigmoid(x).

    Saves: x."""

    def forward(self, x):
        xp = backend.namespace_of(x)
        return xp.maximum(x, 0.0) + xp.log1p(xp.exp(-xp.abs(x)))

    def backward(self, g):
        return (g * sigmoid(self.inputs[0]),)


def softplus(x):
    return Softplus.apply(x)


class Relu(Function):
    """y = max(x, 0), computed as x * [x > 0] (so relu(nan) = nan, as PyTorch's) with -inf
    first replaced by 0, since -inf * 0 would be nan where y = 0.  VJP: dx = g * [x > 0].
    Saves: the mask [x > 0], an array made by forward; x only links the graph."""

    def forward(self, x):
        xp = backend.namespace_of(x)
        self.mask = xp.astype(x > 0, x.dtype)
        return backend.times_mask(x, self.mask)

    def backward(self, g):
        return (Masked.apply(g, self.inputs[0], mask=self.mask),)


def relu(x):
    return Relu.apply(x)


class LeakyRelu(Function):
    """y = x if x > 0 else slope * x, computed as y = x * scale with the constant
    scale = 1 where x > 0 and slope elsewhere.  VJP: dx = g * scale.

    Multiplying by 1 or by slope gives exactly what a select would, and a select (``where``)
    with a data-dependent condition is several times slower than a multiply on a CPU in float32
    (branch mispredictions; slower in float64 too).
    Only for slope = 0 and a non-finite g would the two differ (inf * 0 = nan): use relu.

    Saves: scale, an array made by forward; x only links the graph."""

    def __init__(self, negative_slope):
        self.negative_slope = negative_slope

    def forward(self, x):
        xp = backend.namespace_of(x)
        positive = xp.astype(x > 0, x.dtype)  # 1 or 0, so that scale is exactly 1 or slope
        self.scale = positive + (1.0 - positive) * self.negative_slope
        return x * self.scale

    def backward(self, g):
        return (Masked.apply(g, self.inputs[0], mask=self.scale),)


def leaky_relu(x, negative_slope=0.01):
    return LeakyRelu.apply(x, negative_slope=negative_slope)


class Clip(Function):
    """y = min(max(x, low), high).  VJP: dx = g * [low <= x <= high].
    Saves: the mask [low <= x <= high], an array made by forward; x only links the graph."""

    def __init__(self, low, high):
        self.low = low
        self.high = high

    def forward(self, x):
        xp = backend.namespace_of(x)
        inside = xp.ones_like(x, dtype=xp.bool)
        if self.low is not None:
            inside = inside & (x >= self.low)
        if self.high is not None:
            inside = inside & (x <= self.high)
        self.inside = xp.astype(inside, x.dtype)
        return xp.clip(x, self.low, self.high)

    def backward(self, g):
        return (Masked.apply(g, self.inputs[0], mask=self.inside),)


def clip(x, low=None, high=None):
    if low is None and high is None:
        raise ValueError("clip: give low, high or both")
    return Clip.apply(x, low=low, high=high)


def rsqrt(x):
    """1 / sqrt(x).  Composite: sqrt and a division, whose derivatives it takes:
    d/dx x^(-1/2) = -(1/2) x^(-3/2)."""
    return 1.0 / sqrt(x)


def reciprocal(x):
    """1 / x.  Composite: a division; d/dx (1/x) = -1/x^2."""
    return 1.0 / x
