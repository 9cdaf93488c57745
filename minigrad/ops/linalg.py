"""Matrix products.

``matmul(a, b)`` follows numpy/PyTorch: 1-D operands are promoted to a row (a) or a column (b)
and the added axis is removed again; leading (batch) axes broadcast.

Primitives: ``MatMul`` and ``LinearOp`` (the dense layer fused). ``matmul`` applies ``MatMul``
(with a ``reshape`` before and after for a 1-D operand); ``linear`` applies ``LinearOp``."""

from .. import backend
from ..autodiff import Function
from .shape import reshape, unbroadcast


class MatMul(Function):
    """Y = A' @ B' for A' = A or A^T, B' = B or B^T (``transpose_a``, ``transpose_b``; ^T swaps
    the last two axes), A' (..., n, k), B' (..., k, m), batch axes broadcast.

    VJP, from dA' = G B'^T and dB' = A'^T G:
      dA = G B'^T  (or, transposed: dA = B' G^T)
      dB = A'^T G  (or, transposed: dB = G^T A')
    each summed over the batch axes that broadcasting added. The flags let every one of these be
    a single product that BLAS writes in row-major order: the gradient of a transposed operand
    never comes out as a transposed (column-major) view, which numpy's elementwise ops then read
    at a fraction of their speed.

    Saves: A and B."""

    def __init__(self, transpose_a=False, transpose_b=False):
        self.transpose_a = transpose_a
        self.transpose_b = transpose_b

    def forward(self, a, b):
        xp = backend.namespace_of(a)
        a = xp.matrix_transpose(a) if self.transpose_a else a
        b = xp.matrix_transpose(b) if self.transpose_b else b
        if a.shape[-1] == 1:  # an outer product: the same numbers as BLAS, without its overhead
            return a * b      # for k = 1 (several times slower than this broadcast multiply)
        return xp.matmul(a, b)

    def backward(self, g):
        a, b = self.inputs
        ta, tb = self.transpose_a, self.transpose_b
        need_a, need_b = self.needs_input_grad
        da = db = None
        if need_a:
            da = (MatMul.apply(b, g, transpose_a=tb, transpose_b=True) if ta
                  else MatMul.apply(g, b, transpose_b=not tb))
            da = unbroadcast(da, a)
        if need_b:
            db = (MatMul.apply(g, a, transpose_a=True, transpose_b=ta) if tb
                  else MatMul.apply(a, g, transpose_a=not ta))
            db = unbroadcast(db, b)
        return da, db


def matmul(a, b):
    backend.check_same_dtype("matmul", a=a, b=b)
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


class LinearOp(Function):
    """Y = X W^T + b for X (..., in), W (out, in), b (out,) or None — one fused node for the
    dense layer, the hot op of every model here.
    VJP: dX = G W,  dW = G^T X,  db = sum of G over all axes but the last
    (G and X flattened to (rows, features) for dW and db).

    Saves: X and W."""

    def forward(self, x, w, b=None):
        xp = backend.namespace_of(x)
        y = xp.matmul(x, xp.permute_dims(w, (1, 0)))
        return y if b is None else y + b

    def backward(self, g):
        x, w = self.inputs[0], self.inputs[1]
        needs = self.needs_input_grad
        dx = matmul(g, w) if needs[0] else None  # matmul also takes an unbatched (1-D) g
        g_rows = reshape(g, (-1, g.shape[-1])) if g.ndim != 2 else g
        dw = None
        if needs[1]:
            x_rows = reshape(x, (-1, x.shape[-1])) if x.ndim != 2 else x
            dw = MatMul.apply(g_rows, x_rows, transpose_a=True)
        if len(self.inputs) == 2:
            return dx, dw
        db = g_rows.sum(axis=0) if needs[2] else None
        return dx, dw, db


def linear(x, weight, bias=None):
    """y = x @ weight.T + bias, with weight (out_features, in_features) as in PyTorch."""
    backend.check_same_dtype("linear", input=x, weight=weight, bias=bias)
    if weight.ndim != 2 or x.ndim < 1 or x.shape[-1] != weight.shape[1]:
        raise ValueError(f"linear: input of shape {x.shape} does not match weight of shape "
                         f"{weight.shape}: expected input (..., {weight.shape[-1] if weight.ndim else '?'}) "
                         "and weight (out_features, in_features)")
    if bias is None:
        return LinearOp.apply(x, weight)
    if bias.shape != (weight.shape[0],):
        raise ValueError(f"linear: bias of shape {bias.shape}, expected ({weight.shape[0]},)")
    return LinearOp.apply(x, weight, bias)


def _require_ndim(op, expected, **operands):
    for name, t in operands.items():
        if t.ndim != expected:
            shapes = ", ".join(f"{n} {o.shape}" for n, o in operands.items())
            raise ValueError(f"{op}: expects {expected}-D operands, got {shapes}")


def mm(a, b):
    """PyTorch's ``mm``: the product of two matrices.  Composite: ``matmul``."""
    _require_ndim("mm", 2, a=a, b=b)
    return matmul(a, b)


def bmm(a, b):
    """PyTorch's ``bmm``: a batch of matrix products, (B, n, k) @ (B, k, m), no broadcasting.
    Composite: ``matmul``."""
    _require_ndim("bmm", 3, a=a, b=b)
    if a.shape[0] != b.shape[0]:
        raise ValueError(f"bmm: batch sizes differ: a {a.shape}, b {b.shape}")
    return matmul(a, b)


def dot(a, b):
    """The inner product of two vectors.  Composite: ``matmul`` of 1-D operands."""
    _require_ndim("dot", 1, a=a, b=b)
    return matmul(a, b)


def outer(a, b):
    """The outer product of two vectors, y_ij = a_i b_j.  Composite: ``matmul`` of a column and
    a row (a broadcast multiply, as ``MatMul`` does for an inner axis of 1)."""
    _require_ndim("outer", 1, a=a, b=b)
    return matmul(reshape(a, (-1, 1)), reshape(b, (1, -1)))
