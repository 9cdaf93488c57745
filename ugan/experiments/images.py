"""What the image experiments share (paper Sec. 3.2-3.4): the datasets, the options common to
all of them, sampling, evaluation snapshots and the figures of a finished run.

A concrete experiment subclasses ``ImageExperiment`` (an ``ugan.experiments.base.Experiment``)
and supplies, where it differs from the defaults, ``build_models`` (by default the DCGAN-style
pair of ``ugan.models.conv``, whose generator's width is ``ConvImageConfig.g_width``),
``transform_real`` (stacking or colouring digits) and ``metrics`` (what a batch of generated
images is scored with, a dict).

Datasets (``--dataset``): ``digits`` is scikit-learn's 1,797 8x8 digits, bundled and offline, a
small stand-in for MNIST that a CPU trains on in minutes; ``mnist`` and ``fashion-mnist`` read
IDX files from ``--data-dir`` (Fashion-MNIST also from Debian's ``dataset-fashion-mnist``);
``cifar10`` reads the CIFAR-10 python batches from ``--data-dir``.
"""

from dataclasses import dataclass

import numpy as np

from ugan import plots
from ugan.data import fashion_mnist_dir, load_cifar10, load_digits_images, load_mnist
from ugan.experiments.base import Experiment, TrainingConfig, save_snapshot
from ugan.metrics.distances import mean_pairwise_distance
from ugan.models.conv import ConvDiscriminator, ConvGenerator

IMAGE_DATASETS = ("digits", "mnist", "fashion-mnist", "cifar10")
SNAPSHOT_IMAGES = 36  # images kept from every evaluation for the figures
DIVERSITY_SAMPLES = 2000  # pairs enough for a mean distance to 3 digits, and about 0.1 s


@dataclass(frozen=True)
class ImageConfig(TrainingConfig):
    """The options of every image experiment, with defaults scaled to a CPU."""

    steps: int = 3000
    batch_size: int = 64
    noise_dim: int = 64
    g_lr: float = 1e-3
    d_lr: float = 1e-3
    eval_every: int = 250
    eval_samples: int = 1000
    checkpoint_every: int = 500
    dataset: str = "digits"
    data_dir: str | None = None
    d_width: int = 16  # the convolutional discriminator's width (channels)


@dataclass(frozen=True)
class ConvImageConfig(ImageConfig):
    """The options of an image experiment whose generator is convolutional."""

    g_width: int = 32  # the convolutional generator's width (channels)


def load_images(dataset, data_dir=None):
    """(images float32 (N, C, H, W) in [-1, 1], labels int64 (N,)) of a named dataset."""
    if dataset == "digits":
        return load_digits_images(scale="tanh")
    if dataset in ("mnist", "fashion-mnist"):
        directory = data_dir or (fashion_mnist_dir() if dataset == "fashion-mnist" else None)
        if directory is None:
            raise ValueError(f"dataset {dataset!r} needs --data-dir, the folder of its IDX files")
        images, labels = load_mnist(directory, "train")
        images = images[:, None]
    elif dataset == "cifar10":
        if data_dir is None:
            raise ValueError("dataset 'cifar10' needs --data-dir, the folder of its python batches")
        images, labels = load_cifar10(data_dir, "train")
    else:
        raise ValueError(f"dataset must be one of {IMAGE_DATASETS}, got {dataset!r}")
    return (images.astype(np.float32) / 127.5 - 1.0), labels.astype(np.int64)


class ImageExperiment(Experiment):
    """Training data, noise and evaluation for a GAN on images; see the module docstring."""

    name = "images"
    config_class = ConvImageConfig
    curves = ("diversity",)
    figure_name = "samples.png"

    def __init__(self, config):
        super().__init__(config)
        images, self.labels = load_images(config.dataset, config.data_dir)
        self.images = images.astype(config.dtype)
        self._reference_distance = None

    @property
    def image_shape(self):
        """(C, H, W) of the images the generator makes."""
        return tuple(self.transform_real(self.images[:1], np.random.default_rng(0)).shape[1:])

    def require_single_channel(self, purpose):
        """Refuse a dataset whose images are not grey (CIFAR-10) for an experiment that needs
        grey digits, e.g. to stack or tint them."""
        if self.images.shape[1] != 1:
            raise ValueError(f"{self.name}: needs single-channel digit images {purpose}, got "
                             f"{self.config.dataset!r} with {self.images.shape[1]} channels")

    def build_models(self):
        c = self.config
        return (ConvGenerator(c.noise_dim, self.image_shape, c.g_width, c.dtype),
                ConvDiscriminator(self.image_shape, c.d_width, c.dtype))

    def transform_real(self, images, rng):
        """Real training images from dataset images (identity here; stacking, colouring...)."""
        return images

    def sample_real(self, rng, n):
        picks = rng.integers(0, len(self.images), size=n)
        return self.transform_real(self.images[picks], rng).astype(self.config.dtype)

    def reference_images(self, n, seed=0):
        """n real images drawn once, the data side of every comparison."""
        return self.sample_real(np.random.default_rng([seed, 1]), n)

    def evaluate(self, generator, step, out_dir):
        samples = self.generate(generator, step, self.config.eval_samples)
        save_snapshot(out_dir, step, samples[:SNAPSHOT_IMAGES])
        return {**self.metrics(samples), "diversity": self.diversity(samples)}

    def diversity(self, samples):
        """Mean pairwise distance between (up to DIVERSITY_SAMPLES) samples over the same between
        as many real images: about 1 for a generator as varied as the data, near 0 for a
        collapsed one."""
        samples = samples[:DIVERSITY_SAMPLES]
        if self._reference_distance is None or self._reference_distance[0] != len(samples):
            reference = self.reference_images(len(samples))
            self._reference_distance = (len(samples), mean_pairwise_distance(reference))
        return mean_pairwise_distance(samples) / self._reference_distance[1]

    def metrics(self, samples):
        """The experiment's own metrics of a batch of generated images (a dict)."""
        return {}

    def figure_through_time(self, rows, path):
        """Generated images through training (the paper's Figures 3 and 4), a row per run."""
        return plots.image_snapshots(rows, path)
