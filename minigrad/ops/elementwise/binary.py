"""Elementwise ops of two tensors. They broadcast (numpy's rules); their VJPs undo it with
``unbroadcast``. Either operand may be a Python number (or a raw array): :func:`lift` makes it a
constant tensor of the other operand's dtype and device.

Notation: a, b are the operands, y the output, g the gradient flowing into y; products are
elementwise. The mask of ``maximum`` is a constant of the graph, as in ``unary.py``.

Primitives: ``Add``, ``Sub``, ``Mul``, ``Div``, ``PowConstant`` and ``Pow`` (both made by
``power``), ``Maximum``, ``Where`` and ``Compare`` (the comparisons, and ``&``, ``|`` of
booleans). Composite: ``minimum``.
"""

import numpy as np

from ... import backend
from ...autodiff import DeviceMismatchError, Function
from ...tensor import Tensor
from ..shape import unbroadcast
from .promotion import DEFAULT_FLOAT, promote
from .unary import Masked, log


def lift(value, like):
    """Turn a Python number or a raw array into a constant tensor to combine with ``like``.

    Numbers take ``like``'s dtype and device, so ``x * 2.0`` stays float32 for a float32 x."""
    if isinstance(value, Tensor):
        return value
    if isinstance(value, (bool, int, float)):
        return Tensor(backend.scalar_like(value, like.array))
    if isinstance(value, np.generic):
        return Tensor(backend.scalar_like(value.item(), like.array))
    if isinstance(value, (list, tuple)):
        value = backend.array_from_numpy(np.asarray(value), like.device, like.dtype)
    return Tensor(value)


def _lift_operands(a, b, true_division=False):
    """(a, b) as tensors of one dtype: the operand that is not a tensor is lifted to match the
    other, then both take PyTorch's result dtype (``promotion.py``)."""
    if isinstance(a, Tensor):
        b = lift(b, a)
    elif isinstance(b, Tensor):
        a = lift(a, b)
    else:
        raise TypeError("expected at least one Tensor operand")
    return promote(a, b, true_division)


class Add(Function):
    """y = a + b.  VJP: da = g, db = g (each summed back to its operand's shape).
    Saves: nothing (unbroadcast reads only the operands' shapes and dtypes)."""

    def forward(self, a, b):
        return a + b

    def backward(self, g):
        a, b = self.inputs
        need_a, need_b = self.needs_input_grad
        return (unbroadcast(g, a) if need_a else None, unbroadcast(g, b) if need_b else None)


def add(a, b):
    a, b = _lift_operands(a, b)
    return Add.apply(a, b)


class Sub(Function):
    """y = a - b.  VJP: da = g, db = -g.
    Saves: nothing (unbroadcast reads only the operands' shapes and dtypes)."""

    def forward(self, a, b):
        return a - b

    def backward(self, g):
        a, b = self.inputs
        need_a, need_b = self.needs_input_grad
        return (unbroadcast(g, a) if need_a else None, unbroadcast(-g, b) if need_b else None)


def sub(a, b):
    a, b = _lift_operands(a, b)
    return Sub.apply(a, b)


class Mul(Function):
    """y = a * b.  VJP: da = g * b, db = g * a.
    Saves: a and b."""

    def forward(self, a, b):
        return a * b

    def backward(self, g):
        a, b = self.inputs
        need_a, need_b = self.needs_input_grad
        return (unbroadcast(g * b, a) if need_a else None,
                unbroadcast(g * a, b) if need_b else None)


def mul(a, b):
    a, b = _lift_operands(a, b)
    return Mul.apply(a, b)


class Div(Function):
    """y = a / b.  VJP: da = g / b, db = -g * a / b^2 = -g * y / b.
    Saves: b and y."""

    def forward(self, a, b):
        return a / b

    def backward(self, g):
        a, b = self.inputs
        need_a, need_b = self.needs_input_grad
        da = unbroadcast(g / b, a) if need_a else None
        db = unbroadcast(-g * self.output / b, b) if need_b else None
        return da, db


def div(a, b):
    a, b = _lift_operands(a, b, true_division=True)
    return Div.apply(a, b)


class PowConstant(Function):
    """y = x^p for a constant number p.  VJP: dx = g * p * x^(p-1).
    Saves: x."""

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
    """y = a^b for tensors a > 0 and b.  VJP: da = g * b * a^(b-1), db = g * y * log(a).
    Saves: a, b and y."""

    def forward(self, a, b):
        return a ** b

    def backward(self, g):
        a, b = self.inputs
        need_a, need_b = self.needs_input_grad
        da = unbroadcast(g * b * a ** (b - 1.0), a) if need_a else None
        db = unbroadcast(g * self.output * log(a), b) if need_b else None
        return da, db


def power(x, exponent):
    """x ** exponent: :class:`PowConstant` for a Python number, :class:`Pow` otherwise."""
    if isinstance(exponent, (int, float)) and not isinstance(exponent, bool):
        if isinstance(exponent, float) and not backend.namespace_of(x.array).isdtype(
                x.dtype, "real floating"):
            x = x.astype(DEFAULT_FLOAT)  # int ** float is float32 in PyTorch
        return PowConstant.apply(x, exponent=exponent)
    x, exponent = _lift_operands(x, exponent)
    return Pow.apply(x, exponent)


class Maximum(Function):
    """y = max(a, b).  VJP: the larger operand gets g; at ties each gets g/2.
    Saves: a's share of g, an array made by forward; a and b only link the graph."""

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
            share_b = (1.0 - Tensor(self.share_a)).array
            db = unbroadcast(Masked.apply(g, b, mask=share_b), b)
        return da, db


def maximum(a, b):
    a, b = _lift_operands(a, b)
    return Maximum.apply(a, b)


def minimum(a, b):
    """Composite: min(a, b) = -max(-a, -b)."""
    a, b = _lift_operands(a, b)
    return -maximum(-a, -b)


class Where(Function):
    """y = a where condition else b (condition is a constant boolean array).
    VJP: da = where(condition, g, 0), db = where(condition, 0, g).

    Saves: the condition (a parameter)."""

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
    condition = condition.array if isinstance(condition, Tensor) else condition
    a, b = _lift_operands(a, b)
    if isinstance(condition, (bool, list, tuple)):
        condition = backend.array_from_numpy(np.asarray(condition, dtype=bool), a.device)
    if backend.device_of(condition) != a.device:
        raise DeviceMismatchError(f"where: the condition is on {backend.device_of(condition)}, "
                                  f"the operands on {a.device}; move one with .to(device)")
    return Where.apply(a, b, condition=condition)


def masked_fill(x, mask, value):
    """x with ``value`` where the boolean ``mask`` (broadcast to x) is True, as PyTorch's
    ``x.masked_fill(mask, value)``.  Composite: ``where``; dx = g where the mask is False."""
    mask = mask if isinstance(mask, Tensor) else lift(mask, x)
    if backend.dtype_name(mask.dtype) != "bool":
        raise TypeError(f"masked_fill: the mask must be a bool tensor, got dtype "
                        f"{backend.dtype_name(mask.dtype)} (compare, e.g. x > 0)")
    return where(mask, lift(value, x), x)


class Compare(Function):
    """y = a OP b elementwise, a boolean array (OP one of < <= > >= == !=). Not differentiable:
    y is a constant of the graph.

    Saves: nothing (not recorded)."""

    differentiable = False

    def __init__(self, operator):
        self.operator = operator

    def forward(self, a, b):
        return getattr(a, self.operator)(b)


def _comparison(name):
    def compare(a, b):
        a, b = _lift_operands(a, b)
        return Compare.apply(a, b, operator=name)

    compare.__name__ = name
    compare.__doc__ = f"Elementwise ``{name}`` as a boolean tensor (not differentiable)."
    return compare


less, less_equal = _comparison("__lt__"), _comparison("__le__")
greater, greater_equal = _comparison("__gt__"), _comparison("__ge__")
equal, not_equal = _comparison("__eq__"), _comparison("__ne__")
logical_and, logical_or = _comparison("__and__"), _comparison("__or__")  # of boolean tensors
