"""Discrete mode collapse on stacked digits (paper Sec. 3.3.1).

Each real sample stacks three independently drawn digit images as its three channels, so the
data has 10^3 = 1000 equally likely modes, mode = 100*l0 + 10*l1 + l2 with l_c the class in
channel c. A calibrated classifier trained on the single-channel real images
(``ugan.metrics.classifier``) labels each channel of a generated image, and
``ugan.metrics.modes`` counts the modes hit (``modes_covered``, what the paper's table reports),
KL(p_generated || uniform over 1000) (``kl_to_uniform``, the paper's; 0 for a uniform spread,
log 1000 = 6.91 for a single mode) and KL to the distribution of modes the classifier gives
real data (``kl_to_real``: the product of its class shares on real single images, since the
channels are drawn independently). A sample *passes* when the classifier's calibrated
confidence in each of its three labels reaches its threshold (chosen so that 92% of held-out
real images pass); ``confident_modes`` counts the modes that passing samples hold, and
``pass_share`` is their share. An untrained generator's noise hits hundreds of modes in the raw
count but almost none in the confident one; a study tables both beside real data.

The paper's point is that a discriminator much smaller than the generator (1/4 and 1/2 of its
size) lets a standard GAN (K=0) collapse onto few modes, and that unrolling (K=10) recovers many
more. Here "size" is the discriminator's channel width ``d_width`` against the generator's
``g_width``.

Evaluation draws 25,600 samples, as PacGAN and VEEGAN do: a perfect generator then misses a
given mode with probability (1 - 1/1000)^25600 = e^-25.6, and its finite-sample KL to uniform is
about (1000 - 1) / (2 * 25600) = 0.02. Scoring real stacked samples gives these values
(tests/ugan/experiments/test_stacked.py).

The ``paper`` preset is the ICLR version's Table 2 model (Appendix E, ``ugan.models.paper.
stacked_pair``): the DCGAN generator at 1/8 of its widths against a discriminator ``d_size``
(1/4, or 1/2 with ``--d-size 0.5``) of the generator's size, batch norm in both. What differs
from the paper: Fashion-MNIST (28x28) stands in for MNIST, so the 1,000 modes are triples of
garment classes, labelled by the Fashion-MNIST classifier (its test accuracy and
calibration are in metrics.json); the appendix's training details are not legible in the copy here,
so we take those of its CIFAR10/MNIST appendix (Adam, learning rates 1e-4 for G and 2e-4 for D,
beta1 0.5, the non-saturating generator loss, as ``ugan.experiments.conv`` reads them), 50,000
iterations and batch 64 (DCGAN's). These networks are small enough for a CPU: the ``fashion``
preset keeps them at the paper's size and trains fewer iterations (docs/reproduction.md says
how it was sized).
"""

from dataclasses import dataclass

import numpy as np

from ugan.data import stack_digits, stacked_mode
from ugan.experiments.images import PAPER_TRAINING, ConvImageConfig, ImageExperiment
from ugan.metrics.modes import mode_metrics
from ugan.models.paper import stacked_pair
from ugan.options import option

CHANNELS = 3
N_MODES = 10 ** CHANNELS


@dataclass(frozen=True)
class StackedConfig(ConvImageConfig):
    eval_samples: int = 25600  # PacGAN's and VEEGAN's protocol
    d_size: float = option(0.25, "the paper networks: the discriminator's size over the "
                                 "generator's (the paper's 0.25 and 0.5)", above=0)


class StackedExperiment(ImageExperiment):
    name = "stacked"
    config_class = StackedConfig
    # The paper's smaller discriminator, 1/4 of the generator's width.
    presets = {
        "demo": StackedConfig(steps=2000, g_width=32, d_width=8),
        "paper": StackedConfig(**PAPER_TRAINING),
        # sized by benchmarks/preset_sizing.py (docs/reproduction.md)
        "fashion": StackedConfig(networks="paper", dataset="fashion-mnist", steps=6000,
                                 eval_every=500, checkpoint_every=500, batch_size=64,
                                 noise_dim=64, g_lr=1e-3, d_lr=1e-3,
                                 generator_loss="nonsaturating"),
    }
    curves = ("confident_modes", "modes_covered", "kl_to_real", "pass_share")
    study_columns = (("modes_covered", "modes (any sample)"),
                     ("confident_modes", "modes (confident)"), ("pass_share", "pass share"),
                     ("kl_to_uniform", "KL to uniform"), ("kl_to_real", "KL to real"),
                     ("diversity", "diversity"))
    collapse_metric = ("confident_modes", "fewest confident modes during training")

    def __init__(self, config):
        super().__init__(config)
        self.require_single_channel("to stack")
        self.classifier = self.trained_classifier()

    @property
    def image_shape(self):
        return (CHANNELS, *self.images.shape[2:])

    def paper_models(self):
        c = self.config
        return stacked_pair(c.d_size, c.width, self.image_shape, c.noise_dim, c.dtype)

    def sample_real(self, rng, n):
        stacked, _ = stack_digits(self.images, self.labels, n, rng)
        return stacked.astype(self.config.dtype)

    def features(self, images):
        labels, confidence = channel_labels(self.classifier, images)
        return {"mode": stacked_mode(labels), "passed": confidence.min(axis=1)
                >= self.classifier.threshold}

    def metrics(self, features, kept):
        q = self.real_class_distribution()
        real_modes = np.einsum("i,j,k->ijk", q, q, q).ravel()  # mode 100 l0 + 10 l1 + l2
        return mode_metrics(features["mode"], N_MODES, features["passed"], real_modes)


def channel_labels(classifier, samples):
    """(class, calibrated confidence), each int64/float64 (N, 3), of each channel of stacked
    images (N, 3, H, W) as the classifier labels it."""
    samples = np.asarray(samples)
    if samples.ndim != 4 or samples.shape[1] != CHANNELS:
        raise ValueError(f"stacked: expected stacked images (N, {CHANNELS}, H, W), got "
                         f"shape {samples.shape}")
    n, _, height, width = samples.shape
    classes, confidence = classifier.predict(samples.reshape(n * CHANNELS, 1, height, width))
    return classes.reshape(n, CHANNELS), confidence.reshape(n, CHANNELS)
