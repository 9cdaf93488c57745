"""PyTorch's ``torch.backends``, with minigrad's answers: ``cudnn`` (never used: its flags read
False, and setting one to True warns), ``cuda`` (``is_built()``: cupy is installed;
``matmul.allow_tf32``: cupy's CUPY_TF32) and ``mps`` (not supported). Which array library
holds a tensor's data is ``minigrad.backend``'s business; this module only answers the
questions PyTorch programs ask."""

from . import cuda, cudnn, mps
from ..backend import cuda_available

__all__ = ["cuda", "cuda_available", "cudnn", "mps"]
