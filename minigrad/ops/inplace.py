"""In-place updates with PyTorch's meaning: ``x -= y``, ``x += y``, ``x *= y``, ``x /= y``,
``add_``, ``sub_``, ``mul_``, ``div_``, ``clamp_``, ``fill_``, ``uniform_``, ``normal_``; and,
outside recording only, item assignment ``x[key] = value`` and ``scatter_``.

The result is computed by the ordinary (out-of-place) ops, then takes x's place in one of two ways:

* **Nothing records the update** (grad mode off, as in ``with no_grad(): p -= lr * p.grad``, or
  no operand requires grad): the values are written into x's array and x's version counter goes
  up. Every reference to x sees them (the optimizer's parameter list, a ``state_dict()``); a graph
  recorded earlier that still needs x's old values refuses at backward, naming the op.
* **The update is recorded** (grad mode on and x or y requires grad): as PyTorch rebases x's
  history, the tensor object x becomes the output of the op applied to its old value, which
  moves into a new tensor that keeps x's former place in the graph. Where x shares its array
  with a ``detach()``ed twin (``p.data`` and p), the result is written into that array, as in
  PyTorch (``p.data.add_(y)`` changes p); otherwise x takes a new array. A leaf that requires
  grad is refused, as in PyTorch: it would stop being the leaf its gradient is accumulated
  into.

The result must have x's shape (y broadcasts to x, never x to y) and a dtype x can hold without
changing category (``float32 += float64`` is rounded to float32; ``int64 += 0.5`` is refused).
"""

import weakref

import numpy as np

from .. import backend, tracing
from ..creation import random_like
from ..grad_mode import is_grad_enabled, no_grad
from ..tensor import Tensor
from .elementwise import add, clip, div, lift, mul, sub
from .elementwise.promotion import category
from .shape import astype, broadcast_to


def update(x, compute, name, operands=()):
    """x becomes ``compute(x)`` in place (see the module); ``operands`` are the other tensors
    the result depends on. Returns x."""
    tracing.refuse(f"{name} on a tensor of shape {x.shape}",
                   "in-place changes are not traced; compute a new tensor instead")
    _check_writable(name, x)
    recorded = is_grad_enabled() and (x.requires_grad or any(
        isinstance(t, Tensor) and t.requires_grad for t in operands))
    if not recorded:
        with no_grad():
            result = _fitted(x, compute(x), name)
        x._data[...] = result._data
        x._version[0] += 1
        return x
    if x.is_leaf and x.requires_grad:
        raise RuntimeError(
            f"{name}: in-place change of a leaf tensor that requires grad (shape {x.shape}) "
            "while recording; PyTorch refuses it too. Update parameters under `with "
            "minigrad.no_grad():` (the loop `p -= lr * p.grad`), or write x = x - y for a new "
            "tensor")
    _rebase(x, lambda old: _fitted(x, compute(old), name))
    return x


def _check_writable(name, x):
    """Refuse to write into a read-only view (expand()'s, whose elements share memory)."""
    if not backend.is_writable(x._data):
        raise RuntimeError(f"{name}: x (shape {x.shape}) is a read-only view, such as expand()'s, "
                           "whose elements may share memory; write into x.clone() instead, as "
                           "PyTorch asks too")


def _fitted(x, result, name):
    """``result`` checked against x's shape and cast to x's dtype."""
    if result.shape != x.shape:
        raise RuntimeError(f"{name}: the result has shape {result.shape}, but an in-place op "
                           f"keeps x's shape {x.shape} (the other operand broadcasts to x, not "
                           "x to it)")
    if category(result.dtype) > category(x.dtype):
        raise TypeError(f"{name}: the result's dtype {backend.dtype_name(result.dtype)} cannot "
                        f"be stored in x's dtype {backend.dtype_name(x.dtype)}, as in PyTorch; "
                        "convert x first (x = x.float())")
    return astype(result, x.dtype)


def _rebase(x, compute):
    """x becomes the recorded output of ``compute(old)``, ``old`` a new tensor with x's former
    value and place in the graph.

    Where x shares its array and version counter with a ``detach()``ed twin (``p.data`` and p),
    the result is written into that array, so that the twin sees it, as in PyTorch, and ``old``
    gets a copy of the former value for the VJPs that read it (``mul_``'s, for the other
    operand); the shared counter makes graphs that recorded the twin refuse at backward.
    Otherwise x takes the result's array and ``old`` keeps x's: an array that other tensors
    only view (a ``reshape``'s, with counters of their own) is left as it was, so no graph that
    recorded them computes with changed values."""
    shared = x._detach_shared
    former = backend.namespace_of(x._data).asarray(x._data, copy=True) if shared else x._data
    old = Tensor(former)
    old._requires_grad, old._node = x._requires_grad, x._node
    if old._node is not None:
        old._node._output = weakref.ref(old)  # its VJP may read its output: the old value
        old._node.output_version = 0
    result = compute(old)
    if shared:
        x._data[...] = result._data
    else:
        x._data = result._data
    x._node, x._stamp = result._node, result._stamp
    x._requires_grad = result._requires_grad
    x._version[0] += 1  # ops that recorded x as an input refuse at backward
    if x._node is not None:
        x._node._output = weakref.ref(x)
        x._node.output_version = x._version[0]


def _arithmetic(op, name):
    def in_place(x, other, alpha=1):
        scaled = other if alpha == 1 else mul(lift(other, x), alpha)
        return update(x, lambda v: op(v, scaled), name, (other,))

    in_place.__name__ = name
    in_place.__doc__ = (f"``x.{name}(y, alpha=1)``: x = x {op.__name__} alpha * y, in place "
                        "(see the module). Differentiable as the op itself when recorded.")
    return in_place


add_, sub_ = _arithmetic(add, "add_"), _arithmetic(sub, "sub_")


def mul_(x, other):
    """x = x * y in place (see the module)."""
    return update(x, lambda v: mul(v, other), "mul_", (other,))


def div_(x, other):
    """x = x / y in place (see the module)."""
    return update(x, lambda v: div(v, other), "div_", (other,))


def clamp_(x, min=None, max=None):
    """x = clamp(x, min, max) in place (see the module)."""
    return update(x, lambda v: clip(v, min, max), "clamp_")


def fill_(x, value):
    """Every element of x becomes ``value``, in place."""
    return update(x, lambda v: broadcast_to(lift(value, v), v.shape), "fill_", (value,))


def uniform_(x, a=0.0, b=1.0, generator=None):
    """x filled with samples of U(a, b), in place (the default generator, as
    :func:`minigrad.rand`)."""
    return update(x, lambda v: random_like(v, "uniform", a, b, generator), "uniform_")


def normal_(x, mean=0.0, std=1.0, generator=None):
    """x filled with samples of N(mean, std^2), in place (as :func:`minigrad.randn`)."""
    return update(x, lambda v: random_like(v, "normal", mean, std, generator), "normal_")


def _refuse_recorded(name, x, value, instead):
    """An in-place write that is not recorded: refused while tracing, and while recording
    with a tensor that requires grad (its gradient would be silently wrong)."""
    tracing.refuse(name, f"in-place changes are not traced; write {instead}")
    _check_writable(name, x)
    if is_grad_enabled() and (x.requires_grad or isinstance(value, Tensor)
                              and value.requires_grad):
        raise RuntimeError(f"{name} while recording, with a tensor that requires grad: minigrad "
                           f"does not record it; write {instead}, or run it under "
                           "minigrad.no_grad()")


def scatter_(x, dim, index, src):
    """PyTorch's ``x.scatter_(dim, index, src)``: x[..., index[..., j, ...], ...] = src[..., j,
    ...] along ``dim`` (``src`` a tensor at least as large as ``index``, or a number), in place
    and outside recording as item assignment. (Computed on the host: numpy's put_along_axis.)"""
    name = f"scatter_ into a tensor of shape {x.shape}"
    _refuse_recorded(name, x, src, "a one-hot by comparison, e.g. (arange(C) == labels[:, None])")
    index = index.numpy()
    axis = dim % x.ndim
    values = src.numpy()[tuple(slice(0, n) for n in index.shape)] if isinstance(src, Tensor) \
        else np.asarray(src)
    array = x.numpy()
    np.put_along_axis(array, index, values, axis)
    x._data[...] = backend.array_from_numpy(array, x.device, x.dtype)
    x._version[0] += 1
    return x


def setitem(x, key, value):
    """``x[key] = value`` in place, as PyTorch, when nothing records it (under ``no_grad``, or
    neither x nor value requires grad): any key numpy takes (ints, slices, integer arrays,
    boolean masks, tensors of those), the value broadcast to what it selects; x's version goes
    up. While recording it is refused with a message: write ``where`` or ``masked_fill``."""
    name = f"x[...] = value (item assignment to a tensor of shape {x.shape})"
    _refuse_recorded(name, x, value, "x = where(mask, value, x) or x.masked_fill(mask, value)")
    keys = key if isinstance(key, tuple) else (key,)
    keys = tuple(k.array if isinstance(k, Tensor) else k for k in keys)
    array = value.array if isinstance(value, Tensor) else lift(value, x).array
    for part in (*keys, array):
        if hasattr(part, "shape") and backend.device_of(part) != x.device:
            raise RuntimeError(f"{name}: an index or the value is on "
                               f"{backend.device_of(part)}, the tensor on {x.device}; move it "
                               "with .to() first")
    x._data[keys if isinstance(key, tuple) else keys[0]] = array
    x._version[0] += 1


IN_PLACE_OPERATORS = {
    "__iadd__": add_, "__isub__": sub_, "__imul__": mul_, "__itruediv__": div_,
    "__setitem__": setitem,
}
IN_PLACE_METHODS = {
    "add_": add_, "sub_": sub_, "mul_": mul_, "div_": div_, "clamp_": clamp_, "clip_": clamp_,
    "fill_": fill_, "uniform_": uniform_, "normal_": normal_, "scatter_": scatter_,
}
