"""The three fused primitives of one Adam step (used by ``minigrad.optim.adam_update``).

Written as ~14 elementwise ops, one Adam step of one parameter records 14 graph nodes; the
unrolled GAN records K of them per parameter per iteration, so the engine's per-op cost
dominated. Fused, it is three nodes, and each VJP is still written with Tensor ops, so the
step stays differentiable to any order. All three are primitives; ``adam_update`` composes them.
"""

from .. import backend
from ..autodiff import Function
from ..tensor import Tensor


class MovingAverage(Function):
    """m' = beta m + (1 - beta) g.   VJP: dm = beta G,  dg = (1 - beta) G.
    Saves: nothing."""

    def __init__(self, beta):
        self.beta = beta

    def forward(self, m, g):
        return self.beta * m + (1.0 - self.beta) * g

    def backward(self, grad):
        need_m, need_g = self.needs_input_grad
        return (grad * self.beta if need_m else None,
                grad * (1.0 - self.beta) if need_g else None)


class MovingAverageOfSquare(Function):
    """v' = beta v + (1 - beta) g^2.   VJP: dv = beta G,  dg = 2 (1 - beta) g G.
    Saves: g."""

    def __init__(self, beta):
        self.beta = beta

    def forward(self, v, g):
        return self.beta * v + (1.0 - self.beta) * (g * g)

    def backward(self, grad):
        need_v, need_g = self.needs_input_grad
        g = self.inputs[1]
        return (grad * self.beta if need_v else None,
                grad * g * (2.0 * (1.0 - self.beta)) if need_g else None)


class AdamStep(Function):
    """p' = p - scale m / d,  with  d = root + eps,  root = sqrt(v v_scale + eps_root),
    scale = lr / (1 - beta1^t)  and  v_scale = 1 / (1 - beta2^t); eps_root is > 0 wherever the
    step is differentiated and 0 in the Adam optimizer, whose step is PyTorch's exactly.

    The step number t is an input (a float64 0-d array, a constant of the graph), so that one
    recorded program serves every step: the bias corrections scale and v_scale are computed from
    it in float64 and only then rounded to p's dtype, exactly as a Python float would be.

    VJP:  dp = G,   dm = -scale G / d,   dv = scale G m v_scale / (2 d^2 root),   dt: none.

    Saves: m, v, and scale and v_scale, arrays made by forward."""

    def __init__(self, lr, beta1, beta2, eps, eps_root):
        self.lr, self.beta1, self.beta2 = lr, beta1, beta2
        self.eps, self.eps_root = eps, eps_root

    def forward(self, p, m, v, t):
        xp = backend.namespace_of(p)
        self.scale = xp.astype(xp.asarray(self.lr / (1.0 - self.beta1 ** t)), p.dtype)
        self.v_scale = xp.astype(xp.asarray(1.0 / (1.0 - self.beta2 ** t)), p.dtype)
        return p - self.scale * m / (xp.sqrt(v * self.v_scale + self.eps_root) + self.eps)

    def backward(self, grad):
        _, m, v, _ = self.inputs
        need_p, need_m, need_v, _ = self.needs_input_grad
        scale, v_scale = Tensor(self.scale), Tensor(self.v_scale)
        root = (v * v_scale + self.eps_root).sqrt()
        step_size = grad * (-scale) / (root + self.eps)  # G * d p' / d m
        dm = step_size if need_m else None
        dv = step_size * m * (v_scale * -0.5) / ((root + self.eps) * root) if need_v else None
        return (grad if need_p else None, dm, dv, None)
