"""Stacked digits, a dataset of many modes made from single-channel digits.

Stacked MNIST (Metz et al. 2017, Sec. 3.3; also VEEGAN, PacGAN): each sample stacks three digit
images drawn independently as its R, G and B channels. With 10 classes per channel there are
10^3 = 1000 modes, mode = 100 l0 + 10 l1 + l2, so that a digit classifier applied to each
channel counts the modes covered. (The paper's colour digits are ``ugan.data.colour_digits``.)"""

import numpy as np

_N_CLASSES = 10


def _single_channel(images):
    """Images (N, H, W) or (N, 1, H, W) as (N, H, W)."""
    images = np.asarray(images)
    if images.ndim == 4 and images.shape[1] == 1:
        return images[:, 0]
    if images.ndim == 3:
        return images
    raise ValueError(f"digit images must have shape (N, H, W) or (N, 1, H, W), got "
                     f"{images.shape}")


def stack_digits(images, labels, n, rng):
    """n stacked samples, each of 3 images drawn uniformly, with replacement, by the numpy
    Generator ``rng``: (stacked (n, 3, H, W) of the images' dtype, modes int64 (n,)), mode
    100 l0 + 10 l1 + l2 with l_c the label of channel c."""
    images = _single_channel(images)
    labels = np.asarray(labels).astype(np.int64)
    if labels.shape != (images.shape[0],):
        raise ValueError(f"stack_digits: labels must have shape ({images.shape[0]},) to match "
                         f"the images, got {labels.shape}")
    if labels.size and (labels.min() < 0 or labels.max() >= _N_CLASSES):
        # the base-10 mode code would collide for other labels
        raise ValueError(f"stack_digits: labels must lie in 0..{_N_CLASSES - 1}, got range "
                         f"{labels.min()}..{labels.max()}")
    if images.shape[0] == 0:
        raise ValueError("stack_digits: images is empty; it needs at least one image to stack")
    picks = rng.integers(0, images.shape[0], size=(n, 3))
    return images[picks], stacked_mode(labels[picks])


def stacked_mode(channel_labels):
    """The mode 100 l0 + 10 l1 + l2 (int64 (n,)) of the channels' labels (n, 3)."""
    return np.asarray(channel_labels, dtype=np.int64) @ np.array([_N_CLASSES**2, _N_CLASSES, 1])
