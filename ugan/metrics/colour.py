"""How well generated colour digits match the data's distribution of colours (paper Sec. 3.3.2,
whose table reports the Jensen-Shannon divergence between the colour distributions of data
and samples).

A colour digit is x_j = c_j * d (j = R, G, B) for a grey digit d in [0, 1] and a colour
c in [0, 1]^3, shown in [-1, 1] as 2x - 1. Its colour is read off one pixel:

    colour(x) = (x[:, p] + 1) / 2,   p = argmax_p sum_j x[j, p]

the pixel with the largest channel sum. For a real digit that is the brightest pixel of d
(sum_j x_j = d * sum_j c_j), so colour(x) = c * max(d): exact when the digit reaches full
intensity (98% of scikit-learn's digits; all of them reach at least 0.875). The alternatives
are worse: a mean over the digit's pixels mixes in the stroke's fading edges, and the scale of
c cannot be separated from that of d anyway. Data and samples go through the same recovery, so
its bias is shared.

Colours are counted on a fixed grid of ``bins`` equal intervals per channel over [0, 1]^3, and
the two histograms compared with ``ugan.metrics.divergences.js_divergence``.
"""

import numpy as np

COLOUR_BINS = 8  # per channel: 512 cells of side 1/8


def recover_colours(images):
    """One RGB colour in [0, 1] (float64 (N, 3)) per image (N, 3, H, W) in [-1, 1]: the colour
    of the pixel with the largest channel sum (see the module docstring)."""
    images = np.asarray(images, dtype=np.float64)
    if images.ndim != 4 or images.shape[1] != 3:
        raise ValueError(f"recover_colours: expected RGB images (N, 3, H, W), got shape "
                         f"{images.shape}")
    pixels = images.reshape(len(images), 3, -1)
    brightest = pixels.sum(axis=1).argmax(axis=1)
    return (pixels[np.arange(len(images)), :, brightest] + 1.0) / 2.0


def colour_histogram(colours, bins=COLOUR_BINS):
    """Share of the colours (N, 3) in each cell of a bins x bins x bins grid over [0, 1]^3
    (float64 (bins, bins, bins), summing to 1). Colours outside [0, 1] count in the edge cells."""
    colours = np.asarray(colours, dtype=np.float64)
    if colours.ndim != 2 or colours.shape[1] != 3 or len(colours) == 0:
        raise ValueError(f"colour_histogram: expected a non-empty array of RGB colours (N, 3), "
                         f"got shape {colours.shape}")
    cells = np.minimum((np.clip(colours, 0.0, 1.0) * bins).astype(np.int64), bins - 1)
    counts = np.bincount(np.ravel_multi_index(cells.T, (bins,) * 3), minlength=bins ** 3)
    return (counts / len(colours)).reshape(bins, bins, bins)
