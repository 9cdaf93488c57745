"""PyTorch's conversion methods: ``x.to(device)``, ``x.to(dtype)``, ``x.to(device, dtype)``,
``x.to(other)``, ``x.long()``, ``x.int()``, ``x.bool()``, ``x.half()``, ``x.clone()``.

All are composites of ``astype``, ``to(device)`` and ``Copy``, whose VJPs convert the gradient
back (``clone``'s: dx = g), so any order of derivative goes through them."""

import numpy as np

from .. import backend
from ..autodiff import Copy
from ..tensor import Tensor
from .shape import astype, to


def _is_dtype(value):
    try:
        np.dtype(backend.dtype_name(value))
    except TypeError:
        return False
    return True


def tensor_to(x, *args, dtype=None, device=None):
    """PyTorch's ``x.to(...)``: a device ("cpu", "cuda", ...), a dtype (``minigrad.float64``),
    both (device first), or another tensor whose device and dtype x takes. x itself when
    nothing changes; otherwise a differentiable copy."""
    for arg in args:
        if isinstance(arg, Tensor):
            device, dtype = arg.device, arg.dtype
        elif _is_dtype(arg):
            dtype = arg
        else:
            device = arg
    if device is not None:
        x = to(x, device)
    return x if dtype is None else astype(x, dtype)


def clone(x):
    """A copy of x in a new array, in the graph (PyTorch's ``clone``).  VJP: dx = g."""
    return Copy.apply(x)


CONVERSION_METHODS = {
    "to": tensor_to, "clone": clone,
    "float": lambda x: astype(x, "float32"), "double": lambda x: astype(x, "float64"),
    "half": lambda x: astype(x, "float16"), "long": lambda x: astype(x, "int64"),
    "int": lambda x: astype(x, "int32"), "bool": lambda x: astype(x, "bool"),
}
