"""The dtype of an elementwise op of two operands, by PyTorch's rule rather than numpy's.

numpy promotes by value range: float32 with int64 gives float64. PyTorch ranks operands instead.
A category (bool < integer < floating) decides first; within the highest category present, the
dtype comes from the operands of that category that have dimensions, and only if there are none
from the 0-d ones (a Python number is lifted to a 0-d tensor of the other operand's dtype, or of
float32 next to an integer tensor, so it counts as 0-d). So

    float32 tensor + int64 tensor        -> float32   (numpy: float64)
    float32 tensor + 0-d float64 tensor  -> float32   (numpy: float64)
    int64 tensor * 1.5                   -> float32   (numpy: float64)
    float32 tensor + float64 tensor      -> float64   (both agree)

True division of integers gives the default float dtype, float32 (numpy: float64).
"""

import numpy as np

from ... import backend
from ..shape import astype

_CATEGORY = {"b": 0, "i": 1, "u": 1, "f": 2}
DEFAULT_FLOAT = "float32"


def category(dtype):
    return _CATEGORY[np.dtype(backend.dtype_name(dtype)).kind]


def result_dtype(a, b, true_division=False):
    """The dtype name of ``a OP b`` for tensors a and b under PyTorch's rule (see the module)."""
    top = max(category(a.dtype), category(b.dtype))
    if true_division and top < _CATEGORY["f"]:
        return DEFAULT_FLOAT
    in_top = [t for t in (a, b) if category(t.dtype) == top]
    ranked = [t for t in in_top if t.ndim > 0] or in_top
    return np.result_type(*[backend.dtype_name(t.dtype) for t in ranked]).name


def promote(a, b, true_division=False):
    """(a, b) both converted (differentiably) to :func:`result_dtype`; as they are if they
    already share it."""
    same = a.dtype == b.dtype if type(a.array) is type(b.array) else \
        backend.dtype_name(a.dtype) == backend.dtype_name(b.dtype)  # arrays of two libraries
    if same and not (true_division and category(a.dtype) < _CATEGORY["f"]):
        return a, b
    dtype = result_dtype(a, b, true_division)
    return astype(a, dtype), astype(b, dtype)
