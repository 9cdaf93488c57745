"""How a generator's samples spread over discrete modes (digit classes, stacked-digit triples).

With c_k the number of samples labelled mode k, n = sum_k c_k and M modes:

    modes_covered        = #{k : c_k >= 1}          (what the paper's stacked-MNIST table counts)
    modes_covered_strict = #{k : c_k >= 0.05 n / M}  (at least 5% of a uniform share)
    kl_to_uniform        = sum_k p_k log(p_k M),  p_k = c_k / n  (ugan.metrics.divergences)
    top_mode_mass        = max_k p_k
"""

import numpy as np

from ugan.metrics.divergences import kl_to_uniform

_STRICT_SHARE = 0.05


def mode_metrics(modes, n_modes):
    """The metrics above of the labels ``modes`` (n,) in 0..n_modes-1 (a dict of floats and
    ints)."""
    modes = np.asarray(modes)
    if modes.ndim != 1 or modes.size == 0:
        raise ValueError(f"mode_metrics: modes must be a non-empty 1-D array of labels, got "
                         f"shape {modes.shape}")
    if modes.min() < 0 or modes.max() >= n_modes:
        raise ValueError(f"mode_metrics: labels must lie in 0..{n_modes - 1}, got "
                         f"{modes.min()}..{modes.max()}")
    counts = np.bincount(modes, minlength=n_modes)
    p = counts / counts.sum()
    nonzero = p > 0
    return {
        "modes_covered": int(nonzero.sum()),
        "modes_covered_strict": int((counts >= _STRICT_SHARE * counts.sum() / n_modes).sum()),
        "kl_to_uniform": kl_to_uniform(counts),
        "top_mode_mass": float(p.max()),
    }
