"""A DCGAN-style convolutional GAN on images, measured for how much of the data it covers
(paper Sec. 3.4).

The networks are the image experiments' default pair, ``ugan.models.conv``.

The paper trains convolutional GANs on CIFAR-10 with and without unrolling and compares them
two ways, both computed at every evaluation here:

- Inference via optimization (Sec. 3.4.1, ``ugan.metrics.inference``): a fixed set of
  ``inference_images`` distinct training images is reconstructed by searching the noise space
  with ``inference_steps`` Adam steps; ``reconstruction_mse`` is the mean over the images of the
  per-pixel squared error. The per-image errors of the latest evaluation are kept in the run
  folder (``reconstruction_errors.npy``) so that two runs can be compared image by image
  (``win_rate``, the paper's percentage of images a model reconstructs better). The images and
  the searches' starting points do not depend on the run's seed: every run gets the same
  problems.
- Pairwise distances (Sec. 3.4.2): the distribution of L2 distances between generated images
  against that between real images. ``distance_js`` is the Jensen-Shannon divergence between
  the two histograms on shared bins (natural log: 0 when they match, log 2 = 0.693 without
  overlap); ``diversity`` is the ratio of their means. The final evaluation draws both
  histograms in ``distances.png`` and keeps them in ``distances.npz``.

The ``demo`` preset keeps the shared image defaults, scaled to a CPU: scikit-learn's 8x8 digits
instead of CIFAR-10, generator and discriminator widths 32 and 16, batch 64, 3,000 iterations.
The reconstruction (256 images, 200 Adam steps) costs about 2 s per evaluation on one core.
"""

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ugan import plots
from ugan.experiments.images import ConvImageConfig, ImageExperiment
from ugan.metrics.divergences import js_divergence
from ugan.metrics.distances import shared_distance_histograms
from ugan.metrics.inference import reconstruction_errors, win_rate

INFERENCE_SEED = 0  # picks the images to reconstruct and the searches' starting points
DISTANCE_BINS = 50


@dataclass(frozen=True)
class ConvConfig(ConvImageConfig):
    inference_images: int = 256  # real images reconstructed at every evaluation
    inference_steps: int = 200  # Adam steps on z per reconstruction
    inference_lr: float = 0.1


class ConvExperiment(ImageExperiment):
    name = "conv"
    config_class = ConvConfig
    presets = {"demo": ConvConfig()}
    curves = ("reconstruction_mse", "distance_js", "diversity")
    study_columns = (("reconstruction_mse", "reconstruction MSE"), ("distance_js", "distance JS"),
                     ("diversity", "diversity"))

    def __init__(self, config):
        super().__init__(config)
        if not 1 <= config.inference_images <= len(self.images):
            raise ValueError(f"conv: inference_images must lie in 1..{len(self.images)} (the "
                             f"{config.dataset!r} training images), got {config.inference_images}")
        rng = np.random.default_rng(INFERENCE_SEED)
        picks = rng.choice(len(self.images), size=config.inference_images, replace=False)
        self.targets = self.transform_real(self.images[picks], rng).astype(config.dtype)

    def evaluate(self, generator, step, out_dir):
        """The image metrics, reconstruction_mse, and at the final step the distance histograms
        (of the same samples: generation is fixed by the seed and the step)."""
        c, out_dir = self.config, Path(out_dir)
        errors = reconstruction_errors(generator, self.targets, c.noise_dim, c.inference_steps,
                                       c.inference_lr, INFERENCE_SEED)
        np.save(out_dir / "reconstruction_errors.npy", errors)
        record = super().evaluate(generator, step, out_dir)
        if step == c.steps:
            samples = self.generate(generator, step, c.eval_samples)
            self.save_distances(*self.distance_histograms(samples), out_dir)
        return {**record, "reconstruction_mse": float(errors.mean())}

    def distance_histograms(self, samples):
        """(counts of the samples, counts of as many real images, edges): the histograms of
        their pairwise distances on shared bins."""
        return shared_distance_histograms(samples, self.reference_images(len(samples)),
                                          DISTANCE_BINS)

    def metrics(self, samples):
        counts, data_counts, _ = self.distance_histograms(samples)
        return {"distance_js": js_divergence(counts, data_counts)}

    def save_distances(self, counts, data_counts, edges, out_dir):
        """distances.npz and distances.png: the samples' and the data's histograms."""
        np.savez(out_dir / "distances.npz", edges=edges, samples=counts, data=data_counts)
        label = f"K={self.config.unroll_steps}"
        plots.distance_histograms(edges, {"data": data_counts, label: counts},
                                  out_dir / "distances.png",
                                  title=f"pairwise distances, {label}")

    @staticmethod
    def compare_with_baseline(baseline_dirs, run_dirs):
        """Study columns for one K: the share of the targets that its runs reconstruct better
        than the baseline's runs (the study's first K) of the same seed, mean over seeds (paper
        Sec. 3.4.1's pairwise comparison; 0.5 is a draw)."""
        rates = [win_rate(np.load(Path(run) / "reconstruction_errors.npy"),
                          np.load(Path(base) / "reconstruction_errors.npy"))
                 for run, base in zip(run_dirs, baseline_dirs)]
        mean = float(np.mean(rates))
        return {"wins against the first K": {"value": rates, "cell": f"{mean:.2f}"}}
