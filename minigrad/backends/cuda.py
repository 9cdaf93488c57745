"""``torch.backends.cuda`` for minigrad: ``is_built()`` (is cupy installed) and
``matmul.allow_tf32``, which for minigrad is cupy's environment variable CUPY_TF32."""

import os

from .. import backend
from .flags import Flag, Flags


def is_built():
    """Whether minigrad can reach a GPU at all: cupy is installed (PyTorch: built with CUDA).
    ``minigrad.backends.cuda_available()`` says whether a GPU is usable too."""
    return backend.cupy_installed()


def _cupy_tf32():
    return os.environ.get("CUPY_TF32", "0") == "1"


def _is_cupy_tf32(value):
    return value == _cupy_tf32()


class MatmulFlags(Flags):
    """``matmul.allow_tf32``: whether float32 matmuls on the GPU may round their inputs to TF32.
    cupy decides that once, from the environment variable CUPY_TF32, so the flag reads that and
    warns when set to something else."""

    __name__ = "minigrad.backends.cuda.matmul"
    allow_tf32 = Flag(_cupy_tf32, _is_cupy_tf32,
                      "cupy's matmuls use TF32 exactly when the environment variable CUPY_TF32=1 "
                      "is set before the program starts")


matmul = MatmulFlags()
