"""Multi-mode image datasets built from single-channel digits.

Stacked MNIST (Metz et al. 2017, Sec. 3.3; also VEEGAN, PacGAN): each sample
stacks three independently drawn digit images as the R, G and B channels.
With 10 classes per channel there are 10^3 = 1000 modes, identified by
mode = 100*l0 + 10*l1 + l2, so mode coverage can be counted with a digit
classifier applied per channel.

Colour digits (the paper's colour-MNIST variant): a digit in [0, 1] times a
random RGB colour c ~ Uniform([0, 1]^3), i.e. channel j = c_j * image.
"""

import numpy as np

_N_CLASSES = 10


def _single_channel(images: np.ndarray) -> np.ndarray:
    """Accept (N, H, W) or (N, 1, H, W) and return (N, H, W)."""
    images = np.asarray(images)
    if images.ndim == 4 and images.shape[1] == 1:
        return images[:, 0]
    if images.ndim == 3:
        return images
    raise ValueError(f"images must have shape (N, H, W) or (N, 1, H, W), got {images.shape}")


def stack_digits(images, labels, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Build n stacked samples, each from 3 source images drawn uniformly with replacement.

    Returns (stacked (n, 3, H, W) with the source dtype, modes int64 (n,)),
    where modes = 100*l0 + 10*l1 + l2 and l_c is the label of channel c.
    """
    images = _single_channel(images)
    labels = np.asarray(labels).astype(np.int64)
    if labels.shape != (images.shape[0],):
        raise ValueError(f"labels must have shape ({images.shape[0]},) to match images, got {labels.shape}")
    if labels.size and (labels.min() < 0 or labels.max() >= _N_CLASSES):
        # The base-10 mode code would collide for other label ranges.
        raise ValueError(f"labels must lie in 0..{_N_CLASSES - 1}, got range {labels.min()}..{labels.max()}")
    if images.shape[0] == 0:
        raise ValueError("images is empty; need at least one source image to stack")
    picks = rng.integers(0, images.shape[0], size=(n, 3))
    return images[picks], stacked_mode(labels[picks])


def stacked_mode(channel_labels) -> np.ndarray:
    """The mode 100*l0 + 10*l1 + l2 (int64 (n,)) of the channel labels (n, 3)."""
    return np.asarray(channel_labels, dtype=np.int64) @ np.array([_N_CLASSES**2, _N_CLASSES, 1])


def colorize_digits(images, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Tint each digit (values in [0, 1]) with its own colour c ~ Uniform([0, 1]^3).

    Returns (coloured (n, 3, H, W), colours (n, 3)), both in the images'
    floating dtype; coloured[i, j] = colours[i, j] * images[i].
    """
    images = _single_channel(images)
    if not np.issubdtype(images.dtype, np.floating):
        raise ValueError(f"images must be floating point in [0, 1], got dtype {images.dtype}")
    if images.size and (images.min() < 0 or images.max() > 1):
        raise ValueError(f"images must lie in [0, 1], got range [{images.min()}, {images.max()}]")
    colours = rng.uniform(0.0, 1.0, size=(images.shape[0], 3)).astype(images.dtype)
    return colours[:, :, None, None] * images[:, None, :, :], colours
