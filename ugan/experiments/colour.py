"""Manifold collapse on colour digits (paper Sec. 3.3.2, Table 3).

Each real sample is one digit painted with its own colour c drawn from a Gaussian, with a little
pixel noise (``ugan.data.gaussian_colour_digits``, as the ICLR version's Appendix F makes them),
so besides the ten digits the generator has to cover a continuous, three-dimensional manifold of
colours. The paper measures how much of it a GAN keeps by the Jensen-Shannon divergence between
the colour distribution of the data and that of the samples, and so do we
(``ugan.metrics.colour_kde``): each image's colour is recovered by two-cluster k-means of its
pixels, each set of colours becomes a Gaussian kernel density estimate (one bandwidth, Scott's
rule on the data's colours) and ``colour_js`` is their JS divergence in bits (0 for the same
distribution, 1 for disjoint ones; lower is better). The data's colours come from
``eval_samples`` real images (``reference_images``, drawn with ``default_rng([0, 1])``) that go
through the same recovery, in slices of at most ``COLOUR_CHUNK`` images.

Beside it: ``chroma_js``, the same estimator on the colours' chromaticities (r, g) / (r + g + b),
which is blind to brightness (the paper's metric counts colours right in hue but dimmer as far
off), and the Monte Carlo standard errors ``colour_js_se`` and ``chroma_js_se`` of the two
estimates (``ugan.metrics.colour_kde`` gives the formulas). A study's real-data row
(``real_data_metrics``) scores real images drawn with ``default_rng([seed, 2])``, independent of
the reference ones: the floor that finite samples leave.

The paper's finding is about model size and K together (larger models do better; 1 unrolling
step may hurt, 5 help), so the model size is an option: with the paper's networks
(``networks="paper"``), ``width`` is the appendix's size parameter X (``ugan.models.paper.
colour_pair``; X = 1 is the CIFAR10 DCGAN pair).

The ``paper`` preset is that pair at X = 1; what differs from the paper: Fashion-MNIST (28x28)
stands in for MNIST; the appendix's values of the colour Gaussian and of its training details
are not legible in the copy here, so the colours are ``ugan.data.colour_digits``'s and the
training follows its CIFAR10/MNIST appendix (Adam, 1e-4 for G and 2e-4 for D, beta1 0.5, the
non-saturating generator loss), 50,000 iterations, batch 64 (DCGAN's). The ``fashion`` preset
trains smaller X for fewer iterations, sized for a CPU (docs/reproduction.md says how).
"""

from dataclasses import dataclass

import numpy as np

from ugan.data import gaussian_colour_digits
from ugan.experiments.images import PAPER_TRAINING, ConvImageConfig, ImageExperiment
from ugan.metrics.colour_kde import (chroma_js_with_error, chromaticities, cluster_colours,
                                     kde_js_with_error, scott_bandwidth)
from ugan.models.paper import colour_pair

COLOUR_CHUNK = 500  # reference images clustered at once: k-means holds (N, pixels, 3) floats


@dataclass(frozen=True)
class ColourConfig(ConvImageConfig):
    eval_samples: int = 10000


class ColourExperiment(ImageExperiment):
    name = "colour"
    config_class = ColourConfig
    # A discriminator 1/4 of the generator's width, as in stacked.py.
    presets = {
        "demo": ColourConfig(steps=2000, g_width=32, d_width=8),
        "paper": ColourConfig(**PAPER_TRAINING),
        # sized by benchmarks/preset_sizing.py (docs/reproduction.md)
        "fashion": ColourConfig(networks="paper", dataset="fashion-mnist", width=0.125,
                                steps=3000, batch_size=64, noise_dim=64, g_lr=1e-3, d_lr=1e-3,
                                generator_loss="nonsaturating", eval_samples=5000),
    }
    curves = ("colour_js", "chroma_js", "diversity")
    study_columns = (("colour_js", "colour JS (bits)"), ("chroma_js", "chroma JS (bits)"),
                     ("diversity", "diversity"))

    def __init__(self, config):
        super().__init__(config)
        self.require_single_channel("to paint")
        reference = self.reference_images(config.eval_samples)
        # k-means is per image, so slices give the colours one call gives, bit for bit
        self.data_colours = np.concatenate([cluster_colours(reference[start:start + COLOUR_CHUNK])
                                            for start in range(0, len(reference), COLOUR_CHUNK)])
        self.bandwidth = scott_bandwidth(self.data_colours)
        self.chroma_bandwidth = scott_bandwidth(chromaticities(self.data_colours))

    def paper_models(self):
        c = self.config
        return colour_pair(c.width, 1.0, self.image_shape, c.noise_dim, c.dtype)

    def transform_real(self, images, rng):
        """Digits in [-1, 1] painted in Gaussian colours (from [0, 1], where
        gaussian_colour_digits works)."""
        coloured, _ = gaussian_colour_digits((images + 1) / 2, rng)
        return coloured

    def features(self, images):
        """Each image's recovered colour (``cluster_colours``)."""
        return {"colour": cluster_colours(images)}

    def metrics(self, features, kept):
        """The paper's colour JS and the chromaticity JS against the data's colours, in bits,
        with their Monte Carlo standard errors."""
        colour_js, colour_se = kde_js_with_error(self.data_colours, features["colour"],
                                                 self.bandwidth)
        chroma_js, chroma_se = chroma_js_with_error(self.data_colours, features["colour"],
                                                    self.chroma_bandwidth)
        return {"colour_js": colour_js, "colour_js_se": colour_se, "chroma_js": chroma_js,
                "chroma_js_se": chroma_se}
