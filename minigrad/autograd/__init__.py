"""PyTorch's ``torch.autograd`` names over minigrad's engine: ``grad``, ``backward``,
``Function`` (the ctx API) and ``functional`` (``vjp``, ``jvp``, ``jacobian``, ``hessian``,
``hvp``), so that code written as ``torch.autograd.grad(...)`` runs as ``mg.autograd.grad(...)``."""

from ..autodiff import grad
from ..tensor import Tensor
from . import functional
from .function import Function, FunctionCtx


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False):
    """``torch.autograd.backward``: ``t.backward(g)`` for each tensor and its gradient (None
    for a scalar), accumulating into the leaves' ``.grad``."""
    tensors = (tensors,) if isinstance(tensors, Tensor) else tuple(tensors)
    if grad_tensors is None or isinstance(grad_tensors, Tensor):
        grad_tensors = (grad_tensors,) * len(tensors) if grad_tensors is None else (grad_tensors,)
    if len(grad_tensors) != len(tensors):
        raise ValueError(f"autograd.backward: {len(tensors)} tensors but {len(grad_tensors)} "
                         "grad_tensors")
    for t, g in zip(tensors, grad_tensors):
        t.backward(g, retain_graph=retain_graph, create_graph=create_graph)


__all__ = ["Function", "FunctionCtx", "backward", "functional", "grad"]
