"""Matrix products.

``matmul(a, b)`` follows numpy/PyTorch: 1-D operands are promoted to a row (a) or a column (b)
and the added axis is removed again; leading (batch) axes broadcast."""

from .. import backend
from ..autodiff import Function
from .shape import reshape, transpose, unbroadcast


class MatMul(Function):
    """Y = A @ B for A (..., n, k), B (..., k, m), batch axes broadcast.
    VJP: dA = G @ B^T, dB = A^T @ G (^T swaps the last two axes), each summed over the batch
    axes that broadcasting added."""

    def forward(self, a, b):
        return backend.namespace_of(a).matmul(a, b)

    def backward(self, g):
        a, b = self.inputs
        need_a, need_b = self.needs_input_grad
        da = unbroadcast(MatMul.apply(g, transpose(b)), a) if need_a else None
        db = unbroadcast(MatMul.apply(transpose(a), g), b) if need_b else None
        return da, db


def matmul(a, b):
    if a.ndim == 0 or b.ndim == 0:
        raise ValueError(f"matmul: both operands need at least one dimension, got shapes "
                         f"{a.shape} and {b.shape} (use * for scalars)")
    a2 = reshape(a, (1,) + a.shape) if a.ndim == 1 else a
    b2 = reshape(b, b.shape + (1,)) if b.ndim == 1 else b
    if a2.shape[-1] != b2.shape[-2]:
        raise ValueError(f"matmul: shapes {a.shape} and {b.shape} do not match: the last axis "
                         f"of the first ({a2.shape[-1]}) must equal the second-to-last axis of "
                         f"the second ({b2.shape[-2]})")
    try:
        out = MatMul.apply(a2, b2)
    except ValueError as error:
        raise ValueError(f"matmul: the batch axes of shapes {a.shape} and {b.shape} do not "
                         f"broadcast ({error})") from error
    if a.ndim == 1:
        out = reshape(out, out.shape[:-2] + out.shape[-1:])
    if b.ndim == 1:
        out = reshape(out, out.shape[:-1])
    return out
