"""The paper's colour metric (ICLR Sec. 3.3.2, Table 3): how far the distribution of the colours a
generator paints its digits in is from the data's.

1. **Each image's colour, by clustering.** The pixels of an RGB image in [-1, 1], mapped to
   [0, 1]^3, are split into two clusters by k-means (Lloyd's iterations from the darkest and
   the brightest pixel by channel sum). The darker cluster is the background (black in the data);
   the colour of the image is the mean of the other, the foreground's, pixels. For a digit
   x = c * d, that is c times the mean stroke intensity of the foreground pixels: exactly c when
   the strokes are solid; data and samples go through the same recovery, so its bias is shared.

2. **A Gaussian kernel density estimate** of each set of colours,

       p(x) = 1/n sum_i N(x; c_i, h^2 I_3),

   both with one bandwidth h: Scott's rule on the data's colours,
   h = n^(-1/7) * (mean over channels of the data's standard deviation), unless given.

3. **Their Jensen-Shannon divergence in bits**, m = (p + q) / 2:

       JS(p, q) = 1/2 E_{x~p}[log2 (p(x) / m(x))] + 1/2 E_{y~q}[log2 (q(y) / m(y))],

   estimated by Monte Carlo: ``samples`` points drawn from each density (a random kernel
   centre plus N(0, h^2 I) noise). It is 0 for equal densities (exactly, for equal colour sets)
   and 1 bit for densities with no common support. ``kde_js_with_error`` also gives the
   estimate's Monte Carlo standard error, 1/2 sqrt(var(a)/n_p + var(b)/n_q) for the per-point
   terms a = log2(p/m) at the n_p points from p and b = log2(q/m) at the n_q points from q.

The paper's metric mixes hue and brightness: colours right in hue but 20% dimmer score worse
than most trained generators, and a generator of one garment class in the data's colours scores
near the real-data floor. Beside it, **the chromaticity JS** (``chroma_js_with_error``) applies
the same estimator to each colour's chromaticity (r, g) / (r + g + b), with Scott's bandwidth on
the data's chromaticities (d = 2): it is blind to brightness, and so to dimming.
"""

import numpy as np
from scipy.special import logsumexp

KMEANS_ITERATIONS = 20
MONTE_CARLO_SAMPLES = 4000
INTENSITY_FLOOR = 1e-3  # r + g + b below it is taken as it, in chromaticities
_CHUNK = 512  # points whose log density is computed at once (512 x n distances)


def cluster_colours(images, iterations=KMEANS_ITERATIONS):
    """The foreground colour in [0, 1]^3 (float64 (N, 3)) of each RGB image (N, 3, H, W) in
    [-1, 1], by two-cluster k-means over its pixels (see the module docstring)."""
    images = np.asarray(images, dtype=np.float64)
    if images.ndim != 4 or images.shape[1] != 3 or len(images) == 0:
        raise ValueError(f"cluster_colours: expected a non-empty batch of RGB images "
                         f"(N, 3, H, W), got shape {images.shape}")
    pixels = (images.reshape(len(images), 3, -1).transpose(0, 2, 1) + 1.0) / 2.0  # (N, P, 3)
    brightness = pixels.sum(axis=2)
    rows = np.arange(len(images))
    background = pixels[rows, brightness.argmin(axis=1)]                       # (N, 3)
    foreground = pixels[rows, brightness.argmax(axis=1)]
    for _ in range(iterations):
        nearer = (_squared_distances(pixels, foreground)
                  < _squared_distances(pixels, background)).astype(np.float64)  # (N, P)
        background = _cluster_mean(pixels, 1.0 - nearer, background)
        foreground = _cluster_mean(pixels, nearer, foreground)
    darker = foreground.sum(axis=1) < background.sum(axis=1)
    return np.where(darker[:, None], background, foreground)


def _squared_distances(pixels, centre):
    """(N, P): each image's pixels' squared distance to its centre."""
    return _sum_of_channels(lambda c: (pixels[:, :, c] - centre[:, c, None]) ** 2,
                            pixels.shape[2])


def _sum_of_channels(term, channels):
    """term(0) + term(1) + ..., added in that order: the sum over a last axis of ``channels``
    that ``.sum(axis=-1)`` gives, bit for bit, without building the array that has that axis."""
    total = term(0)
    for c in range(1, channels):
        total += term(c)
    return total


def _cluster_mean(pixels, members, centre):
    """The mean of each image's member pixels (members (N, P) of 0 and 1); ``centre`` where an
    image has none."""
    counts = members.sum(axis=1, keepdims=True)
    sums = np.matmul(members[:, None, :], pixels)[:, 0]
    return np.where(counts > 0, sums / np.maximum(counts, 1.0), centre)


def scott_bandwidth(colours):
    """h = n^(-1/(d+4)) * mean per-channel standard deviation of ``colours`` (n, d)."""
    colours = _points(colours, "scott_bandwidth")
    spread = colours.std(axis=0).mean()
    if spread == 0:
        raise ValueError("scott_bandwidth: the colours are all equal, so Scott's rule gives a "
                         "zero bandwidth; pass a bandwidth")
    return float(len(colours) ** (-1.0 / (colours.shape[1] + 4)) * spread)


def kde_js_divergence(colours_p, colours_q, bandwidth, samples=MONTE_CARLO_SAMPLES, seed=0):
    """JS divergence in bits between the Gaussian KDEs of two colour sets (n, 3) and (m, 3)
    with one ``bandwidth``, from ``samples`` Monte Carlo points per density."""
    a, b = _js_terms(colours_p, colours_q, bandwidth, samples, seed, "kde_js_divergence")
    return float(np.mean([np.mean(a), np.mean(b)]) / np.log(2.0))


def kde_js_with_error(colours_p, colours_q, bandwidth, samples=MONTE_CARLO_SAMPLES, seed=0):
    """(js, standard error), both in bits: js is :func:`kde_js_divergence`'s estimate, the same
    value bit for bit,

        js = 1/2 mean_{x~p}[a(x)] + 1/2 mean_{y~q}[b(y)],
        a(x) = log2(p(x) / m(x)),  b(y) = log2(q(y) / m(y)),

    over the n_p = n_q = ``samples`` Monte Carlo points drawn from each KDE, and its Monte Carlo
    standard error is

        se = 1/2 sqrt(var(a) / n_p + var(b) / n_q),

    with var the unbiased sample variance (ddof = 1) of the terms. It measures the spread of the
    estimate over Monte Carlo draws for these two colour sets, not the spread over new draws of
    the colour sets themselves."""
    if samples < 2:
        raise ValueError(f"kde_js_with_error: a standard error needs samples >= 2, got {samples}")
    a, b = _js_terms(colours_p, colours_q, bandwidth, samples, seed, "kde_js_with_error")
    js = float(np.mean([np.mean(a), np.mean(b)]) / np.log(2.0))
    error = 0.5 * np.sqrt(a.var(ddof=1) / len(a) + b.var(ddof=1) / len(b)) / np.log(2.0)
    return js, float(error)


def _js_terms(colours_p, colours_q, bandwidth, samples, seed, owner):
    """The Monte Carlo terms, in nats, of the two halves of the JS estimate: log(p(x) / m(x))
    at ``samples`` points x drawn from p, and log(q(y) / m(y)) at as many drawn from q (a
    random kernel centre plus N(0, h^2 I) noise), from ``default_rng(seed)``."""
    p = _points(colours_p, owner)
    q = _points(colours_q, owner)
    if p.shape[1] != q.shape[1]:
        raise ValueError(f"{owner}: colour sets of shapes {p.shape} and {q.shape} differ in "
                         "dimension")
    if not bandwidth > 0:
        raise ValueError(f"{owner}: bandwidth must be positive, got {bandwidth}")
    rng = np.random.default_rng(seed)
    terms = []
    for own, other in ((p, q), (q, p)):
        points = own[rng.integers(0, len(own), samples)]
        points = points + bandwidth * rng.standard_normal(points.shape)
        log_own, log_other = (_log_density(points, centres, bandwidth)
                              for centres in (own, other))
        terms.append(np.log(2.0) + log_own - np.logaddexp(log_own, log_other))
    return terms


def chromaticities(colours, floor=INTENSITY_FLOOR):
    """(r, g) / (r + g + b) of each colour (n, 3) in [0, 1]^3, float64 (n, 2): the colour with
    its intensity divided out, so that c and s * c (s > 0) have the same chromaticity. The
    intensity r + g + b is floored at ``floor``, so that a colour near black gives a finite
    (and near (0, 0)) chromaticity instead of dividing by about 0."""
    colours = _points(colours, "chromaticities")
    if colours.shape[1] != 3:
        raise ValueError(f"chromaticities: expected RGB colours (n, 3), got shape "
                         f"{colours.shape}")
    return colours[:, :2] / np.maximum(colours.sum(axis=1, keepdims=True), floor)


def chroma_js_with_error(data_colours, model_colours, bandwidth=None,
                         samples=MONTE_CARLO_SAMPLES, seed=0):
    """(js, standard error) in bits, as :func:`kde_js_with_error` gives them, between the KDEs
    of the :func:`chromaticities` of two colour sets, with Scott's bandwidth on the data's
    chromaticities unless ``bandwidth`` is given. Blind to brightness: colours all dimmed or
    brightened by one factor have the same chromaticities."""
    data, model = chromaticities(data_colours), chromaticities(model_colours)
    bandwidth = scott_bandwidth(data) if bandwidth is None else bandwidth
    return kde_js_with_error(data, model, bandwidth, samples, seed)


def colour_js_divergence(data_images, model_images, bandwidth=None,
                         samples=MONTE_CARLO_SAMPLES, seed=0):
    """The paper's Table 3 metric: JS divergence in bits between the colour distributions of
    data and model images (each (N, 3, H, W) in [-1, 1]). Returns (divergence, bandwidth)."""
    data, model = cluster_colours(data_images), cluster_colours(model_images)
    bandwidth = scott_bandwidth(data) if bandwidth is None else bandwidth
    return kde_js_divergence(data, model, bandwidth, samples, seed), bandwidth


def _points(colours, owner):
    colours = np.asarray(colours, dtype=np.float64)
    if colours.ndim != 2 or len(colours) == 0:
        raise ValueError(f"{owner}: expected a non-empty array of colours (n, channels), got "
                         f"shape {colours.shape}")
    return colours


def _log_density(points, centres, bandwidth):
    """log p(x) at each point for the KDE with the given centres, computed in chunks."""
    d = centres.shape[1]
    normaliser = np.log(len(centres)) + 0.5 * d * np.log(2.0 * np.pi * bandwidth ** 2)
    logs = []
    for start in range(0, len(points), _CHUNK):
        chunk = points[start:start + _CHUNK]
        exponents = _sum_of_channels(lambda c: (chunk[:, c, None] - centres[:, c]) ** 2, d)
        exponents /= -2.0 * bandwidth ** 2  # in place: -|x - c|^2 / (2 h^2)
        logs.append(logsumexp(exponents, axis=1) - normaliser)
    return np.concatenate(logs)
