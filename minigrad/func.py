"""PyTorch's ``torch.func`` names: ``grad``, ``vmap``, ``jacrev``, ``functional_call``.

``grad(f)`` is a function that returns df/dx, built on :func:`minigrad.grad` with
``create_graph=True``, so that ``grad(grad(f))`` and ``vmap(grad(f))`` compose. ``vmap`` is a
Python loop over the batch axis that stacks the results (PyTorch vectorizes; the values are the
same, the speed is a loop's)."""

from .autodiff import grad as _grad
from .autograd.functional import jacobian
from .grad_mode import enable_grad
from .nn.module import functional_call as _functional_call
from .ops import stack
from .tensor import Tensor

__all__ = ["functional_call", "grad", "jacrev", "vmap"]


def grad(func, argnums=0, has_aux=False):
    """The function x -> d func(x) / d x[argnums] (an int or a tuple of them) for a ``func``
    returning a one-element tensor (with ``has_aux``: a pair (that tensor, aux), and the
    function returns (gradient, aux))."""
    def gradient(*args):
        numbers = (argnums,) if isinstance(argnums, int) else tuple(argnums)
        args = list(args)
        for i in numbers:
            if not args[i].requires_grad:
                args[i] = args[i].detach().requires_grad_()
        with enable_grad():
            result = func(*args)
            out, aux = result if has_aux else (result, None)
            grads = _grad(out, [args[i] for i in numbers], create_graph=True,
                          allow_unused=True)
        grads = tuple(g if g is not None else args[i] * 0.0 for g, i in zip(grads, numbers))
        grads = grads[0] if isinstance(argnums, int) else grads
        return (grads, aux) if has_aux else grads

    return gradient


def vmap(func, in_dims=0, out_dims=0):
    """``func`` mapped over axis ``in_dims`` of its tensor arguments (an int, or one per
    argument, None for an argument shared by the whole batch), results stacked along
    ``out_dims``; a loop over the batch."""
    def mapped(*args):
        dims = in_dims if isinstance(in_dims, (tuple, list)) else (in_dims,) * len(args)
        sizes = {a.shape[d] for a, d in zip(args, dims) if d is not None}
        if len(sizes) != 1:
            raise ValueError(f"vmap: the mapped axes must have one size, got {sorted(sizes)}")
        results = []
        for b in range(sizes.pop()):
            picked = [a if d is None else a[(slice(None),) * (d % a.ndim) + (b,)]
                      for a, d in zip(args, dims)]
            results.append(func(*picked))
        if isinstance(results[0], Tensor):
            return stack(results, axis=out_dims)
        return tuple(stack(list(parts), axis=out_dims) for parts in zip(*results))

    return mapped


def jacrev(func, argnums=0):
    """The function x -> the Jacobian of ``func`` at x with respect to argument ``argnums`` (an
    int), of shape output.shape + x.shape; constants, as ``autograd.functional.jacobian``."""
    def jacobian_at(*args):
        def of_one(x):
            return func(*args[:argnums], x, *args[argnums + 1:])
        return jacobian(of_one, args[argnums])

    return jacobian_at


def functional_call(module, parameter_and_buffer_dicts, args, kwargs=None):
    """PyTorch's ``torch.func.functional_call(module, params, args, kwargs)``: ``args`` is one
    tensor or a tuple, ``params`` a dict or a tuple of dicts (merged)."""
    dicts = parameter_and_buffer_dicts
    params = dict(dicts) if isinstance(dicts, dict) else {k: v for d in dicts
                                                          for k, v in d.items()}
    args = (args,) if isinstance(args, Tensor) else tuple(args)
    return _functional_call(module, params, *args, **(kwargs or {}))
