"""Inference via optimization (paper Sec. 3.4.1, Eq. 13-14): how well can a generator reproduce
given real images?

For each target image x (D pixels), search the noise space by gradient descent,

    z* = argmin_z ||G(z) - x||^2                         (Eq. 13)

with Adam from a fixed random start z_0 ~ N(0, I) for a fixed number of steps, and report

    error(x) = ||G(z*) - x||^2 / D                       (Eq. 14, divided by D)

A generator that has dropped part of the data cannot come close to the images there, so a lower
error means better coverage (the paper's Table 1 compares runs on the same targets with
``ugan.metrics.reconstruction``, which searches by L-BFGS from three starts). The search is
local and z is free to leave the prior's typical set, so error(x) is an upper bound on
min_z ||G(z) - x||^2 / D over all of noise space, found the same way for every run.
"""

import numpy as np

import minigrad as mg


def reconstruction_errors(generator, targets, noise_dim, steps=200, lr=0.05, seed=0,
                          batch_size=256):
    """error(x) of Eq. 14 for every target: float64 (n,), one value per image.

    targets: (n, ...) images of the generator's output shape. z_0 comes from
    ``np.random.default_rng(seed)`` (one draw of (n, noise_dim), row i for image i); the
    targets are searched for ``batch_size`` at a time, one z per image, each chunk with its own
    Adam.

    Batch norm: in training mode the generator normalises with the statistics of the batch it
    is given, so G(z_i) would depend on the other z_j searched in the same batch, and so would
    the errors. The search runs in ``generator.eval()`` mode instead, where batch norm uses its
    running statistics (averages over recent training batches, or those an evaluation
    re-estimated) and G acts on each z alone. The loss sum_i ||G(z_i) - x_i||^2 then has
    gradient in z_i from image i only, and Adam's update is per coordinate, so each image's
    search is independent of the others, and searching in chunks gives the errors of one
    search of all the targets. The generator's mode is restored afterwards; its parameters and
    running statistics are not changed.
    """
    targets = np.asarray(targets)
    if targets.ndim < 2 or len(targets) == 0:
        raise ValueError(f"reconstruction_errors: targets must be a non-empty batch of images "
                         f"(n, ...), got shape {targets.shape}")
    if steps < 1 or batch_size < 1:
        raise ValueError(f"reconstruction_errors: steps and batch_size must be at least 1, got "
                         f"{steps} and {batch_size}")
    start = np.random.default_rng(seed).standard_normal((len(targets), noise_dim))
    was_training = generator.training
    generator.eval()
    try:
        errors = [_search(generator, targets[first:first + batch_size],
                          start[first:first + batch_size], steps, lr)
                  for first in range(0, len(targets), batch_size)]
    finally:
        generator.train(was_training)
    return np.concatenate(errors)


def _search(generator, targets, start, steps, lr):
    """Per-image errors after ``steps`` Adam steps from ``start`` on the chunk ``targets``."""
    device = next(generator.parameters()).device
    x = mg.as_tensor(targets, device=device)
    z = mg.tensor(start.astype(targets.dtype), requires_grad=True, device=device)
    optimizer = mg.optim.Adam([z], lr=lr)
    for _ in range(steps):
        image = generator(z)
        if image.shape != x.shape:
            raise ValueError(f"reconstruction_errors: generator makes images of shape "
                             f"{image.shape[1:]} from noise (n, {start.shape[1]}), but targets "
                             f"have shape {targets.shape[1:]}")
        (z.grad,) = mg.grad(((image - x) ** 2).sum(), [z])
        optimizer.step()
    with mg.no_grad():
        difference = (generator(z) - x).numpy().astype(np.float64)
    return (difference ** 2).reshape(len(targets), -1).mean(axis=1)
