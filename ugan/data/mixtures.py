"""Two-dimensional Gaussian mixtures used as toy GAN targets.

Both targets are equal-weight isotropic mixtures

    p(x) = (1/K) * sum_k N(x; mu_k, std^2 I),

so a perfect generator puts mass 1/K on every mode.  The ring of 8 modes is
the toy problem of Metz et al. (2017, Fig. 1); the 5x5 grid is the harder
variant used by VEEGAN (Srivastava et al. 2017) and PacGAN (Lin et al. 2018).
"""

from dataclasses import dataclass

import numpy as np


# eq=False: the generated __eq__ would compare arrays with ==, whose truth
# value is ambiguous; identity equality is enough for a value object like this.
@dataclass(frozen=True, eq=False)
class GaussianMixture:
    """Equal-weight mixture of isotropic Gaussians in the plane.

    Attributes:
        centers: (n_modes, 2) float64 array of mode means mu_k (read-only).
        std: standard deviation of every component, the same on both axes.
    """

    centers: np.ndarray
    std: float

    def __post_init__(self):
        centers = np.array(self.centers, dtype=np.float64)
        if centers.ndim != 2 or centers.shape[1] != 2 or centers.shape[0] == 0:
            raise ValueError(
                f"centers must have shape (n_modes, 2) with n_modes >= 1, got {centers.shape}"
            )
        if not self.std > 0:
            raise ValueError(f"std must be positive, got {self.std!r}")
        # Read-only so the frozen dataclass really is immutable.
        centers.flags.writeable = False
        object.__setattr__(self, "centers", centers)
        object.__setattr__(self, "std", float(self.std))

    @property
    def n_modes(self) -> int:
        return self.centers.shape[0]

    def sample(self, n: int, rng: np.random.Generator, dtype=np.float32) -> np.ndarray:
        """Draw n points: a mode k ~ Uniform{0..K-1}, then x = mu_k + std * eps, eps ~ N(0, I).

        Returns an (n, 2) array of the requested dtype.
        """
        if not isinstance(n, (int, np.integer)) or n < 0:
            raise ValueError(f"n must be a non-negative integer, got {n!r}")
        modes = rng.integers(0, self.n_modes, size=n)
        noise = rng.normal(0.0, self.std, size=(n, 2))
        return (self.centers[modes] + noise).astype(dtype)


def ring_of_gaussians(n_modes: int = 8, radius: float = 2.0, std: float = 0.02) -> GaussianMixture:
    """Modes evenly spaced on a circle: mu_k = radius * (cos t_k, sin t_k), t_k = 2*pi*k/n_modes."""
    if n_modes < 1:
        raise ValueError(f"n_modes must be at least 1, got {n_modes}")
    angles = 2.0 * np.pi * np.arange(n_modes) / n_modes
    centers = radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    return GaussianMixture(centers=centers, std=std)


def grid_of_gaussians(side: int = 5, spacing: float = 2.0, std: float = 0.02) -> GaussianMixture:
    """A side x side lattice of modes centred at the origin.

    Coordinates on each axis are (i - (side - 1) / 2) * spacing, i = 0..side-1;
    with the defaults that is -4, -2, 0, 2, 4 (25 modes), as in VEEGAN/PacGAN.
    Modes are ordered row-major: x varies slowest.
    """
    if side < 1:
        raise ValueError(f"side must be at least 1, got {side}")
    axis = (np.arange(side) - (side - 1) / 2.0) * spacing
    xs, ys = np.meshgrid(axis, axis, indexing="ij")
    centers = np.stack([xs.ravel(), ys.ravel()], axis=1)
    return GaussianMixture(centers=centers, std=std)
