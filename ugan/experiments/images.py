"""What the image experiments share (paper Sec. 3.2-3.4): the datasets, the options common to
all of them, sampling, evaluation snapshots and the figures of a finished run.

A concrete experiment subclasses ``ImageExperiment`` and supplies, where it differs from the
defaults, ``build_models`` (by default the DCGAN-style pair of ``ugan.models.conv``),
``transform_real`` (stacking or colouring digits) and ``metrics`` (what a batch of generated
images is scored with).

Datasets (``--dataset``): ``digits`` is scikit-learn's 1,797 8x8 digits, bundled and offline, a
small stand-in for MNIST that a CPU trains on in minutes; ``mnist`` and ``fashion-mnist`` read
IDX files from ``--data-dir`` (Fashion-MNIST also from Debian's ``dataset-fashion-mnist``);
``cifar10`` reads the CIFAR-10 python batches from ``--data-dir``.
"""

from dataclasses import dataclass
from pathlib import Path

import numpy as np

import minigrad as mg

from ugan import jsonfile, plots
from ugan.data import fashion_mnist_dir, load_cifar10, load_digits_images, load_mnist
from ugan.experiments.common import snapshot_samples
from ugan.metrics.distances import mean_pairwise_distance
from ugan.models.conv import ConvDiscriminator, ConvGenerator

IMAGE_DATASETS = ("digits", "mnist", "fashion-mnist", "cifar10")
SNAPSHOT_IMAGES = 36  # images kept from every evaluation for the figures
DIVERSITY_SAMPLES = 2000  # pairs enough for a mean distance to 3 digits, and about 0.1 s


@dataclass(frozen=True)
class ImageConfig:
    dataset: str = "digits"
    data_dir: str | None = None
    unroll_steps: int = 0
    second_order: bool = True
    resample_unroll: bool = False
    historical_averaging: float = 0.0  # penalty weight; 0 = off (ugan.averaging)
    generator_loss: str = "minimax"
    steps: int = 3000
    batch_size: int = 64
    noise_dim: int = 64
    g_width: int = 32
    d_width: int = 16
    g_lr: float = 1e-3
    d_lr: float = 1e-3
    beta1: float = 0.5
    beta2: float = 0.999
    adam_eps: float = 1e-8
    eval_every: int = 250
    eval_samples: int = 1000
    checkpoint_every: int = 500
    seed: int = 0
    device: str = "cpu"
    dtype: str = "float32"
    compile: bool = True  # run each iteration as a compiled program (minigrad.compile)


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


class ImageExperiment:
    """Training data, noise and evaluation for a GAN on images; see the module docstring."""

    name = "images"
    curves = ("diversity",)  # metrics drawn in metrics.png
    figure_name = "samples.png"

    def __init__(self, config):
        self.config = config
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

    def sample_noise(self, rng, n):
        return rng.standard_normal((n, self.config.noise_dim)).astype(self.config.dtype)

    def generate(self, generator, step, n):
        """n images from noise fixed by (seed, step). Evaluation changes nothing a run keeps: it
        never touches the training random stream, and the running statistics that batch norm
        updates while generating are put back (a run stopped and resumed off the evaluation grid
        evaluates once more than an uninterrupted one)."""
        rng = np.random.default_rng([self.config.seed, step])
        buffers = {name: mg.tensor(b.data, device=b.device)
                   for name, b in generator.named_buffers()}
        with mg.no_grad():
            noise = mg.as_tensor(self.sample_noise(rng, n), device=self.config.device)
            images = generator(noise).numpy()
        generator.load_state_dict({**generator.state_dict(), **buffers})
        return images

    def reference_images(self, n, seed=0):
        """n real images drawn once, the data side of every comparison."""
        return self.sample_real(np.random.default_rng([seed, 1]), n)

    def evaluate(self, generator, step, out_dir):
        samples = self.generate(generator, step, self.config.eval_samples)
        samples_dir = Path(out_dir) / "samples"
        samples_dir.mkdir(exist_ok=True)
        np.save(samples_dir / f"step_{step:07d}.npy", samples[:SNAPSHOT_IMAGES])
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
        return {}

    @staticmethod
    def summary(record):
        return {key: f"{value:.3g}" for key, value in record.items()
                if key != "step" and isinstance(value, float)}

    def finish(self, out_dir, history):
        out_dir = Path(out_dir)
        label = f"K={self.config.unroll_steps}"
        self.figure_through_time([(label, self.snapshots(out_dir, history))],
                                 out_dir / self.figure_name)
        plots.metric_curves({label: history}, list(self.curves), out_dir / "metrics.png")
        write_final_metrics(out_dir, history)

    @staticmethod
    def snapshots(out_dir, history):
        return snapshot_samples(out_dir, history)

    @staticmethod
    def figure_through_time(rows, path):
        """Generated images through training (the paper's Figures 3 and 4), a row per run."""
        return plots.image_snapshots(rows, path)


def write_final_metrics(out_dir, history):
    """metrics.json: the final evaluation."""
    summary = {"final": history[-1]}
    jsonfile.write(Path(out_dir) / "metrics.json", summary)
    return summary

