"""What the image experiments share (paper Sec. 3.2-3.4): the datasets, the options common to
all of them, sampling, evaluation snapshots and the figures of a finished run.

A concrete experiment subclasses ``ImageExperiment`` (an ``ugan.experiments.base.Experiment``)
and supplies, where it differs from the defaults, ``small_models`` (by default the DCGAN-style
pair of ``ugan.models.conv``, whose generator's width is ``ConvImageConfig.g_width``),
``paper_models`` (the paper's networks of ``ugan.models.paper`` at width multiplier
``ImageConfig.width``; by default the CIFAR10/MNIST DCGAN pair), ``transform_real`` (stacking or
colouring digits), ``metrics`` (what a batch of generated images is scored with, a dict) and,
where a classifier labels the samples, ``collapse_metric`` (the count of classes or modes whose
lowest value during training a study tables).
``ImageConfig.networks`` picks the pair: "small" (the CPU-sized networks of the ``demo``
presets) or "paper".

Datasets (``--dataset``): ``digits`` is scikit-learn's 1,797 8x8 digits, bundled and offline, a
small stand-in for MNIST that a CPU trains on in minutes; ``fashion-mnist`` (28x28, the
stand-in for MNIST of the ``paper`` and ``fashion`` presets) is read by
``ugan.data.load_fashion_mnist``, from ``--data-dir`` or where Debian's
``dataset-fashion-mnist`` puts it; ``mnist`` reads IDX files from ``--data-dir``; ``cifar10``
reads the CIFAR-10 python batches from ``--data-dir``.
"""

from dataclasses import dataclass

import numpy as np

from ugan import plots
from ugan.data import load_cifar10, load_digits_images, load_fashion_mnist, load_mnist
from ugan.experiments.base import Experiment, TrainingConfig, mean_and_spread, save_snapshot
from ugan.metrics.classifier import trained_digit_classifier
from ugan.metrics.distances import mean_pairwise_distance
from ugan.metrics.fashion import trained_fashion_classifier
from ugan.models.conv import ConvDiscriminator, ConvGenerator
from ugan.models.paper import dcgan_pair

IMAGE_DATASETS = ("digits", "mnist", "fashion-mnist", "cifar10")
NETWORKS = ("small", "paper")
SNAPSHOT_IMAGES = 36  # images kept from every evaluation for the figures
DIVERSITY_SAMPLES = 2000  # pairs enough for a mean distance to 3 digits, and about 0.1 s


# The ``paper`` presets' training (the CIFAR10/MNIST appendix): the paper's networks, with
# Fashion-MNIST for MNIST; its 100k alternating single-network updates are 50,000 of our
# iterations (each updates both networks); batch 64 (DCGAN's; the appendix gives none); Adam at
# 1e-4 for G and 2e-4 for D; its unsigned generator loss read as the non-saturating one. Each
# experiment's module docstring says what else its preset changes.
PAPER_TRAINING = dict(networks="paper", dataset="fashion-mnist", steps=50000, batch_size=64,
                      noise_dim=256, g_lr=1e-4, d_lr=2e-4, generator_loss="nonsaturating",
                      eval_every=5000, checkpoint_every=5000)


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
    networks: str = "small"  # "small" (g_width, d_width...) or "paper" (ugan.models.paper)
    width: float = 1.0  # the paper networks' width multiplier (1: the paper's sizes)


@dataclass(frozen=True)
class ConvImageConfig(ImageConfig):
    """The options of an image experiment whose generator is convolutional."""

    g_width: int = 32  # the convolutional generator's width (channels)


def load_images(dataset, data_dir=None):
    """(images float32 (N, C, H, W) in [-1, 1], labels int64 (N,)) of a named dataset."""
    if dataset == "digits":
        return load_digits_images(scale="tanh")
    if dataset == "fashion-mnist":
        return load_fashion_mnist("train", data_dir)
    if dataset == "mnist":
        if data_dir is None:
            raise ValueError("dataset 'mnist' needs --data-dir, the folder of its IDX files")
        images, labels = load_mnist(data_dir, "train")
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

    classifier_accuracy = None  # of the classifier that labels samples, where one does
    # (metric, study column) of an experiment whose samples a classifier labels: metrics.json
    # keeps the metric's lowest value during training, and a study tables it over the seeds
    collapse_metric = None

    def __init__(self, config):
        super().__init__(config)
        if config.networks not in NETWORKS:
            raise ValueError(f"{self.name}: networks must be one of {NETWORKS}, got "
                             f"{config.networks!r}")
        if not config.width > 0:
            raise ValueError(f"{self.name}: width must be positive, got {config.width}")
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
        return self.paper_models() if self.config.networks == "paper" else self.small_models()

    def small_models(self):
        """(generator, discriminator) scaled to a CPU, of the ``demo`` presets."""
        c = self.config
        return (ConvGenerator(c.noise_dim, self.image_shape, c.g_width, c.dtype),
                ConvDiscriminator(self.image_shape, c.d_width, c.dtype))

    def paper_models(self):
        """(generator, discriminator) of the paper's appendix, at width multiplier ``width``."""
        c = self.config
        return dcgan_pair(self.image_shape, c.width, c.noise_dim, c.dtype)

    def trained_classifier(self):
        """A classifier of the dataset's ten classes, trained once per process, that labels
        generated images; its held-out accuracy is kept in ``classifier_accuracy`` (and in
        metrics.json). For Fashion-MNIST, ``ugan.metrics.fashion``'s, measured on the test
        split; otherwise one fitted to the training images, measured on a held-out fifth."""
        c = self.config
        if c.dataset == "fashion-mnist":
            classifier, self.classifier_accuracy = trained_fashion_classifier(c.data_dir)
        else:
            classifier = trained_digit_classifier(self.images, self.labels, c.dataset)
            self.classifier_accuracy = classifier.accuracy
        return classifier

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

    def final_metrics(self, history):
        """Also the classifier's held-out accuracy, where one labels the samples, and the
        deepest collapse during training, where ``collapse_metric`` names its metric: the lowest
        value at any evaluation after the first (which is the untrained generator's), and when."""
        metrics = super().final_metrics(history)
        if self.classifier_accuracy is not None:
            metrics["classifier_accuracy"] = self.classifier_accuracy
        if self.collapse_metric:
            metric, _ = self.collapse_metric
            fewest = min(history[1:] or history, key=lambda record: record[metric])
            metrics["fewest_modes"] = {metric: fewest[metric], "step": fewest["step"]}
        return metrics

    @classmethod
    def study_extras(cls, runs):
        """The deepest collapse of each seed during training (``collapse_metric``), over the
        seeds; nothing for an experiment without one."""
        if not cls.collapse_metric:
            return {}
        metric, title = cls.collapse_metric
        fewest = [run["fewest_modes"][metric] for run in runs]
        return {title: {"value": fewest,
                        "cell": mean_and_spread(np.mean(fewest), np.std(fewest))}}

    def figure_through_time(self, rows, path):
        """Generated images through training (the paper's Figures 3 and 4), a row per run."""
        return plots.image_snapshots(rows, path)
