"""Table 1 as the paper computes it (Sec. 3.3.1, Eq. 13-14): each training image's best
reconstruction by each model, found with L-BFGS from 3 random starts, and the share of images
that each configuration reconstructs best.

For targets x_1..x_n (D pixels each) and a generator G, from each start z^(s) ~ N(0, I),

    z*^(s) = argmin_z  sum_i ||G(z_i) - x_i||^2 / D          (L-BFGS-B, scipy, on minigrad's
                                                               gradient of this sum)
    error(x_i) = min_s ||G(z*^(s)_i) - x_i||^2 / D            (the best of the starts)

A chunk of ``batch_size`` targets is searched as one problem of batch_size * noise_dim
variables. The sum is separable (image i's term depends on z_i alone, since G runs in eval
mode: see ``ugan.metrics.inference.reconstruction_errors`` on batch norm), so its gradient
vanishes exactly when every image's does; the best start is then picked per image. The search
is local, so error(x) bounds min_z from above, the same way for every model.

**Best-rank shares.** Given the errors of several configurations on the same images,

    share(c) = 1/n sum_i [c attains min_c' error_c'(x_i)] / #{c' attaining it}

the share of images configuration c reconstructs best, an exact tie splitting the image equally
among the tied configurations, so that the shares sum to 1. With several runs per configuration
(the paper's 5 seeds) run r of each configuration is compared with run r of the others and the
shares are averaged over r.
"""

import numpy as np
from scipy.optimize import minimize

import minigrad as mg

STARTS = 3
MAX_ITERATIONS = 200


def lbfgs_reconstruction_errors(generator, targets, noise_dim, starts=STARTS,
                                max_iterations=MAX_ITERATIONS, batch_size=64, seed=0):
    """error(x) of the module docstring for every target: float64 (n,). ``targets`` (n, ...) in
    the generator's output shape; the starts come from ``np.random.default_rng(seed)``."""
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
        chunks = []
        for first in range(0, len(targets), batch_size):
            x = targets[first:first + batch_size]
            tried = [_search(generator, x, rng.standard_normal((len(x), noise_dim)),
                             max_iterations) for _ in range(starts)]
            chunks.append(np.min(tried, axis=0))
    finally:
        generator.train(was_training)
    return np.concatenate(chunks)


def _search(generator, x, z0, max_iterations):
    """Per-image errors after L-BFGS-B from z0 on the chunk x, computed on the generator's
    device."""
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
        return per_image, z

    def objective(z_flat):
        per_image, z = errors_and_gradient(z_flat)
        total = per_image.sum()
        (gradient,) = mg.grad(total, [z])
        return float(total.item()), gradient.numpy().astype(np.float64).ravel()

    result = minimize(objective, z0.ravel(), jac=True, method="L-BFGS-B",
                      options={"maxiter": max_iterations})
    with mg.no_grad():
        per_image, _ = errors_and_gradient(result.x)
    return per_image.numpy().astype(np.float64)


def best_rank_shares(errors):
    """share(c) of the module docstring for ``errors``: {configuration: float64 (n,) or
    (runs, n)}, the same images (and number of runs) for all. Returns {configuration: share}."""
    names = list(errors)
    table = [np.asarray(errors[name], dtype=np.float64) for name in names]
    shapes = {t.shape for t in table}
    if not names or len(shapes) != 1 or table[0].ndim not in (1, 2) or table[0].shape[-1] == 0:
        raise ValueError(f"best_rank_shares: expected errors of one shape, (n,) or (runs, n) "
                         f"with n > 0, for every configuration; got "
                         f"{ {name: t.shape for name, t in zip(names, table)} }")
    stacked = np.stack([np.atleast_2d(t) for t in table])          # (configurations, runs, n)
    best = stacked == stacked.min(axis=0)
    shares = (best / best.sum(axis=0)).mean(axis=(1, 2))
    return dict(zip(names, shares.tolist()))
