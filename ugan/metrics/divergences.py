"""Divergences of histograms (natural log; terms with p_k = 0 are 0):

    KL(p || m) = sum_k p_k log(p_k / m_k)

The Jensen-Shannon divergence between two histograms (colour distributions, distributions of
pairwise distances),

    JS(p, q) = 1/2 KL(p || m) + 1/2 KL(q || m),   m = (p + q) / 2,

is 0 for equal histograms, log 2 = 0.693 for histograms without a common bin, and symmetric in
p and q. The KL divergence of a histogram over M modes from the uniform one (how evenly samples
spread over a mixture's modes, digit classes, stacked-digit triples),

    KL(p || uniform) = sum_k p_k log(p_k M),

is 0 for a uniform spread and log M for a single mode. Its generalisation to a reference
histogram r (what a classifier gives real data, where classes are not all equally likely),

    KL(p || r) = sum_k p_k log(p_k / r_k),

is 0 when the samples spread as the reference does, and inf when samples fall where the
reference has no mass.
"""

import numpy as np


def js_divergence(p, q):
    """Jensen-Shannon divergence (natural log) between two histograms of the same shape; each is
    normalised to sum 1 first, so counts work too. See the module docstring."""
    p, q = np.asarray(p, dtype=np.float64), np.asarray(q, dtype=np.float64)
    if p.shape != q.shape:
        raise ValueError(f"js_divergence: histograms must have the same shape, got {p.shape} "
                         f"and {q.shape}")
    if p.min() < 0 or q.min() < 0 or p.sum() <= 0 or q.sum() <= 0:
        raise ValueError("js_divergence: histograms must be non-negative with a positive total")
    p, q = p / p.sum(), q / q.sum()
    m = (p + q) / 2
    return float(_kl(p, m) + _kl(q, m)) / 2


def kl_to_uniform(counts):
    """KL(p || uniform) of the histogram ``counts`` (M,) over M modes, p = counts / sum(counts);
    inf when nothing was counted. See the module docstring."""
    counts = np.asarray(counts, dtype=np.float64)
    total = counts.sum()
    if total == 0:
        return float("inf")
    p = counts / total
    nonzero = p > 0
    # KL >= 0 mathematically; the clamp removes rounding residue like -1e-17.
    return max(0.0, float(np.sum(p[nonzero] * np.log(p[nonzero] * len(counts)))))


def kl_to_reference(counts, reference):
    """KL(p || r) of the histogram ``counts`` (M,) from the probabilities ``reference`` (M,),
    p = counts / sum(counts); inf when nothing was counted or p has mass where r has none. See
    the module docstring."""
    counts = np.asarray(counts, dtype=np.float64)
    reference = np.asarray(reference, dtype=np.float64)
    if counts.shape != reference.shape or reference.min() < 0 or \
            not np.isclose(reference.sum(), 1.0):
        raise ValueError(f"kl_to_reference: expected a reference of probabilities of the counts' "
                         f"shape {counts.shape}, got shape {reference.shape} summing to "
                         f"{reference.sum():.6g}")
    total = counts.sum()
    p = counts / total if total else counts
    if total == 0 or np.any((p > 0) & (reference == 0)):
        return float("inf")
    return max(0.0, float(_kl(p, reference)))


def _kl(p, m):
    """KL(p || m) for m > 0 wherever p > 0."""
    support = p > 0
    return np.sum(p[support] * np.log(p[support] / m[support]))
