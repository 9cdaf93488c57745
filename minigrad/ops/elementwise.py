"""Elementwise ops. Binary ops broadcast (numpy's rules); their VJPs undo it with ``unbroadcast``.

Notation: x, a, b are inputs, y the output, g the gradient flowing into y; products are
elementwise. Masks computed from the data (``x > 0``) are constants of the graph: the second
derivative of relu, abs, max, clip is zero wherever it exists, which is exactly right.
"""

import numpy as np

from .. import backend
from ..autodiff import DeviceMismatchError, Function
from ..tensor import Tensor
from .shape import unbroadcast


def lift(value, like):
    """Turn a Python number or a raw array into a constant tensor to combine with ``like``.

    Numbers take ``like``'s dtype and device, so ``x * 2.0`` stays float32 for a float32 x."""
    if isinstance(value, Tensor):
        return value
    if isinstance(value, (bool, int, float)):
        return Tensor(backend.scalar_like(value, like.data))
    if isinstance(value, np.generic):
        return Tensor(backend.scalar_like(value.item(), like.data))
    if isinstance(value, (list, tuple)):
        value = backend.from_numpy(np.asarray(value), like.device, like.dtype)
    return Tensor(value)


class Masked(Function):
    """y = g * mask for the gradient g flowing back through an op whose derivative is a mask
    computed from its input x (relu, leaky_relu, clip, abs, maximum, max): ``Masked.apply(g, x,
    mask=...)``. x is an input only to keep the gradient in x's graph: the mask is piecewise
    constant in x, so dy/dx = 0 wherever it exists. As in PyTorch, a parameter that reached y
    only through x then gets a gradient of zeros from ``backward`` (not None).

    VJP: dg = G * mask (``Masked`` again), dx = 0, returned as no gradient so that nothing is
    computed for it (the sweep gives zeros to the leaves that only such a zero reaches)."""

    graph_only_inputs = (1,)

    def __init__(self, mask):
        self.mask = mask

    def forward(self, g, x):
        return g * self.mask

    def backward(self, grad):
        return (Masked.apply(grad, self.inputs[1], mask=self.mask), None)


class Add(Function):
    """y = a + b.  VJP: da = g, db = g (each summed back to its operand's shape)."""

    def forward(self, a, b):
        return a + b

    def backward(self, g):
        a, b = self.inputs
        need_a, need_b = self.needs_input_grad
        return (unbroadcast(g, a) if need_a else None, unbroadcast(g, b) if need_b else None)


class Sub(Function):
    """y = a - b.  VJP: da = g, db = -g."""

    def forward(self, a, b):
        return a - b

    def backward(self, g):
        a, b = self.inputs
        need_a, need_b = self.needs_input_grad
        return (unbroadcast(g, a) if need_a else None, unbroadcast(-g, b) if need_b else None)


class Mul(Function):
    """y = a * b.  VJP: da = g * b, db = g * a."""

    def forward(self, a, b):
        return a * b

    def backward(self, g):
        a, b = self.inputs
        need_a, need_b = self.needs_input_grad
        return (unbroadcast(g * b, a) if need_a else None, unbroadcast(g * a, b) if need_b else None)


class Div(Function):
    """y = a / b.  VJP: da = g / b, db = -g * a / b^2 = -g * y / b."""

    def forward(self, a, b):
        return a / b

    def backward(self, g):
        a, b = self.inputs
        need_a, need_b = self.needs_input_grad
        da = unbroadcast(g / b, a) if need_a else None
        db = unbroadcast(-g * self.output / b, b) if need_b else None
        return da, db


class Neg(Function):
    """y = -x.  VJP: dx = -g."""

    def forward(self, x):
        return -x

    def backward(self, g):
        return (-g,)


class PowConstant(Function):
    """y = x^p for a constant number p.  VJP: dx = g * p * x^(p-1)."""

    def __init__(self, exponent):
        self.exponent = exponent

    def forward(self, x):
        return x ** self.exponent

    def backward(self, g):
        x = self.inputs[0]
        p = self.exponent
        if p == 1:
            return (g,)
        if p == 0:  # x^0 = 1 everywhere, also at x = 0 where x^(p-1) is infinite
            return (g * 0.0,)
        return (g * (p * x ** (p - 1)),)


class Pow(Function):
    """y = a^b for tensors a > 0 and b.  VJP: da = g * b * a^(b-1), db = g * y * log(a)."""

    def forward(self, a, b):
        return a ** b

    def backward(self, g):
        a, b = self.inputs
        need_a, need_b = self.needs_input_grad
        da = unbroadcast(g * b * a ** (b - 1.0), a) if need_a else None
        db = unbroadcast(g * self.output * log(a), b) if need_b else None
        return da, db


def power(x, exponent):
    if isinstance(exponent, (int, float)) and not isinstance(exponent, bool):
        return PowConstant.apply(x, exponent=exponent)
    exponent = lift(exponent, x)
    return Pow.apply(x, exponent)


class Exp(Function):
    """y = exp(x).  VJP: dx = g * y."""

    def forward(self, x):
        return backend.namespace_of(x).exp(x)

    def backward(self, g):
        return (g * self.output,)


class Log(Function):
    """y = log(x).  VJP: dx = g / x."""

    def forward(self, x):
        return backend.namespace_of(x).log(x)

    def backward(self, g):
        return (g / self.inputs[0],)


class Log1p(Function):
    """y = log(1 + x), accurate for small x.  VJP: dx = g / (1 + x)."""

    def forward(self, x):
        return backend.namespace_of(x).log1p(x)

    def backward(self, g):
        return (g / (self.inputs[0] + 1.0),)


class Sqrt(Function):
    """y = sqrt(x).  VJP: dx = g / (2 y)  (infinite at x = 0: keep x > 0)."""

    def forward(self, x):
        return backend.namespace_of(x).sqrt(x)

    def backward(self, g):
        return (g / (self.output * 2.0),)


class Abs(Function):
    """y = |x|.  VJP: dx = g * sign(x)  (0 at x = 0)."""

    def forward(self, x):
        return backend.namespace_of(x).abs(x)

    def backward(self, g):
        x = self.inputs[0]
        return (Masked.apply(g, x, mask=sign(x).data),)


class Tanh(Function):
    """y = tanh(x).  VJP: dx = g * (1 - y^2)."""

    def forward(self, x):
        return backend.namespace_of(x).tanh(x)

    def backward(self, g):
        y = self.output
        return (g * (1.0 - y * y),)


def _stable_sigmoid(xp, x):
    """1 / (1 + e^-x) without overflow: with e = exp(-|x|) <= 1, it is 1/(1+e) for x >= 0
    and e/(1+e) for x < 0."""
    e = xp.exp(-xp.abs(x))
    return xp.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


class Sigmoid(Function):
    """y = 1 / (1 + exp(-x)).  VJP: dx = g * y * (1 - y)."""

    def forward(self, x):
        return _stable_sigmoid(backend.namespace_of(x), x)

    def backward(self, g):
        y = self.output
        return (g * (y * (1.0 - y)),)


class Softplus(Function):
    """y = log(1 + exp(x)) = max(x, 0) + log1p(exp(-|x|)) (never overflows).
    VJP: dx = g * sigmoid(x)."""

    def forward(self, x):
        xp = backend.namespace_of(x)
        return xp.maximum(x, 0.0) + xp.log1p(xp.exp(-xp.abs(x)))

    def backward(self, g):
        return (g * sigmoid(self.inputs[0]),)


class Relu(Function):
    """y = max(x, 0).  VJP: dx = g * [x > 0]."""

    def forward(self, x):
        xp = backend.namespace_of(x)
        self.mask = xp.astype(x > 0, x.dtype)
        return x * self.mask

    def backward(self, g):
        return (Masked.apply(g, self.inputs[0], mask=self.mask),)


class LeakyRelu(Function):
    """y = x if x > 0 else slope * x, computed as y = x * scale with the constant
    scale = 1 where x > 0 and slope elsewhere.  VJP: dx = g * scale.

    Multiplying by 1 or by slope gives exactly what a select would, and a select (``where``)
    with a data-dependent condition is several times slower on a CPU (branch mispredictions).
    Only for slope = 0 and a non-finite g would the two differ (inf * 0 = nan): use relu."""

    def __init__(self, negative_slope):
        self.negative_slope = negative_slope

    def forward(self, x):
        xp = backend.namespace_of(x)
        positive = xp.astype(x > 0, x.dtype)  # 1 or 0, so that scale is exactly 1 or slope
        self.scale = positive + (1.0 - positive) * self.negative_slope
        return x * self.scale

    def backward(self, g):
        return (Masked.apply(g, self.inputs[0], mask=self.scale),)


class Maximum(Function):
    """y = max(a, b).  VJP: the larger operand gets g; at ties each gets g/2."""

    def forward(self, a, b):
        xp = backend.namespace_of(a)
        y = xp.maximum(a, b)
        self.share_a = xp.astype(a > b, y.dtype) + 0.5 * xp.astype(a == b, y.dtype)
        return y

    def backward(self, g):
        a, b = self.inputs
        need_a, need_b = self.needs_input_grad
        da = unbroadcast(Masked.apply(g, a, mask=self.share_a), a) if need_a else None
        db = None
        if need_b:  # b's share, 1 - share_a, by a recorded op (a compiled program recomputes it)
            share_b = (1.0 - Tensor(self.share_a)).data
            db = unbroadcast(Masked.apply(g, b, mask=share_b), b)
        return da, db


def maximum(a, b):
    a, b = _pair(a, b)
    return Maximum.apply(a, b)


def minimum(a, b):
    """min(a, b) = -max(-a, -b)."""
    a, b = _pair(a, b)
    return -maximum(-a, -b)


class Where(Function):
    """y = a where condition else b (condition is a constant boolean array).
    VJP: da = where(condition, g, 0), db = where(condition, 0, g)."""

    def __init__(self, condition):
        self.condition = condition

    def forward(self, a, b):
        return backend.namespace_of(a).where(self.condition, a, b)

    def backward(self, g):
        a, b = self.inputs
        need_a, need_b = self.needs_input_grad
        zero = lift(0.0, g)
        da = unbroadcast(Where.apply(g, zero, condition=self.condition), a) if need_a else None
        db = unbroadcast(Where.apply(zero, g, condition=self.condition), b) if need_b else None
        return da, db


def where(condition, a, b):
    """Elementwise ``a if condition else b``; differentiable in a and b."""
    condition = condition.data if isinstance(condition, Tensor) else condition
    a, b = _pair(a, b)
    if isinstance(condition, (bool, list, tuple)):
        condition = backend.from_numpy(np.asarray(condition, dtype=bool), a.device)
    if backend.device_of(condition) != a.device:
        raise DeviceMismatchError(f"where: the condition is on {backend.device_of(condition)}, "
                                  f"the operands on {a.device}; move one with .to(device)")
    return Where.apply(a, b, condition=condition)


class Clip(Function):
    """y = min(max(x, low), high).  VJP: dx = g * [low <= x <= high]."""

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


def _pair(a, b):
    if isinstance(a, Tensor):
        return a, lift(b, a)
    if isinstance(b, Tensor):
        return lift(a, b), b
    raise TypeError("expected at least one Tensor operand")


def add(a, b):
    a, b = _pair(a, b)
    return Add.apply(a, b)


def sub(a, b):
    a, b = _pair(a, b)
    return Sub.apply(a, b)


def mul(a, b):
    a, b = _pair(a, b)
    return Mul.apply(a, b)


def div(a, b):
    a, b = _pair(a, b)
    return Div.apply(a, b)


def neg(x):
    return Neg.apply(x)


def exp(x):
    return Exp.apply(x)


def log(x):
    return Log.apply(x)


def log1p(x):
    return Log1p.apply(x)


def sqrt(x):
    return Sqrt.apply(x)


def abs(x):
    return Abs.apply(x)


def tanh(x):
    return Tanh.apply(x)


def sigmoid(x):
    return Sigmoid.apply(x)


def softplus(x):
    return Softplus.apply(x)


def relu(x):
    return Relu.apply(x)


def leaky_relu(x, negative_slope=0.01):
    return LeakyRelu.apply(x, negative_slope=negative_slope)


class Sign(Function):
    """y = -1, 0 or 1 per element. Not differentiable: y is a constant of the graph (its
    derivative is 0 wherever it exists)."""

    differentiable = False

    def forward(self, x):
        return backend.namespace_of(x).sign(x)


def sign(x):
    return Sign.apply(x)


class Compare(Function):
    """y = a OP b elementwise, a boolean array (OP one of < <= > >= == !=). Not differentiable:
    y is a constant of the graph."""

    differentiable = False

    def __init__(self, operator):
        self.operator = operator

    def forward(self, a, b):
        return getattr(a, self.operator)(b)


def _comparison(name):
    def compare(a, b):
        a, b = _pair(a, b)
        return Compare.apply(a, b, operator=name)

    compare.__name__ = name
    compare.__doc__ = f"Elementwise ``{name}`` as a boolean tensor (not differentiable)."
    return compare


less, less_equal = _comparison("__lt__"), _comparison("__le__")
greater, greater_equal = _comparison("__gt__"), _comparison("__ge__")
equal, not_equal = _comparison("__eq__"), _comparison("__ne__")
