"""scikit-learn's bundled 8x8 digits: a small, offline stand-in for MNIST."""

import numpy as np
from sklearn.datasets import load_digits

# Pixel intensities in sklearn's digits are integers 0..16 (counts of set
# pixels in 4x4 blocks of the original 32x32 bitmaps).
_MAX_INTENSITY = 16.0


def load_digits_images(scale: str = "tanh") -> tuple[np.ndarray, np.ndarray]:
    """Return (images, labels) for the 1797 sklearn digits.

    images: float32 (N, 1, 8, 8).  With scale="tanh" a pixel v in 0..16 maps to
    v/8 - 1 in [-1, 1], matching a tanh generator output; with scale="unit" it
    maps to v/16 in [0, 1].
    labels: int64 (N,) digit classes 0..9.
    """
    digits = load_digits()
    unit = digits.images / _MAX_INTENSITY
    if scale == "tanh":
        scaled = 2.0 * unit - 1.0
    elif scale == "unit":
        scaled = unit
    else:
        raise ValueError(f"scale must be 'tanh' or 'unit', got {scale!r}")
    labels = digits.target.astype(np.int64)
    return scaled[:, None, :, :].astype(np.float32), labels
