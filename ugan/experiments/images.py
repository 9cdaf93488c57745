"""What the image experiments share (paper Sec. 3.2-3.4): the datasets, the options common to
all of them, sampling, evaluation snapshots and the figures of a finished run.

A concrete experiment subclasses ``ImageExperiment`` (an ``ugan.experiments.base.Experiment``)
and supplies, where it differs from the defaults, ``small_models`` (by default the DCGAN-style
pair of ``ugan.models.conv``, whose generator's width is ``ConvImageConfig.g_width``),
``paper_models`` (the paper's networks of ``ugan.models.paper`` at width multiplier
``ImageConfig.width``; by default the CIFAR10/MNIST DCGAN pair), ``transform_real`` (stacking or
colouring digits), ``features`` (per-image numbers of a chunk of images, such as a
classifier's labels) and ``metrics`` (the scores of all the images' features, a dict) and,
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
from pathlib import Path

import numpy as np

from ugan import plots
from ugan.data import (fashion_mnist_dir, load_cifar10, load_digits_images, load_fashion_mnist,
                       load_mnist)
from ugan.experiments.base import EVAL_CHUNK, Experiment, TrainingConfig, save_snapshot
from ugan.metrics.classifier import trained_classifier
from ugan.metrics.distances import mean_pairwise_distance
from ugan.models.conv import ConvDiscriminator, ConvGenerator, ImageShapeError
from ugan.models.paper import dcgan_pair
from ugan.options import option
from ugan.results import cell, over_seeds

IMAGE_DATASETS = ("digits", "mnist", "fashion-mnist", "cifar10")
NETWORKS = ("small", "paper")
# The image sides the paper's networks were built for: its MNIST experiments and CIFAR-10. They
# would build at other sides, but they would no longer be the paper's networks.
PAPER_IMAGE_SIDES = {28: "MNIST", 32: "CIFAR-10"}
SNAPSHOT_IMAGES = 36  # images kept from every evaluation for the figures
DIVERSITY_SAMPLES = 2000  # pairs enough for a mean distance to 3 digits, and about 0.1 s
REAL_LABEL_IMAGES = 10000  # real images whose labels give the classes' shares in real data


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
    dataset: str = option("digits", "the images: digits (scikit-learn's 8x8), mnist, "
                                    "fashion-mnist or cifar10", choices=IMAGE_DATASETS)
    data_dir: str | None = option(None, "the folder of the MNIST IDX files or the CIFAR-10 "
                                        "python batches", metavar="DIR")
    d_width: int = option(16, "the small convolutional discriminator's width (channels)",
                          at_least=1)
    networks: str = option("small", "small: the CPU-sized networks (--g-width, --d-width); "
                                    "paper: the paper's (ugan.models.paper, --width), for 28x28 "
                                    "or 32x32 images",
                           choices=NETWORKS)
    width: float = option(1.0, "the paper networks' width multiplier (1: the paper's sizes; "
                               "for colour, the model size X of its Table 3)", above=0)


@dataclass(frozen=True)
class ConvImageConfig(ImageConfig):
    """The options of an image experiment whose generator is convolutional."""

    g_width: int = option(32, "the small convolutional generator's width (channels)",
                          at_least=1)


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

    classifier_report = None  # of the classifier that labels samples, where one does
    # (metric, study column) of an experiment whose samples a classifier labels: metrics.json
    # keeps the metric's lowest value during training, and a study tables it over the seeds
    collapse_metric = None

    def __init__(self, config):
        super().__init__(config)
        images, self.labels = load_images(config.dataset, config.data_dir)
        self.images = images.astype(config.dtype)
        if config.networks == "paper":
            self.require_paper_sized_images()
        self._reference_distance = None
        self._real_classes = None

    @property
    def image_shape(self):
        """(C, H, W) of the images the generator makes."""
        return tuple(self.transform_real(self.images[:1], np.random.default_rng(0)).shape[1:])

    def require_paper_sized_images(self):
        """Refuse images of a side the paper's networks were not built for (``PAPER_IMAGE_SIDES``),
        before a classifier is trained or a run folder made: the networks would build, but they
        would no longer be the paper's."""
        height, width = self.images.shape[2:]
        if not (height == width and height in PAPER_IMAGE_SIDES):
            sides = " or ".join(f"{s}x{s} ({name})" for s, name in PAPER_IMAGE_SIDES.items())
            raise ValueError(f"{self.name} --networks paper: the paper's networks take {sides} "
                             f"images, but {self.data_source()} holds {height}x{width} images; "
                             "use --networks small for other sizes")

    def require_single_channel(self, purpose):
        """Refuse a dataset whose images are not grey (CIFAR-10) for an experiment that needs
        grey digits, e.g. to stack or tint them."""
        if self.images.shape[1] != 1:
            raise ValueError(f"{self.name}: needs single-channel digit images {purpose}, got "
                             f"{self.config.dataset!r} with {self.images.shape[1]} channels")

    def build_models(self):
        """The networks of ``--networks``; images they cannot take are refused naming the data
        they came from (before a run folder is made: the trainer builds them first)."""
        try:
            return self.paper_models() if self.config.networks == "paper" else self.small_models()
        except ImageShapeError as error:
            raise ValueError(f"{self.name} --networks {self.config.networks}: the images of "
                             f"{self.data_source()} do not fit: {error}") from None

    def data_source(self):
        """Where the training images come from, for messages."""
        c = self.config
        if c.dataset == "digits":
            return "scikit-learn's digits"
        folder = c.data_dir if c.data_dir is not None else fashion_mnist_dir()
        files = "data_batch_1..5" if c.dataset == "cifar10" else "train-images-idx3-ubyte[.gz]"
        return f"dataset {c.dataset!r} ({Path(folder) / files})"

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
        """The calibrated classifier of the dataset's ten classes (``ugan.metrics.classifier``,
        trained once and cached on disk) that labels generated images; its report (test
        accuracy, temperature, threshold) is kept in ``classifier_report`` and metrics.json."""
        classifier = trained_classifier(self.config.dataset, self.config.data_dir)
        self.classifier_report = classifier.report
        return classifier

    def real_class_distribution(self):
        """The share of each of the ten classes among the classifier's labels of (up to
        REAL_LABEL_IMAGES) training images: the distribution the classifier gives real data."""
        if self._real_classes is None:
            rng = np.random.default_rng([self.config.seed, 4])
            picks = rng.permutation(len(self.images))[:REAL_LABEL_IMAGES]
            classes, _ = self.classifier.predict(self.images[picks])
            self._real_classes = np.bincount(classes, minlength=10) / len(picks)
        return self._real_classes

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
        """The metrics of ``eval_samples`` samples drawn in chunks (:meth:`score`), and a
        snapshot of the first."""
        with self.evaluation_mode(generator):
            metrics, kept = self.score(self.sample_chunks(generator, step,
                                                          self.config.eval_samples))
        save_snapshot(out_dir, step, kept[:SNAPSHOT_IMAGES])
        return metrics

    def real_data_metrics(self, seed):
        """:meth:`score` of ``eval_samples`` real images drawn with ``seed`` (independent of the
        reference images that the metrics compare with), in chunks as samples are."""
        rng, n = np.random.default_rng([seed, 2]), self.config.eval_samples
        metrics, _ = self.score(self.sample_real(rng, min(EVAL_CHUNK, n - start))
                                for start in range(0, n, EVAL_CHUNK))
        return metrics

    def score(self, chunks):
        """(metrics, kept) of images given as chunks: each chunk's per-image ``features`` are
        concatenated, the first DIVERSITY_SAMPLES images are kept, and the metrics are
        ``metrics(features, kept)`` with the ``diversity`` of the kept images. Memory holds one
        chunk, the features and the kept images, whatever the number of images."""
        per_chunk, kept, have = [], [], 0
        for chunk in chunks:
            per_chunk.append(self.features(chunk))
            if have < DIVERSITY_SAMPLES:
                kept.append(chunk[:DIVERSITY_SAMPLES - have])
                have += len(kept[-1])
        features = {key: np.concatenate([f[key] for f in per_chunk]) for key in per_chunk[0]}
        kept = np.concatenate(kept)
        return {**self.metrics(features, kept), "diversity": self.diversity(kept)}, kept

    def diversity(self, samples):
        """Mean pairwise distance between (up to DIVERSITY_SAMPLES) samples over the same between
        as many real images: about 1 for a generator as varied as the data, near 0 for a
        collapsed one."""
        samples = samples[:DIVERSITY_SAMPLES]
        if self._reference_distance is None or self._reference_distance[0] != len(samples):
            reference = self.reference_images(len(samples))
            self._reference_distance = (len(samples), mean_pairwise_distance(reference))
        return mean_pairwise_distance(samples) / self._reference_distance[1]

    def features(self, images):
        """Per-image numbers of a chunk of images that the metrics need ({name: array with one
        row per image}; nothing here)."""
        return {}

    def metrics(self, features, kept):
        """The experiment's own metrics (a dict) of images given by their ``features`` (as
        :meth:`features` makes them, over all images) and the first ``kept`` images."""
        return {}

    def final_metrics(self, history):
        """Also the classifier's held-out accuracy, where one labels the samples, and the
        deepest collapse during training, where ``collapse_metric`` names its metric: the lowest
        value at any evaluation after the first (which is the untrained generator's), and when."""
        metrics = super().final_metrics(history)
        if self.classifier_report is not None:
            metrics["classifier"] = self.classifier_report
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
                        "cell": cell(over_seeds(fewest))}}

    def figure_through_time(self, rows, path):
        """Generated images through training (the paper's Figures 3 and 4), a row per run."""
        return plots.image_snapshots(rows, path)
