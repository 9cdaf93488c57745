"""A DCGAN-style convolutional GAN on images, measured for how much of the data it covers
(paper Sec. 3.4, Table 1).

The networks are the image experiments' small pair (``ugan.models.conv``) or, with
``networks="paper"``, the paper's DCGAN pair (``ugan.models.paper.dcgan_pair``).

The paper trains convolutional GANs on CIFAR-10 with 0, 1, 5 and 10 unrolling steps and compares
them two ways:

- Inference via optimization (Sec. 3.4.1): a fixed set of ``inference_images`` distinct
  training images is reconstructed by searching the noise space, with the generator as every
  evaluation samples it (``evaluation_mode``: eval mode, batch norm's statistics re-estimated
  at the current weights). At every evaluation, a cheap search of ``inference_steps`` Adam
  steps (``ugan.metrics.inference``) gives the curve ``reconstruction_mse``; at the final one,
  Table 1's search, L-BFGS from 3 random starts (``ugan.metrics.reconstruction``), gives
  ``lbfgs_mse`` and keeps each image's error, its reconstruction and the targets in the run
  folder (``lbfgs_errors.npy``, ``lbfgs_reconstructions.npy``, ``lbfgs_targets.npy``). The
  same search of as many held-out test images (where the dataset has a test split: not the
  8x8 digits) gives ``lbfgs_mse_test`` (``lbfgs_errors_test.npy``). Two references without a
  generator give the errors a scale (``scale_*``): the training set's mean image, and each
  target's nearest other image among the first NEIGHBOUR_POOL training images. A study then
  computes, among all its K, the share of the images each K reconstructs best, over every
  pairing of seeds, with a bootstrap interval over images
  (:meth:`ConvExperiment.compare_configurations`, Table 1's "percent best rank"), and draws
  Figure 4 (:meth:`ConvExperiment.reconstruction_figure`). The images and the searches'
  starting points do not depend on the run's seed: every run gets the same problems.
- Pairwise distances (Sec. 3.4.2): the distribution of L2 distances between generated images
  against that between real images. ``distance_js`` is the Jensen-Shannon divergence between
  the two histograms on shared bins (natural log: 0 when they match, log 2 = 0.693 without
  overlap), of the first DISTANCE_SAMPLES samples; ``diversity`` is the ratio of their means.
  The final evaluation draws both histograms in ``distances.png`` and keeps them in
  ``distances.npz``.

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
from ugan.data import load_cifar10, load_fashion_mnist, load_mnist
from ugan.experiments.images import PAPER_TRAINING, ConvImageConfig, ImageExperiment
from ugan.metrics.divergences import js_divergence
from ugan.metrics.distances import shared_distance_histograms
from ugan.metrics.inference import reconstruction_errors
from ugan.metrics.reconstruction import (best_rank_intervals, best_rank_shares,
                                         lbfgs_reconstruction_errors, lbfgs_reconstructions,
                                         mean_image_errors, most_different_images,
                                         nearest_neighbour_errors)
from ugan.options import option
from ugan.safe_files import save_array

INFERENCE_SEED = 0  # picks the images to reconstruct and the searches' starting points
DISTANCE_BINS = 50
DISTANCE_SAMPLES = 2000  # samples (and real images) whose pairwise distances are compared
NEIGHBOUR_POOL = 10000  # training images searched for each target's nearest other image
FIGURE_IMAGES = 10  # images of Figure 4, as in the paper
LBFGS_ERRORS = "lbfgs_errors.npy"  # each target's L-BFGS reconstruction error, final evaluation
LBFGS_ERRORS_TEST = "lbfgs_errors_test.npy"  # the same of the held-out test targets
LBFGS_RECONSTRUCTIONS = "lbfgs_reconstructions.npy"  # each target's best reconstruction
LBFGS_TARGETS = "lbfgs_targets.npy"  # the targets, for Figure 4
RECONSTRUCTION_FIGURE = "reconstructions.png"


@dataclass(frozen=True)
class ConvConfig(ConvImageConfig):
    inference_images: int = option(256, "training images reconstructed by inference via "
                                        "optimization at every evaluation", at_least=1)
    inference_steps: int = option(200, "Adam steps on z per reconstruction", at_least=1)
    inference_lr: float = option(0.1, "the learning rate of those Adam steps", above=0)


def load_test_images(dataset, data_dir=None):
    """The held-out test split of an image dataset as float32 (N, C, H, W) in [-1, 1], scaled as
    ``ugan.experiments.images.load_images`` scales the training split; None for ``digits``,
    which has no split."""
    if dataset == "digits":
        return None
    if dataset == "fashion-mnist":
        return load_fashion_mnist("test", data_dir)[0]
    if dataset == "mnist":
        images = load_mnist(data_dir, "test")[0][:, None]
    elif dataset == "cifar10":
        images = load_cifar10(data_dir, "test")[0]
    else:
        raise ValueError(f"conv: no test split known for dataset {dataset!r}")
    return images.astype(np.float32) / 127.5 - 1.0


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
                     ("lbfgs_mse_test", "test images (L-BFGS)"),
                     ("reconstruction_mse", "reconstruction MSE (Adam)"),
                     ("scale_mean_image_mse", "mean image MSE"),
                     ("scale_nearest_neighbour_mse", "nearest image MSE"),
                     ("distance_js", "distance JS"), ("diversity", "diversity"))

    def __init__(self, config):
        super().__init__(config)
        if not 1 <= config.inference_images <= len(self.images):
            raise ValueError(f"conv: inference_images must lie in 1..{len(self.images)} (the "
                             f"{config.dataset!r} training images), got {config.inference_images}")
        rng = np.random.default_rng(INFERENCE_SEED)
        self.target_picks = rng.choice(len(self.images), size=config.inference_images,
                                       replace=False)
        self.targets = self.transform_real(self.images[self.target_picks], rng).astype(
            config.dtype)
        self._test_targets = None
        self._scale = None
        self._distances = None  # the histograms of the latest evaluation's samples

    def test_targets(self):
        """``inference_images`` held-out test images (all of them if the split has fewer),
        picked once and the same for every run; None for a dataset without a test split."""
        if self._test_targets is None:
            c = self.config
            images = load_test_images(c.dataset, c.data_dir)
            if images is None:
                return None
            rng = np.random.default_rng([INFERENCE_SEED, 1])
            picks = rng.choice(len(images), size=min(c.inference_images, len(images)),
                               replace=False)
            self._test_targets = self.transform_real(images[picks], rng).astype(c.dtype)
        return self._test_targets

    def evaluate(self, generator, step, out_dir):
        """The image metrics and reconstruction_mse; at the final step also the L-BFGS
        reconstructions (of the training and test targets), the distance histograms (of the
        same samples that gave distance_js) and the scale of the errors (:meth:`scale`). All of
        it with the generator in one ``evaluation_mode``."""
        c, out_dir = self.config, Path(out_dir)
        with self.evaluation_mode(generator):
            record = super().evaluate(generator, step, out_dir)
            errors = reconstruction_errors(generator, self.targets, c.noise_dim,
                                           c.inference_steps, c.inference_lr, INFERENCE_SEED)
            record["reconstruction_mse"] = float(errors.mean())
            if step == c.steps:
                record.update(self.final_reconstructions(generator, out_dir))
                self.save_distances(*self._distances, out_dir)  # those of this evaluation
                record.update(self.scale())
        return record

    def final_reconstructions(self, generator, out_dir):
        """Table 1's L-BFGS search of the targets (and of the test targets, where there are
        any): ``lbfgs_mse`` (and ``lbfgs_mse_test``), the mean of the errors that it keeps in
        the run folder with the reconstructions and the targets."""
        c = self.config
        errors, images = lbfgs_reconstructions(generator, self.targets, c.noise_dim,
                                               seed=INFERENCE_SEED)
        save_array(out_dir / LBFGS_ERRORS, errors)
        save_array(out_dir / LBFGS_RECONSTRUCTIONS, images)
        save_array(out_dir / LBFGS_TARGETS, self.targets)
        entries = {"lbfgs_mse": float(errors.mean())}
        test = self.test_targets()
        if test is not None:
            errors = lbfgs_reconstruction_errors(generator, test, c.noise_dim,
                                                 seed=INFERENCE_SEED)
            save_array(out_dir / LBFGS_ERRORS_TEST, errors)
            entries["lbfgs_mse_test"] = float(errors.mean())
        return entries

    def scale(self):
        """What the reconstruction errors are set beside, computed once (they depend only on
        the data and the targets): the mean over the targets of

        - ``scale_mean_image_mse``: ||m - x||^2 / D, m the mean of all training images;
        - ``scale_nearest_neighbour_mse``: min_j ||y_j - x||^2 / D over the first NEIGHBOUR_POOL
          (10,000) training images y_j (all of them for a smaller set), x's own copy left out;

        and the same of the test targets (``..._test``; no copy of them to leave out), where the
        dataset has a test split. ``ugan.metrics.reconstruction`` says what they mean."""
        if self._scale is None:
            mean = self.images.mean(axis=0, dtype=np.float64)
            pool = self.images[:NEIGHBOUR_POOL]
            own = np.where(self.target_picks < len(pool), self.target_picks, -1)
            self._scale = {
                "scale_mean_image_mse": float(mean_image_errors(self.targets, mean).mean()),
                "scale_nearest_neighbour_mse": float(nearest_neighbour_errors(
                    self.targets, pool, own).mean())}
            test = self.test_targets()
            if test is not None:
                self._scale.update({
                    "scale_mean_image_mse_test": float(mean_image_errors(test, mean).mean()),
                    "scale_nearest_neighbour_mse_test": float(nearest_neighbour_errors(
                        test, pool).mean())})
        return dict(self._scale)

    def real_data_metrics(self, seed):
        """The image metrics of real images (distance_js of real images against independent
        real ones: near 0) and the scale of the reconstruction errors (:meth:`scale`)."""
        return {**super().real_data_metrics(seed), **self.scale()}

    def distance_histograms(self, samples):
        """(counts of the first DISTANCE_SAMPLES samples, counts of as many real images, edges):
        the histograms of their pairwise distances on shared bins."""
        samples = samples[:DISTANCE_SAMPLES]
        return shared_distance_histograms(samples, self.reference_images(len(samples)),
                                          DISTANCE_BINS)

    def metrics(self, features, kept):
        """distance_js: the JS divergence between the histograms of pairwise distances within
        the first DISTANCE_SAMPLES kept images and within as many real reference images."""
        self._distances = self.distance_histograms(kept)  # the final evaluation saves them
        counts, data_counts, _ = self._distances
        return {"distance_js": js_divergence(counts, data_counts)}

    def save_distances(self, counts, data_counts, edges, out_dir):
        """distances.npz and distances.png: the samples' and the data's histograms."""
        np.savez(out_dir / "distances.npz", edges=edges, samples=counts, data=data_counts)
        label = f"K={self.config.unroll_steps}"
        plots.distance_histograms(edges, {"data": data_counts, label: counts},
                                  out_dir / "distances.png",
                                  title=f"pairwise distances, {label}")

    @staticmethod
    def compare_configurations(run_dirs, out_dir=None):
        """Table 1's "percent best rank": for each K, the share of the targets that it
        reconstructs best (L-BFGS) among all the study's K, averaged over every pairing of
        their seeds (``best_rank_shares``: every finished seed of every K takes part), with a
        bootstrap 95% interval over the images (``best_rank_intervals``); the cell reads
        "share% [low, high]". With two K or more, also the images of Figure 4 (the JSON entry
        "figure 4": their indices among the targets and this K's errors on them, first seed),
        and, given the study's folder ``out_dir``, the figure itself
        (:meth:`reconstruction_figure`)."""
        errors = {k: [np.load(Path(folder) / LBFGS_ERRORS)
                      for _, folder in sorted(by_seed.items())]
                  for k, by_seed in run_dirs.items() if by_seed}
        if not errors:
            return {}
        shares, intervals = best_rank_shares(errors), best_rank_intervals(errors)
        entries = {k: {"best rank": {"value": shares[k], "interval": list(intervals[k]),
                                     "cell": f"{100 * shares[k]:.1f}% "
                                             f"[{100 * intervals[k][0]:.1f}, "
                                             f"{100 * intervals[k][1]:.1f}]"}}
                   for k in errors}
        if len(errors) > 1:
            first, *_, last = errors
            picks = most_different_images(errors[first][0], errors[last][0], FIGURE_IMAGES)
            for k, runs in errors.items():
                entries[k]["figure 4"] = {"value": {"images": picks.tolist(),
                                                    "mse": runs[0][picks].tolist()},
                                          "cell": None}
            if out_dir is not None:
                ConvExperiment.reconstruction_figure(run_dirs, Path(out_dir) /
                                                     RECONSTRUCTION_FIGURE)
        return entries

    @staticmethod
    def reconstruction_figure(run_dirs, path):
        """The paper's Figure 4 at ``path``: the FIGURE_IMAGES targets on which the study's first
        and last K differ most (``most_different_images``, each K's first seed), each with its
        best L-BFGS reconstruction by each K's first seed and the error below it. ``run_dirs``
        as :meth:`compare_configurations` takes it, two K or more. Returns ``path``."""
        firsts = {k: Path(by_seed[min(by_seed)]) for k, by_seed in run_dirs.items() if by_seed}
        if len(firsts) < 2:
            raise ValueError(f"reconstruction_figure: needs finished runs of two K or more, got "
                             f"{list(firsts)}")
        errors = {k: np.load(folder / LBFGS_ERRORS) for k, folder in firsts.items()}
        first, *_, last = errors
        picks = most_different_images(errors[first], errors[last], FIGURE_IMAGES)
        targets = np.load(firsts[first] / LBFGS_TARGETS, mmap_mode="r")[picks]
        return plots.reconstruction_panel(
            targets, {f"K={k}": np.load(folder / LBFGS_RECONSTRUCTIONS, mmap_mode="r")[picks]
                      for k, folder in firsts.items()},
            path, {f"K={k}": e[picks] for k, e in errors.items()})
