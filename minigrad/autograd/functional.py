"""``torch.autograd.functional``: derivatives of a function at a point, built from
:func:`minigrad.grad` (reverse sweeps) and :func:`minigrad.jvp`.

``inputs`` is a Tensor or a tuple of them; results follow that structure. Each function calls
``func`` on copies of the inputs cut from their graphs, and returns constants (PyTorch's
``create_graph=False``). ``jacobian`` and ``hessian`` take one reverse sweep per element of the
output (a loop: fine for the small functions they are meant for)."""

from ..autodiff import grad
from ..creation import zeros_like
from ..forward_mode import jvp
from ..grad_mode import enable_grad
from ..ops import reshape, stack
from ..tensor import Tensor

__all__ = ["hessian", "hvp", "jacobian", "jvp", "vjp"]


def _leaves(inputs):
    single = isinstance(inputs, Tensor)
    xs = (inputs,) if single else tuple(inputs)
    return single, tuple(x.detach().requires_grad_() for x in xs)


def _grads(output, xs, seed, create_graph=False):
    """d<seed, output>/dx for each x; zeros for an x the output does not use."""
    gs = grad(output, xs, seed, create_graph=create_graph, allow_unused=True)
    return tuple(zeros_like(x) if g is None else g for x, g in zip(xs, gs))


def vjp(func, inputs, v=None):
    """``(func(inputs), v^T J)``: the output, and the vector-Jacobian product for each input
    (``v`` may be omitted for a scalar output)."""
    single, xs = _leaves(inputs)
    with enable_grad():
        output = func(*xs)
        products = _grads(output, xs, v)
    products = tuple(p.detach() for p in products)
    return output.detach(), products[0] if single else products


def jacobian(func, inputs):
    """d func / d inputs: for one input x and output y, a tensor of shape y.shape + x.shape
    (J[i..., j...] = dy[i...] / dx[j...]); a tuple per input for a tuple of inputs."""
    single, xs = _leaves(inputs)
    with enable_grad():
        output = func(*xs)
        flat = reshape(output, (-1,))
        rows = [_grads(flat[k], xs, None) for k in range(flat.shape[0])]
    jacobians = tuple(reshape(stack([row[i].detach() for row in rows]), output.shape + x.shape)
                      for i, x in enumerate(xs))
    return jacobians[0] if single else jacobians


def hessian(func, inputs):
    """The matrix of second derivatives of a scalar ``func`` at one input x, of shape
    x.shape + x.shape (the jacobian of its gradient)."""
    if not isinstance(inputs, Tensor):
        raise TypeError("hessian: pass one tensor as inputs (here the hessian of several "
                        "inputs is not offered)")
    return jacobian(lambda x: _grads(func(x), (x,), None, create_graph=True)[0], inputs)


def hvp(func, inputs, v):
    """``(func(inputs), H v)``: a scalar function's value and its Hessian times ``v`` (one
    tensor per input), by a reverse sweep over the gradient."""
    single, xs = _leaves(inputs)
    vs = (v,) if single else tuple(v)
    with enable_grad():
        output = func(*xs)
        first = _grads(output, xs, None, create_graph=True)
        terms = [(g * u).sum() for g, u in zip(first, vs) if g.requires_grad]
        second = _grads(sum(terms), xs, None) if terms else tuple(zeros_like(x) for x in xs)
    second = tuple(h.detach() for h in second)
    return output.detach(), second[0] if single else second
