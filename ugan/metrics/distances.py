"""Histograms of pairwise Euclidean distances between samples.

Metz et al. (2017, Sec. 3.4) compare the distribution of ||x_i - x_j|| within generated samples
with that within the data: a collapsed generator shows too much mass at small distances. The
distances come from

    ||x - y||^2 = ||x||^2 + ||y||^2 - 2 x.y,

a block of rows at a time, so that only (chunk_size, m) distances are alive at once (10,000
samples of 784 values need about 40 MB per block, not 800 MB for the whole matrix)."""

import numpy as np


def _flatten(x, name):
    """The samples ``x`` (n, ...) as float64 rows (n, values)."""
    x = np.asarray(x, dtype=np.float64)
    if x.ndim < 1 or x.shape[0] == 0:
        raise ValueError(f"{name} must be a non-empty batch of samples (n, ...), got shape "
                         f"{x.shape}")
    return x.reshape(x.shape[0], -1)


def _distance_blocks(a, b, chunk_size):
    """The distances between the rows of ``a`` and those of ``b`` as 1-D arrays, ``chunk_size``
    rows of ``a`` at a time; with ``b`` None, each pair i < j of rows of ``a`` once."""
    a_sq = (a**2).sum(1)
    other, other_sq = (a, a_sq) if b is None else (b, (b**2).sum(1))
    for start in range(0, a.shape[0], chunk_size):
        stop = min(start + chunk_size, a.shape[0])
        # within a, the columns before ``start`` were paired with these rows already
        first_col = start if b is None else 0
        sq = (a_sq[start:stop, None] + other_sq[None, first_col:]
              - 2.0 * a[start:stop] @ other[first_col:].T)
        dist = np.sqrt(np.maximum(sq, 0.0))
        if b is None:
            rows = np.arange(start, stop)[:, None]
            cols = np.arange(first_col, other.shape[0])[None, :]
            dist = dist[cols > rows]
        yield dist.ravel()


def pairwise_distance_histogram(a, b=None, bins=50, range=None, chunk_size=512):
    """(counts int64 (bins,), edges float64 (bins + 1,)), as np.histogram gives them, of the
    Euclidean distances between flattened samples: with ``b`` None, between the distinct rows
    of ``a``, each pair once (n (n - 1) / 2 values, no zero diagonal); otherwise all n m
    distances between the rows of ``a`` and those of ``b``. ``range`` is (0, the largest
    distance) by default, which costs a second pass over the data; give it to compare several
    histograms on shared bins."""
    a = _flatten(a, "a")
    if b is not None:
        b = _flatten(b, "b")
        if b.shape[1] != a.shape[1]:
            raise ValueError(f"a and b must have the same sample size, got {a.shape[1]} and "
                             f"{b.shape[1]} values")
    elif a.shape[0] < 2:
        raise ValueError(f"need at least 2 samples in a for within-set distances, got "
                         f"{a.shape[0]}")
    if chunk_size < 1:
        raise ValueError(f"chunk_size must be at least 1, got {chunk_size}")

    if range is None:
        range = (0.0, max(float(block.max(initial=0.0))
                          for block in _distance_blocks(a, b, chunk_size)))
    edges = np.histogram_bin_edges(np.empty(0), bins=bins, range=range)
    counts = np.zeros(len(edges) - 1, dtype=np.int64)
    for block in _distance_blocks(a, b, chunk_size):
        counts += np.histogram(block, bins=edges)[0]
    return counts, edges


def mean_pairwise_distance(a, chunk_size=512):
    """The mean Euclidean distance over the distinct pairs of rows of ``a`` (flattened
    samples)."""
    a = _flatten(a, "a")
    if a.shape[0] < 2:
        raise ValueError(f"need at least 2 samples for a mean pairwise distance, got "
                         f"{a.shape[0]}")
    total = sum(float(block.sum()) for block in _distance_blocks(a, None, chunk_size))
    return total / (a.shape[0] * (a.shape[0] - 1) / 2)


def shared_distance_histograms(a, b, bins=50, chunk_size=512):
    """Within-set distance histograms of a and of b on the same bins, spanning 0 to the largest
    distance within either set, so that the two distributions can be compared bin by bin.
    Returns (counts of a, counts of b, edges (bins + 1,))."""
    a, b = _flatten(a, "a"), _flatten(b, "b")
    if a.shape[1] != b.shape[1]:
        raise ValueError(f"a and b must have the same sample size, got {a.shape[1]} and "
                         f"{b.shape[1]} values")
    if min(a.shape[0], b.shape[0]) < 2:
        raise ValueError(f"need at least 2 samples in each set, got {a.shape[0]} and {b.shape[0]}")
    top = max(float(block.max(initial=0.0))
              for x in (a, b) for block in _distance_blocks(x, None, chunk_size))
    counts_a, edges = pairwise_distance_histogram(a, bins=bins, range=(0.0, top),
                                                  chunk_size=chunk_size)
    counts_b, _ = pairwise_distance_histogram(b, bins=bins, range=(0.0, top),
                                              chunk_size=chunk_size)
    return counts_a, counts_b, edges
