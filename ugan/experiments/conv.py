"""A DCGAN-style convolutional GAN on images, measured for how much of the data it covers
(paper Sec. 3.4, Table 1).

The networks are the image experiments' small pair (``ugan.models.conv``) or, with
``networks="paper"``, the paper's DCGAN pair (``ugan.models.paper.dcgan_pair``).

The paper trains convolutional GANs on CIFAR-10 with 0, 1, 5 and 10 unrolling steps and compares
them two ways:

- Inference via optimization (Sec. 3.4.1): a fixed set of ``inference_images`` distinct
  training images is reconstructed by searching the noise space. At every evaluation, a cheap
  search of ``inference_steps`` Adam steps (``ugan.metrics.inference``) gives the curve
  ``reconstruction_mse``; at the final one, Table 1's search, L-BFGS from 3 random starts
  (``ugan.metrics.reconstruction``), gives ``lbfgs_mse`` and keeps each image's error in the
  run folder (``lbfgs_errors.npy``). A study then computes, among all its K, the share of the
  images each K reconstructs best (:meth:`ConvExperiment.compare_configurations`, Table 1's
  "percent best rank"). The images and the searches' starting points do not depend on the
  run's seed: every run gets the same problems.
- Pairwise distances (Sec. 3.4.2): the distribution of L2 distances between generated images
  against that between real images. ``distance_js`` is the Jensen-Shannon divergence between
  the two histograms on shared bins (natural log: 0 when they match, log 2 = 0.693 without
  overlap); ``diversity`` is the ratio of their means. The final evaluation draws both
  histograms in ``distances.png`` and keeps them in ``distances.npz``.

The ``demo`` preset keeps the shared image defaults, scaled to a CPU: scikit-learn's 8x8 digits
instead of CIFAR-10, generator and discriminator widths 32 and 16, batch 64, 3,000 iterations.
The reconstruction (256 images, 200 Adam steps) costs about 2 s per evaluation on one core.

The ``paper`` preset is arXiv Appendix C (ICLR Appendix D): the DCGAN pair, Adam with learning
rates 1e-4 for G and 2e-4 for D and beta1 0.5, the appendix's "100k steps" of single, alternating
network updates as 50,000 of our iterations (each updates both), the non-saturating generator
loss (the appendix prints "L_G = log(D(G(z)))" without signs), 1,280 images reconstructed as in
Figure 4. What differs from the paper: it gives no batch size (we take 64, DCGAN's); its data
is CIFAR-10 (``--dataset cifar10 --data-dir DIR``); the preset's default, Fashion-MNIST, is its
MNIST variant with Fashion-MNIST standing in for MNIST. It is meant for a GPU (``--device
cuda``). The ``fashion`` preset is the same networks at 1/8 of their width with fewer
iterations, sized for a CPU (docs/reproduction.md says how).
"""

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ugan import plots
from ugan.experiments.images import PAPER_TRAINING, ConvImageConfig, ImageExperiment
from ugan.metrics.divergences import js_divergence
from ugan.metrics.distances import shared_distance_histograms
from ugan.metrics.inference import reconstruction_errors
from ugan.metrics.reconstruction import best_rank_shares, lbfgs_reconstruction_errors

INFERENCE_SEED = 0  # picks the images to reconstruct and the searches' starting points
DISTANCE_BINS = 50
LBFGS_ERRORS = "lbfgs_errors.npy"  # each target's L-BFGS reconstruction error, final evaluation


@dataclass(frozen=True)
class ConvConfig(ConvImageConfig):
    inference_images: int = 256  # real images reconstructed at every evaluation
    inference_steps: int = 200  # Adam steps on z per reconstruction
    inference_lr: float = 0.1


class ConvExperiment(ImageExperiment):
    name = "conv"
    config_class = ConvConfig
    presets = {
        "demo": ConvConfig(),
        "paper": ConvConfig(**PAPER_TRAINING, inference_images=1280),
        # sized by benchmarks/preset_sizing.py (docs/reproduction.md)
        "fashion": ConvConfig(networks="paper", dataset="fashion-mnist", width=0.125,
                              steps=3000, eval_every=500, batch_size=64, noise_dim=64,
                              g_lr=1e-3, d_lr=1e-3, generator_loss="nonsaturating"),
    }
    curves = ("reconstruction_mse", "distance_js", "diversity")
    study_columns = (("lbfgs_mse", "reconstruction MSE (L-BFGS)"),
                     ("reconstruction_mse", "reconstruction MSE (Adam)"),
                     ("distance_js", "distance JS"), ("diversity", "diversity"))

    def __init__(self, config):
        super().__init__(config)
        if not 1 <= config.inference_images <= len(self.images):
            raise ValueError(f"conv: inference_images must lie in 1..{len(self.images)} (the "
                             f"{config.dataset!r} training images), got {config.inference_images}")
        rng = np.random.default_rng(INFERENCE_SEED)
        picks = rng.choice(len(self.images), size=config.inference_images, replace=False)
        self.targets = self.transform_real(self.images[picks], rng).astype(config.dtype)

    def evaluate(self, generator, step, out_dir):
        """The image metrics, reconstruction_mse, and at the final step the L-BFGS
        reconstructions and the distance histograms (of the same samples: generation is fixed
        by the seed and the step)."""
        c, out_dir = self.config, Path(out_dir)
        errors = reconstruction_errors(generator, self.targets, c.noise_dim, c.inference_steps,
                                       c.inference_lr, INFERENCE_SEED)
        record = {**super().evaluate(generator, step, out_dir),
                  "reconstruction_mse": float(errors.mean())}
        if step == c.steps:
            samples = self.generate(generator, step, c.eval_samples)
            self.save_distances(*self.distance_histograms(samples), out_dir)
            best = lbfgs_reconstruction_errors(generator, self.targets, c.noise_dim,
                                               seed=INFERENCE_SEED)
            np.save(out_dir / LBFGS_ERRORS, best)
            record["lbfgs_mse"] = float(best.mean())
        return record

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
    def compare_configurations(run_dirs):
        """Table 1's "percent best rank": for each K, the share of the targets that it
        reconstructs best (L-BFGS) among all the study's K, run r of each K against run r of
        the others (``best_rank_shares``), over the seeds that finished for every K."""
        seeds = sorted(set.intersection(*(set(by_seed) for by_seed in run_dirs.values())))
        if not seeds:
            return {}
        shares = best_rank_shares({k: [np.load(Path(by_seed[seed]) / LBFGS_ERRORS)
                                       for seed in seeds]
                                   for k, by_seed in run_dirs.items()})
        return {k: {"best rank": {"value": share, "cell": f"{100 * share:.1f}%"}}
                for k, share in shares.items()}
