"""The primitive ops, and the Tensor methods and operators that call them.

Importing this package attaches the operators (``+ - * / ** @``, unary ``-``, ``x[...]``,
comparisons) and the methods (``x.exp()``, ``x.sum(axis)``, ``x.reshape(...)``, ...) to
:class:`~minigrad.tensor.Tensor`, so that ``tensor.py`` never imports the ops.

A primitive (a :class:`~minigrad.autodiff.Function`) is named in CapWords for what it computes
(``MatMul``, ``Conv2dWeight``); one whose name would be an ``nn`` layer's takes the suffix ``Op``
(``LinearOp``, ``Conv2dOp``, ``ConvTranspose2dOp``, ``TanhOp``, ``SigmoidOp``), so that a
traceback or a compiled program's listing names one class only."""

import numpy as np

from .. import backend
from ..tensor import Tensor
from . import elementwise as _e
from . import argreduce as _a
from . import linalg as _l
from . import reduce as _r
from . import shape as _s
from . import torch_shapes as _t
from ..creation import new_full, new_ones, new_tensor, new_zeros
from .conversions import CONVERSION_METHODS, clone, tensor_to
from .inplace import IN_PLACE_METHODS, IN_PLACE_OPERATORS
from .logical import all, allclose, any, isfinite, isinf, isnan, nonzero, where
from .elementwise import (abs, add, clip, cos, div, equal, erf, exp, greater, greater_equal,
                          leaky_relu, less, less_equal, log, log1p, masked_fill, maximum,
                          minimum, mul, neg,
                          not_equal, power, reciprocal, relu, rsqrt, sigmoid, sign, sin, softplus,
                          sqrt, sub, tanh)
from .einsum import einsum
from .linalg import bmm, dot, matmul, mm, outer
from .sort import sort, topk
from .argreduce import argmin, gather, max, min
from .scan import cumsum, prod
from .reduce import (amax, amin, argmax, log_softmax, logsumexp, mean, norm, softmax, std, sum,
                     var)
from .torch_shapes import (chunk, expand, flatten, flip, narrow, repeat, split, squeeze, unbind,
                           unsqueeze)
from .indexing import concatenate, getitem, stack
from .shape import astype, broadcast_to, permute, reshape, sum_to_shape, to, transpose


def tensor_type(x, dtype=None):
    """``x.type()``: the name of x's dtype, e.g. 'float32' (equal to ``minigrad.float32``; PyTorch
    returns a tensor-type name such as 'torch.FloatTensor', and minigrad has no tensor types).
    ``x.type(dtype)``: x converted to ``dtype``, differentiably (``astype``)."""
    if dtype is None:
        return backend.dtype_name(x.dtype)
    try:
        np.dtype(backend.dtype_name(dtype))
    except TypeError:
        raise TypeError(f"type: unknown dtype {dtype!r}; minigrad's dtypes are names such as "
                        "minigrad.float32 ('float32') or minigrad.float64 (PyTorch's tensor-type "
                        "names such as 'torch.DoubleTensor' have no counterpart)") from None
    return astype(x, dtype)


def _reflected(function):
    return lambda self, other: function(other, self)


_OPERATORS = {
    "__add__": _e.add, "__radd__": _reflected(_e.add),
    "__sub__": _e.sub, "__rsub__": _reflected(_e.sub),
    "__mul__": _e.mul, "__rmul__": _reflected(_e.mul),
    "__truediv__": _e.div, "__rtruediv__": _reflected(_e.div),
    "__pow__": _e.power, "__rpow__": lambda self, base: _e.power(_e.lift(base, self), self),
    "__matmul__": lambda a, b: _l.matmul(a, _e.lift(b, a)),
    "__rmatmul__": lambda b, a: _l.matmul(_e.lift(a, b), b),
    "__neg__": _e.neg,
    "__getitem__": getitem,
    "__lt__": _e.less, "__le__": _e.less_equal, "__gt__": _e.greater, "__ge__": _e.greater_equal,
    "__eq__": _e.equal, "__ne__": _e.not_equal,
    "__and__": _e.logical_and, "__or__": _e.logical_or, "__abs__": _e.abs,
}

_METHODS = {
    "exp": _e.exp, "log": _e.log, "log1p": _e.log1p, "sqrt": _e.sqrt, "abs": _e.abs,
    "tanh": _e.tanh, "sigmoid": _e.sigmoid, "relu": _e.relu, "softplus": _e.softplus,
    "clip": _e.clip, "sign": _e.sign, "maximum": _e.maximum, "minimum": _e.minimum,
    "sum": _r.sum, "mean": _r.mean, "max": _a.max, "min": _a.min, "var": _r.var,
    "logsumexp": _r.logsumexp,
    "reshape": _s.reshape, "permute": _s.permute, "transpose": _s.transpose,
    "broadcast_to": _s.broadcast_to, "expand": _t.expand, "astype": _s.astype,
    "matmul": _l.matmul,
    "view": _t.view, "view_as": _t.view_as, "squeeze": _t.squeeze, "unsqueeze": _t.unsqueeze,
    "flatten": _t.flatten, "t": _t.t, "narrow": _t.narrow, "contiguous": _t.contiguous,
    "new_zeros": new_zeros, "new_ones": new_ones, "new_full": new_full,
    "new_tensor": new_tensor, "argmax": _r.argmax, "argmin": _a.argmin, "amax": _r.amax,
    "amin": _r.amin, "norm": _r.norm, "eq": _e.equal, "std": _r.std,
    "clamp": _e.clip, "pow": _e.power, "all": all, "any": any, "isnan": isnan,
    "isinf": isinf, "isfinite": isfinite, "sin": _e.sin, "cos": _e.cos, "erf": _e.erf, "rsqrt": _e.rsqrt,
    "reciprocal": _e.reciprocal, "softmax": _r.softmax, "log_softmax": _r.log_softmax,
    "repeat": _t.repeat, "flip": _t.flip, "split": _t.split, "chunk": _t.chunk,
    "unbind": _t.unbind, "gather": _a.gather, "masked_fill": _e.masked_fill, "cumsum": cumsum,
    "mm": mm, "bmm": bmm, "dot": dot, "outer": outer, "sort": sort, "topk": topk, "prod": prod,
    "nonzero": nonzero,
}

for _name, _function in {**_OPERATORS, **_METHODS, **IN_PLACE_OPERATORS, **IN_PLACE_METHODS,
                         **CONVERSION_METHODS}.items():
    setattr(Tensor, _name, _function)

Tensor.T = property(lambda self: permute(self, *reversed(range(self.ndim))),
                    doc="The tensor with all axes reversed (the transpose of a matrix).")
Tensor.mT = property(transpose, doc="The last two axes swapped (a batch of transposes).")
Tensor.cpu = lambda self: to(self, "cpu")
Tensor.cuda = lambda self, device=None: to(self, "cuda" if device is None else f"cuda:{device}")
Tensor.is_cuda = property(lambda self: self.device.startswith("cuda"),
                          doc="Whether the tensor lives on a CUDA GPU (cupy).")
Tensor.type = tensor_type
