"""``torch.backends.mps``: Apple's Metal GPUs, which minigrad does not support (its GPUs are
NVIDIA's, through cupy)."""


def is_available():
    """False: minigrad has no Metal backend."""
    return False


def is_built():
    """False: minigrad has no Metal backend."""
    return False
