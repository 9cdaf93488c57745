"""``torch.backends.cudnn`` for minigrad, which never calls cuDNN: its GPU path is cupy's
(matmul through cuBLAS, convolution as matrix products, elementwise kernels). So cuDNN is not
available, and every flag reads False until set; setting one to True warns."""

import sys

from .. import backend
from .flags import Flag, FlagModule


def is_available():
    """False: minigrad does not use cuDNN."""
    return False


def version():
    """None, as PyTorch's answer without cuDNN."""
    return None


def _is_false(value):
    return not value


def _always_false():
    return False


def _deterministic_here(value):
    """True is honoured where no GPU is usable: numpy's ops give the same bits every run."""
    return not value or not backend.cuda_available()


class CudnnFlags(FlagModule):
    enabled = Flag(_always_false, _is_false, "it does not use cuDNN (its GPU ops are cupy's)")
    benchmark = Flag(_always_false, _is_false,
                     "each op has one implementation, so there is no algorithm to search for")
    deterministic = Flag(
        _always_false, _deterministic_here,
        "its CPU ops are deterministic, but on a GPU the gradients of indexing and embedding use "
        "cupy's scatter-add, whose atomic additions come in no fixed order")
    allow_tf32 = Flag(_always_false, _is_false, "it does not use cuDNN, so it has no cuDNN "
                      "convolutions to run in TF32 (see backends.cuda.matmul.allow_tf32)")


sys.modules[__name__].__class__ = CudnnFlags
