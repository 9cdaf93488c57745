"""Table 1 as the paper computes it (Sec. 3.4.1, Eq. 13-14): each image's best reconstruction by
each model, found with L-BFGS from 3 random starts; the share of images that each configuration
reconstructs best; the scale that gives those errors a meaning; and the images of Figure 4.

**Reconstruction.** For targets x_1..x_n (D pixels each) and a generator G, from each start
z^(s) ~ N(0, I),

    z*^(s) = argmin_z  sum_i ||G(z_i) - x_i||^2 / D          (L-BFGS-B, scipy, on minigrad's
                                                               gradient of this sum)
    error(x_i) = min_s ||G(z*^(s)_i) - x_i||^2 / D            (the best of the starts)

A chunk of ``batch_size`` targets is searched as one problem of batch_size * noise_dim
variables. The sum is separable (image i's term depends on z_i alone, since G runs in eval
mode: see ``ugan.metrics.inference.reconstruction_errors`` on batch norm), so its gradient
vanishes exactly when every image's does; the best start is then picked per image. The search
is local, so error(x) bounds min_z from above, the same way for every model.

**Scale.** An error means little without two references that need no generator: the dataset's
mean image m = 1/N sum_j y_j, which reconstructs x with

    mean_error(x) = ||m - x||^2 / D,

and the nearest of a pool of other real images y_1..y_P,

    neighbour_error(x) = min_{j : y_j is not x itself} ||y_j - x||^2 / D.

A generator that only makes "an average garment" scores about mean_error; one that memorised
its training set, neighbour_error (on training targets) or below.

**Best-rank shares.** Given the errors of several configurations on the same n images, with
runs r = 1..R_c of configuration c (its seeds), pick one run of each configuration; image i
then goes to the configurations with the lowest error, an exact tie splitting it equally.
share_c(i) is the average of c's part of image i over all prod_c R_c ways of picking (every
pairing of seeds, none preferred), and

    share(c) = 1/n sum_i share_c(i),     sum_c share(c) = 1.

It is computed without enumerating the pairings: given c's run r with error v = e_{c,r}(i),
the other configurations' runs are independent; let a_{c'} and t_{c'} be the fractions of the
runs of c' with error above v and equal to v. c takes 1 / (1 + T) of the image when no other
configuration is below v, T being the number tied with it, and 1 / (1 + T) = int_0^1 x^T dx, so

    share_c(i) = 1/R_c sum_r int_0^1 prod_{c' != c} (a_{c'} + t_{c'} x) dx,

a polynomial in x integrated term by term. The 95% interval of share(c) is a bootstrap over
images: the 2.5th and 97.5th percentiles of 1/n sum_i share_c(i_b) over ``resamples`` draws of
n images i_1..i_n with replacement (fixed seed). It says how much the share depends on which
images were drawn, not on which seeds were trained.

**Figure 4's images.** The paper shows the images on which the first and last configuration
(K = 0 and K = 10) differ most: those with the largest |l_first - l_last| / (1/2 (l_first +
l_last)), l being an image's error under each configuration's first run.
"""

import numpy as np
from scipy.optimize import minimize

import minigrad as mg

STARTS = 3
MAX_ITERATIONS = 200
BOOTSTRAP_RESAMPLES = 1000
NEIGHBOUR_CHUNK = 256  # target (and pool) images at a time in nearest_neighbour_errors


def lbfgs_reconstructions(generator, targets, noise_dim, starts=STARTS,
                          max_iterations=MAX_ITERATIONS, batch_size=64, seed=0):
    """(error(x) float64 (n,), the best reconstructions G(z*) (n, ...)) of the module docstring
    for every target: ``targets`` (n, ...) in the generator's output shape; the starts come from
    ``np.random.default_rng(seed)``. At most ``batch_size`` targets are searched at once. The
    generator runs in eval mode and its mode is restored afterwards."""
    targets = np.asarray(targets)
    if targets.ndim < 2 or len(targets) == 0:
        raise ValueError(f"lbfgs_reconstruction_errors: targets must be a non-empty batch of "
                         f"images (n, ...), got shape {targets.shape}")
    if starts < 1 or max_iterations < 1 or batch_size < 1:
        raise ValueError(f"lbfgs_reconstruction_errors: starts, max_iterations and batch_size "
                         f"must be at least 1, got {starts}, {max_iterations}, {batch_size}")
    rng = np.random.default_rng(seed)
    was_training = generator.training
    generator.eval()
    try:
        errors, images = [], []
        for first in range(0, len(targets), batch_size):
            x = targets[first:first + batch_size]
            tried = [_search(generator, x, rng.standard_normal((len(x), noise_dim)),
                             max_iterations) for _ in range(starts)]
            tried_errors = np.stack([e for e, _ in tried])             # (starts, chunk)
            best = tried_errors.argmin(axis=0)
            errors.append(tried_errors[best, np.arange(len(x))])
            images.append(np.stack([tried[s][1][i] for i, s in enumerate(best)]))
    finally:
        generator.train(was_training)
    return np.concatenate(errors), np.concatenate(images)


def lbfgs_reconstruction_errors(generator, targets, noise_dim, starts=STARTS,
                                max_iterations=MAX_ITERATIONS, batch_size=64, seed=0):
    """error(x) alone of :func:`lbfgs_reconstructions`: float64 (n,)."""
    return lbfgs_reconstructions(generator, targets, noise_dim, starts, max_iterations,
                                 batch_size, seed)[0]


def _search(generator, x, z0, max_iterations):
    """(per-image errors, images) after L-BFGS-B from z0 on the chunk x, computed on the
    generator's device."""
    device = next(generator.parameters()).device
    target = mg.as_tensor(x, device=device)
    pixels = x[0].size

    def errors_and_gradient(z_flat):
        z = mg.tensor(z_flat.reshape(z0.shape).astype(x.dtype), requires_grad=True,
                      device=device)
        image = generator(z)
        if image.shape != target.shape:
            raise ValueError(f"lbfgs_reconstruction_errors: generator makes images of shape "
                             f"{image.shape[1:]} from noise {z0.shape}, but targets have shape "
                             f"{x.shape[1:]}")
        per_image = ((image - target) ** 2).reshape(len(x), -1).sum(axis=1) * (1.0 / pixels)
        return per_image, z, image

    def objective(z_flat):
        per_image, z, _ = errors_and_gradient(z_flat)
        total = per_image.sum()
        (gradient,) = mg.grad(total, [z])
        return float(total.item()), gradient.numpy().astype(np.float64).ravel()

    result = minimize(objective, z0.ravel(), jac=True, method="L-BFGS-B",
                      options={"maxiter": max_iterations})
    with mg.no_grad():
        per_image, _, image = errors_and_gradient(result.x)
    return per_image.numpy().astype(np.float64), image.numpy()


def _rows(images, name):
    """``images`` (n, ...) as float64 rows (n, D)."""
    images = np.asarray(images)
    if images.ndim < 2 or len(images) == 0:
        raise ValueError(f"{name} must be a non-empty batch of images (n, ...), got shape "
                         f"{images.shape}")
    return images.reshape(len(images), -1).astype(np.float64)


def mean_image_errors(targets, mean_image):
    """mean_error(x) of the module docstring, ||m - x||^2 / D for every target: float64 (n,)."""
    x = _rows(targets, "mean_image_errors: targets")
    m = np.asarray(mean_image, dtype=np.float64).ravel()
    if m.size != x.shape[1]:
        raise ValueError(f"mean_image_errors: the mean image has {m.size} values, the targets "
                         f"{x.shape[1]}")
    return ((x - m) ** 2).mean(axis=1)


def nearest_neighbour_errors(targets, pool, own_index=None, chunk_size=NEIGHBOUR_CHUNK):
    """neighbour_error(x) of the module docstring for every target: float64 (n,), the smallest
    ||y_j - x||^2 / D over the images y_j of ``pool`` (P, ...), leaving out pool[own_index[i]]
    for target i (its own copy, where the targets are drawn from the pool; an index outside
    0..P-1, e.g. -1, leaves nothing out). Distances come from ||y||^2 + ||x||^2 - 2 x.y, in
    float64, ``chunk_size`` targets against ``chunk_size`` pool images at a time."""
    pool = np.asarray(pool)
    if pool.ndim < 2 or len(pool) == 0 or np.asarray(targets).ndim < 2:
        raise ValueError(f"nearest_neighbour_errors: targets and pool must be non-empty batches "
                         f"of images, got shapes {np.shape(targets)} and {pool.shape}")
    if chunk_size < 1:
        raise ValueError(f"nearest_neighbour_errors: chunk_size must be at least 1, got "
                         f"{chunk_size}")
    targets = np.asarray(targets)
    n, pixels = len(targets), pool[0].size
    if targets[0].size != pixels:
        raise ValueError(f"nearest_neighbour_errors: targets have {targets[0].size} values, the "
                         f"pool's images {pixels}")
    own = np.full(n, -1) if own_index is None else np.asarray(own_index, dtype=np.int64)
    if own.shape != (n,):
        raise ValueError(f"nearest_neighbour_errors: own_index must have one entry per target "
                         f"({n}), got shape {own.shape}")
    best = np.full(n, np.inf)
    for first in range(0, n, chunk_size):
        x = _rows(targets[first:first + chunk_size], "targets")
        x_sq = (x ** 2).sum(axis=1)
        for start in range(0, len(pool), chunk_size):
            y = _rows(pool[start:start + chunk_size], "pool")
            squared = np.maximum(x_sq[:, None] + (y ** 2).sum(axis=1)[None] - 2.0 * x @ y.T, 0.0)
            mine = own[first:first + chunk_size, None] == np.arange(start, start + len(y))[None]
            squared[mine] = np.inf
            best[first:first + len(x)] = np.minimum(best[first:first + len(x)],
                                                    squared.min(axis=1))
    if np.isinf(best).any():
        raise ValueError("nearest_neighbour_errors: the pool holds no image besides the "
                         "target's own")
    return best / pixels


def _error_table(errors, caller):
    """(names, [float64 (runs_c, n) per configuration]) of ``errors`` {configuration: (n,) or
    (runs, n)}, checked to cover the same n > 0 images."""
    names = list(errors)
    table = [np.atleast_2d(np.asarray(errors[name], dtype=np.float64)) for name in names]
    shapes = {name: np.shape(errors[name]) for name in names}
    if (not names or any(t.ndim != 2 or len(t) == 0 for t in table)
            or len({t.shape[1] for t in table}) != 1 or table[0].shape[1] == 0):
        raise ValueError(f"{caller}: expected errors (n,) or (runs, n) with n > 0, the same n for "
                         f"every configuration; got {shapes}")
    return names, table


def image_best_shares(errors):
    """share_c(i) of the module docstring: (names, float64 (configurations, n)), each column
    summing to 1. ``errors``: {configuration: float64 (n,) or (runs, n)}, the same images for
    all, any number of runs each."""
    names, table = _error_table(errors, "best_rank_shares")
    shares = np.zeros((len(table), table[0].shape[1]))
    for c, runs in enumerate(table):
        for v in runs:
            poly = np.ones((1, len(v)))          # coefficients of x^0, x^1, ... per image
            for other in table[:c] + table[c + 1:]:
                above, tied = (other > v).mean(axis=0), (other == v).mean(axis=0)
                poly = (np.concatenate([poly * above, np.zeros((1, len(v)))])
                        + np.concatenate([np.zeros((1, len(v))), poly * tied]))
            shares[c] += (poly / np.arange(1, len(poly) + 1)[:, None]).sum(axis=0)
        shares[c] /= len(runs)
    return names, shares


def best_rank_shares(errors):
    """share(c) of the module docstring over all pairings of runs: {configuration: share}.
    ``errors``: {configuration: float64 (n,) or (runs, n)}, the same images for all."""
    names, shares = image_best_shares(errors)
    return dict(zip(names, shares.mean(axis=1).tolist()))


def best_rank_intervals(errors, resamples=BOOTSTRAP_RESAMPLES, seed=0, level=0.95):
    """The bootstrap interval over images of share(c) (module docstring): {configuration:
    (low, high)}, the (1 - level) / 2 and (1 + level) / 2 quantiles of the share over
    ``resamples`` resamplings of the images drawn from ``np.random.default_rng(seed)``."""
    if resamples < 1 or not 0 < level < 1:
        raise ValueError(f"best_rank_intervals: resamples must be at least 1 and level in "
                         f"(0, 1), got {resamples} and {level}")
    names, shares = image_best_shares(errors)
    n, rng = shares.shape[1], np.random.default_rng(seed)
    draws = np.concatenate([shares[:, rng.integers(0, n, size=(block, n))].mean(axis=2)
                            for block in np.diff(np.r_[0:resamples:100, resamples])], axis=1)
    low, high = np.quantile(draws, [(1 - level) / 2, (1 + level) / 2], axis=1)
    return {name: (float(lo), float(hi)) for name, lo, hi in zip(names, low, high)}


def most_different_images(first, last, count=10):
    """Figure 4's choice: the indices of the ``count`` images with the largest
    |l_first - l_last| / (1/2 (l_first + l_last)), largest first, for per-image errors
    ``first`` and ``last`` (n,) of two configurations (an image both reconstruct exactly, 0/0,
    counts as 0)."""
    first, last = np.asarray(first, dtype=np.float64), np.asarray(last, dtype=np.float64)
    if first.shape != last.shape or first.ndim != 1 or count < 1:
        raise ValueError(f"most_different_images: expected two error arrays (n,) of one shape and "
                         f"count >= 1, got {first.shape}, {last.shape} and {count}")
    middle = (first + last) / 2
    score = np.divide(np.abs(first - last), middle, out=np.zeros_like(middle), where=middle > 0)
    return np.argsort(-score, kind="stable")[:count]
