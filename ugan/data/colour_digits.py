"""Colour digits as the paper made them for Table 3 (ICLR Appendix F): each grey digit d in
[0, 1] is painted with its own colour c drawn from a Gaussian, and a little independent pixel
noise is added:

    c ~ N(mean, std^2 I_3), clipped to [0, 1]^3
    x_j = clip(2 c_j d - 1 + noise * e_j,  -1, 1),   e_j ~ N(0, I) per pixel,  j = R, G, B

(shown in [-1, 1], so the background d = 0 is -1). The appendix's own values of the mean, the
spread and the noise are not legible in the copy here; the defaults below are ours: the mean is
the middle of the colour cube, two standard deviations from each face, so that colours spread
over much of the cube and few are clipped.
"""

import numpy as np

from ugan.data.stacked import _single_channel

COLOUR_MEAN, COLOUR_STD, PIXEL_NOISE = 0.5, 0.25, 0.02


def gaussian_colour_digits(images, rng, mean=COLOUR_MEAN, std=COLOUR_STD, noise=PIXEL_NOISE):
    """(coloured float32 (N, 3, H, W) in [-1, 1], colours float64 (N, 3) in [0, 1]) for grey
    images (N, H, W) or (N, 1, H, W) in [0, 1]; see the module docstring."""
    images = _single_channel(images).astype(np.float64)
    if images.size and (images.min() < 0 or images.max() > 1):
        raise ValueError(f"gaussian_colour_digits: images must lie in [0, 1], got range "
                         f"[{images.min()}, {images.max()}]")
    if std < 0 or noise < 0:
        raise ValueError(f"gaussian_colour_digits: std and noise must be >= 0, got {std} and "
                         f"{noise}")
    colours = np.clip(rng.normal(mean, std, size=(len(images), 3)), 0.0, 1.0)
    coloured = 2.0 * colours[:, :, None, None] * images[:, None] - 1.0
    coloured += noise * rng.standard_normal(coloured.shape)
    return np.clip(coloured, -1.0, 1.0).astype(np.float32), colours
