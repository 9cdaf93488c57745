"""scikit-learn's bundled 8x8 digits: a small, offline stand-in for MNIST."""

import numpy as np
from sklearn.datasets import load_digits

# Pixel intensities in scikit-learn's digits are integers 0..16 (counts of set pixels in 4x4
# blocks of the original 32x32 bitmaps).
_MAX_INTENSITY = 16.0


def load_digits_images(scale="tanh"):
    """(images float32 (1797, 1, 8, 8), labels int64 (1797,) in 0..9) of scikit-learn's digits.
    A pixel v in 0..16 becomes v/8 - 1 in [-1, 1] with ``scale="tanh"`` (what a tanh generator
    makes), v/16 in [0, 1] with ``scale="unit"``."""
    digits = load_digits()
    unit = digits.images / _MAX_INTENSITY
    if scale == "tanh":
        scaled = 2.0 * unit - 1.0
    elif scale == "unit":
        scaled = unit
    else:
        raise ValueError(f"load_digits_images: scale must be 'tanh' or 'unit', got {scale!r}")
    labels = digits.target.astype(np.int64)
    return scaled[:, None, :, :].astype(np.float32), labels
