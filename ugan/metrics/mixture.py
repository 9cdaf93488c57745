"""How samples cover the modes of a Gaussian mixture. Each sample x belongs to its nearest
centre mu_k (Euclidean) and is "high quality" (HQ) when ||x - mu_k|| <= 3 std. With n samples,
K modes, a_k the number of samples (all of them) whose nearest centre is mu_k, c_k the number of
those that are high quality, and m = sum_k c_k:

    high_quality_fraction = m / n
    modes_covered         = #{k : c_k >= 1}                 VEEGAN's and PacGAN's "modes"
    modes_covered_strict  = #{k : c_k >= 0.05 * n / K}      (ours: 5% of a uniform share of n)
    kl_to_uniform         = sum_k p_k log(p_k K),  p_k = c_k / m
                            (ugan.metrics.divergences; inf when m = 0)
    top_mode_mass         = max_k p_k               (0.0 when m = 0)
    top_mode              = argmax_k c_k            (-1 when m = 0; lowest index on ties)
    nearest_top_share     = max_k a_k / n
    nearest_modes_5pct    = #{k : a_k >= 0.05 * n}
    mode_counts           = [c_1, ..., c_K],  nearest_mode_counts = [a_1, ..., a_K]

VEEGAN (Srivastava et al. 2017) and PacGAN (Lin et al. 2018) report ``modes_covered`` (a mode
with at least one high-quality sample) and ``high_quality_fraction``. The columns built on c_k
see only the HQ samples, which for a collapsed generator whose mass sits between modes can be a
handful of n; ``nearest_top_share`` and ``nearest_modes_5pct`` count every sample, HQ or not."""

import numpy as np

from ugan.metrics.divergences import kl_to_uniform

_QUALITY_RADIUS_IN_STDS = 3.0
_STRICT_SHARE = 0.05  # of a uniform share n / K of the samples, for modes_covered_strict
_NEAREST_SHARE = 0.05  # of all n samples, for nearest_modes_5pct


def _nearest_center(samples, centers):
    """(index, squared distance) of each sample's nearest centre, from
    ||x||^2 - 2 x.mu + ||mu||^2, so that memory is (n, K), not (n, K, d)."""
    sq = (samples**2).sum(1)[:, None] - 2.0 * samples @ centers.T + (centers**2).sum(1)[None, :]
    nearest = sq.argmin(axis=1)
    # cancellation can leave tiny negatives for points that sit on a centre
    return nearest, np.maximum(sq[np.arange(len(samples)), nearest], 0.0)


def mixture_metrics(samples, centers, std):
    """The coverage metrics above, and n_samples, of ``samples`` (n, d) around
    ``centers`` (K, d): a dict of plain Python values (JSON-ready)."""
    samples = np.asarray(samples, dtype=np.float64)
    centers = np.asarray(centers, dtype=np.float64)
    if centers.ndim != 2 or centers.shape[0] == 0:
        raise ValueError(f"mixture_metrics: centers must have shape (n_modes, d) with "
                         f"n_modes >= 1, got {centers.shape}")
    if samples.ndim != 2 or samples.shape[1] != centers.shape[1] or samples.shape[0] == 0:
        raise ValueError(f"mixture_metrics: samples must have shape (n, {centers.shape[1]}) "
                         f"with n >= 1 to match centers, got {samples.shape}")
    if not std > 0:
        raise ValueError(f"mixture_metrics: std must be positive, got {std!r}")

    n, k = samples.shape[0], centers.shape[0]
    nearest, sq_dist = _nearest_center(samples, centers)
    high_quality = sq_dist <= (_QUALITY_RADIUS_IN_STDS * std) ** 2
    counts = np.bincount(nearest[high_quality], minlength=k)
    nearest_counts = np.bincount(nearest, minlength=k)
    n_good = int(counts.sum())

    if n_good:
        top_mode = int(counts.argmax())
        top_mode_mass = float(counts[top_mode] / n_good)
    else:
        top_mode, top_mode_mass = -1, 0.0

    return {
        "high_quality_fraction": n_good / n,
        "modes_covered": int(np.count_nonzero(counts)),
        "modes_covered_strict": int(np.count_nonzero(counts >= _STRICT_SHARE * n / k)),
        "kl_to_uniform": kl_to_uniform(counts),
        "top_mode_mass": top_mode_mass,
        "top_mode": top_mode,
        "nearest_top_share": float(nearest_counts.max() / n),
        "nearest_modes_5pct": int(np.count_nonzero(nearest_counts >= _NEAREST_SHARE * n)),
        "mode_counts": [int(c) for c in counts],
        "nearest_mode_counts": [int(a) for a in nearest_counts],
        "n_samples": int(n),
    }
