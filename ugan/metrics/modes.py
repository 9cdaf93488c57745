"""How a generator's samples spread over discrete modes (classes, stacked-class triples), as a
classifier labels them.

With c_k the number of samples labelled mode k, n = sum_k c_k, M modes, and c'_k the number of
those that *pass* (the classifier's calibrated confidence in each of the sample's labels is at
least its threshold, ``ugan.metrics.classifier``):

    modes_covered        = #{k : c_k >= 1}            (what the paper's stacked table counts)
    modes_covered_strict = #{k : c_k >= 0.05 n / M}   (at least 5% of a uniform share)
    kl_to_uniform        = sum_k p_k log(p_k M),  p_k = c_k / n  (ugan.metrics.divergences)
    kl_to_real           = sum_k p_k log(p_k / r_k), r the distribution of modes the classifier
                           gives real data
    top_mode_mass        = max_k p_k
    confident_modes      = #{k : c'_k >= 0.05 n / M}  (modes held by samples the classifier is
                           sure of: near 0 for noise, near M for real data)
    pass_share           = sum_k c'_k / n
"""

import numpy as np

from ugan.metrics.divergences import kl_to_reference, kl_to_uniform

STRICT_SHARE = 0.05


def mode_metrics(modes, n_modes, passed=None, real_distribution=None):
    """The metrics above of the labels ``modes`` (n,) in 0..n_modes-1 (a dict of floats and
    ints); the confident ones where ``passed`` (bool (n,)) says which samples pass, and
    ``kl_to_real`` where ``real_distribution`` (n_modes,) is given."""
    modes = np.asarray(modes)
    if modes.ndim != 1 or modes.size == 0:
        raise ValueError(f"mode_metrics: modes must be a non-empty 1-D array of labels, got "
                         f"shape {modes.shape}")
    if modes.min() < 0 or modes.max() >= n_modes:
        raise ValueError(f"mode_metrics: labels must lie in 0..{n_modes - 1}, got "
                         f"{modes.min()}..{modes.max()}")
    counts = np.bincount(modes, minlength=n_modes)
    strict = STRICT_SHARE * len(modes) / n_modes
    metrics = {
        "modes_covered": int(np.count_nonzero(counts)),
        "modes_covered_strict": int((counts >= strict).sum()),
        "kl_to_uniform": kl_to_uniform(counts),
        "top_mode_mass": float(counts.max() / len(modes)),
    }
    if real_distribution is not None:
        metrics["kl_to_real"] = kl_to_reference(counts, real_distribution)
    if passed is not None:
        passed = np.asarray(passed, dtype=bool)
        if passed.shape != modes.shape:
            raise ValueError(f"mode_metrics: passed must have the labels' shape {modes.shape}, "
                             f"got {passed.shape}")
        confident = np.bincount(modes[passed], minlength=n_modes)
        metrics["confident_modes"] = int((confident >= strict).sum())
        metrics["pass_share"] = float(passed.mean())
    return metrics
