"""Two-dimensional Gaussian mixtures, the toy targets of GANs. Both are equal-weight isotropic
mixtures

    p(x) = (1/K) sum_k N(x; mu_k, std^2 I),

so a perfect generator puts mass 1/K on every mode. The ring of 8 modes is the toy problem of
Metz et al. (2017, Fig. 1); the 5x5 grid is the harder one of VEEGAN (Srivastava et al. 2017)
and PacGAN (Lin et al. 2018)."""

from dataclasses import dataclass

import numpy as np


# eq=False: the generated __eq__ would compare arrays with ==, whose truth value is ambiguous;
# identity is equality enough for a value object like this.
@dataclass(frozen=True, eq=False)
class GaussianMixture:
    """An equal-weight mixture of isotropic Gaussians in the plane: ``centers``, the modes'
    means mu_k (float64 (n_modes, 2), read-only), and ``std``, every component's standard
    deviation on both axes."""

    centers: np.ndarray
    std: float

    def __post_init__(self):
        centers = np.array(self.centers, dtype=np.float64)
        if centers.ndim != 2 or centers.shape[1] != 2 or centers.shape[0] == 0:
            raise ValueError(f"GaussianMixture: centers must have shape (n_modes, 2) with "
                             f"n_modes >= 1, got {centers.shape}")
        if not self.std > 0:
            raise ValueError(f"GaussianMixture: std must be positive, got {self.std!r}")
        # read-only, so that the frozen dataclass really is immutable
        centers.flags.writeable = False
        object.__setattr__(self, "centers", centers)
        object.__setattr__(self, "std", float(self.std))

    @property
    def n_modes(self):
        return self.centers.shape[0]

    def sample(self, n, rng, dtype=np.float32):
        """n points (n, 2) of ``dtype``, drawn from the numpy Generator ``rng``: a mode
        k ~ Uniform{0..K-1}, then x = mu_k + std eps, eps ~ N(0, I)."""
        if not isinstance(n, (int, np.integer)) or n < 0:
            raise ValueError(f"GaussianMixture.sample: n must be a non-negative integer, got "
                             f"{n!r}")
        modes = rng.integers(0, self.n_modes, size=n)
        noise = rng.normal(0.0, self.std, size=(n, 2))
        return (self.centers[modes] + noise).astype(dtype)


def ring_of_gaussians(n_modes=8, radius=2.0, std=0.02):
    """Modes evenly spaced on a circle: mu_k = radius (cos t_k, sin t_k), t_k = 2 pi k / n_modes."""
    if n_modes < 1:
        raise ValueError(f"ring_of_gaussians: n_modes must be at least 1, got {n_modes}")
    angles = 2.0 * np.pi * np.arange(n_modes) / n_modes
    centers = radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    return GaussianMixture(centers=centers, std=std)


def grid_of_gaussians(side=5, spacing=2.0, std=0.02):
    """A side x side lattice of modes centred on the origin, at (i - (side - 1) / 2) spacing,
    i = 0..side-1, on each axis: -4, -2, 0, 2, 4 by default (25 modes, as in VEEGAN and
    PacGAN). The modes are in row-major order: x varies slowest."""
    if side < 1:
        raise ValueError(f"grid_of_gaussians: side must be at least 1, got {side}")
    axis = (np.arange(side) - (side - 1) / 2.0) * spacing
    xs, ys = np.meshgrid(axis, axis, indexing="ij")
    centers = np.stack([xs.ravel(), ys.ravel()], axis=1)
    return GaussianMixture(centers=centers, std=std)
