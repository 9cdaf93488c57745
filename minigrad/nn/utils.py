"""Utilities for training loops, with PyTorch's names (``torch.nn.utils``)."""

from ..grad_mode import no_grad
from ..ops import stack


def clip_grad_norm_(parameters, max_norm, norm_type=2.0):
    """Scale the gradients of ``parameters`` together so that their joint ``norm_type``-norm
    (the norm of the vector of each gradient's norm) is at most ``max_norm``: each ``p.grad``
    becomes ``p.grad * min(1, max_norm / (total + 1e-6))``, PyTorch's rule. Parameters without a
    gradient are skipped. Returns the total norm before clipping, as a 0-d tensor. Written with
    tensor ops, so that a compiled training step can clip."""
    params = [p for p in parameters if p.grad is not None]
    if not params:
        raise ValueError("clip_grad_norm_: none of the parameters has a gradient")
    with no_grad():
        total = stack([p.grad.norm(p=norm_type) for p in params]).norm(p=norm_type)
        scale = (max_norm / (total + 1e-6)).clip(high=1.0)
        for p in params:
            p.grad = p.grad * scale
    return total
