"""The 2-D mixture of Gaussians (paper Sec. 3.1, Fig. 1, Appendix A).

Each evaluation is scored by ``ugan.metrics.mixture_metrics`` (its docstring gives the formulas):
the high-quality (HQ) columns, VEEGAN's and PacGAN's ``modes_covered`` (modes with >= 1 HQ
sample) and ``high_quality_fraction`` among them, count only samples within 3 std of their
nearest mode; ``nearest_top_share`` and ``nearest_modes_5pct`` assign every sample to its
nearest mode. ``real_data_metrics`` scores the mixture's own samples (a study's ceiling row).

The ``paper`` preset is Appendix A: batch 512, Adam lr 1e-4 and beta1 0.5 for both networks,
25,000 iterations. The ``demo`` preset is what ``python -m ugan`` runs in a few minutes on two
CPU cores; docs/reproduction.md says how it was chosen and what it measures.
"""

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ugan import jsonfile, plots
from ugan.data import grid_of_gaussians, ring_of_gaussians
from ugan.experiments.base import Experiment, TrainingConfig, save_snapshot
from ugan.metrics import mixture_metrics
from ugan.models import MixtureDiscriminator, MixtureGenerator
from ugan.options import option

DATASETS = {"ring": ring_of_gaussians, "grid": grid_of_gaussians}


@dataclass(frozen=True)
class MixtureConfig(TrainingConfig):
    """The trainer's options at the paper's Appendix A values, and the networks' sizes."""

    dataset: str = option("ring", "the mixture: ring (8 Gaussians on a circle) or grid (5x5)",
                          choices=tuple(DATASETS))
    g_hidden: int = option(128, "hidden units of each of the generator's layers", at_least=1)
    d_hidden: int = option(128, "hidden units of each of the discriminator's layers",
                           at_least=1)
    init_gain: float = option(0.8, "the gain of the networks' orthogonal initialisation",
                              above=0)


class MixtureExperiment(Experiment):
    name = "mixture"
    config_class = MixtureConfig
    presets = {
        "paper": MixtureConfig(),
        # The paper's networks and batch with 10x the learning rate, so that K=10 covers all 8
        # modes strictly within ~2,000 iterations instead of ~12,000 (docs/reproduction.md).
        "demo": MixtureConfig(steps=3000, g_lr=1e-3, d_lr=1e-3, eval_every=250,
                              checkpoint_every=500),
    }
    curves = ("modes_covered_strict", "high_quality_fraction", "top_mode_mass",
              "nearest_top_share")
    run_curves = ("modes_covered_strict", "high_quality_fraction", "kl_to_uniform",
                  "top_mode_mass", "nearest_top_share")
    renamed_metrics = {"reverse_kl": "kl_to_uniform"}
    figure_name = "figure1.png"
    run_figure_name = "density.png"
    # Each title says what it counts (ugan.metrics.mixture gives the formulas); the first is
    # VEEGAN's and PacGAN's count of modes.
    study_columns = (("modes_covered", "modes (>=1 HQ sample)"),
                     ("modes_covered_strict", "modes (HQ samples >= 5% of n/#modes)"),
                     ("high_quality_fraction", "HQ share"),
                     ("kl_to_uniform", "KL to uniform (HQ samples)"),
                     ("top_mode_mass", "top mode's share of HQ samples"),
                     ("nearest_top_share", "top mode's share of all samples"),
                     ("nearest_modes_5pct", "modes with >= 5% of all samples"))
    # the metrics that runs evaluated before they existed get from their saved samples
    _NEAREST_METRICS = ("nearest_top_share", "nearest_modes_5pct", "nearest_mode_counts")

    def __init__(self, config):
        super().__init__(config)
        self.mixture = DATASETS[config.dataset]()

    def build_models(self):
        c = self.config
        return (MixtureGenerator(c.noise_dim, c.g_hidden, c.init_gain, c.dtype),
                MixtureDiscriminator(c.d_hidden, init_gain=c.init_gain, dtype=c.dtype))

    def sample_real(self, rng, n):
        return self.mixture.sample(n, rng, dtype=self.config.dtype)

    def evaluate(self, generator, step, out_dir):
        samples = self.generate(generator, step, self.config.eval_samples)
        save_snapshot(out_dir, step, samples)
        return mixture_metrics(samples, self.mixture.centers, self.mixture.std)

    def real_data_metrics(self, seed):
        """:func:`mixture_metrics` of ``eval_samples`` samples of the mixture itself, drawn with
        ``default_rng([seed, 2])``: a study's ceiling row."""
        samples = self.mixture.sample(self.config.eval_samples,
                                      np.random.default_rng([seed, 2]), dtype=self.config.dtype)
        return mixture_metrics(samples, self.mixture.centers, self.mixture.std)

    def finish(self, out_dir, history):
        """As every experiment finishes a run, after giving the records of a run folder written
        before the nearest-mode shares existed those shares, computed from each evaluation's
        saved samples (its metrics.jsonl is rewritten with them, so that a study reads them)."""
        samples_dir = Path(out_dir) / "samples"
        upgraded = False
        for record in history:
            if all(key in record for key in self._NEAREST_METRICS):
                continue
            path = samples_dir / f"step_{record['step']:07d}.npy"
            if not path.exists():
                continue
            metrics = mixture_metrics(np.load(path), self.mixture.centers, self.mixture.std)
            record.update({key: metrics[key] for key in self._NEAREST_METRICS})
            upgraded = True
        if upgraded:
            jsonfile.write_lines(Path(out_dir) / "metrics.jsonl", history)
        super().finish(out_dir, history)

    def summary(self, record):
        return {"modes": record["modes_covered_strict"],
                "hq": f"{record['high_quality_fraction']:.2f}",
                "kl": f"{record['kl_to_uniform']:.2f}"}

    def final_metrics(self, history):
        """The final evaluation, and how the fullest mode moved across the evaluations of the
        later half of training, by step (a collapsed GAN that rotates between modes changes its
        top mode often). On a regular grid of evaluations that is the later half of the records;
        by step, an extended run's extra record (its former final one) moves nothing."""
        final = history[-1]
        later_half = [r for r in history if 2 * r["step"] >= final["step"]]
        n_modes = len(final["mode_counts"])
        settled = [r["step"] for i, r in enumerate(history)
                   if all(later["modes_covered_strict"] == n_modes for later in history[i:])]
        top_modes = [r["top_mode"] for r in later_half]
        return {
            "final": final,
            # the first evaluation from which every mode stays covered strictly (None: never)
            "all_modes_from_step": settled[0] if settled else None,
            "later_half": {
                "evaluations": len(later_half),
                "mean_top_mode_mass": float(np.mean([r["top_mode_mass"] for r in later_half])),
                "mean_modes_covered_strict": float(np.mean([r["modes_covered_strict"]
                                                            for r in later_half])),
                "top_mode_changes": int(sum(a != b for a, b in zip(top_modes, top_modes[1:]))),
            },
        }

    def data_samples(self, n=2500):
        return self.mixture.sample(n, np.random.default_rng(0))

    def figure_through_time(self, rows, path):
        """The paper's Figure 1: one row of density snapshots per run, and the data."""
        return plots.density_grid(rows, self.data_samples(), path)

    @staticmethod
    def study_findings(summary):
        """The appendix's question of the second gradient term, for a study of variants that
        differ only in ``second_order`` (at one number of generator steps per discriminator
        step): the smallest K at which each converges, all modes covered strictly at the end on
        at least CONVERGED_SHARE of its seeds, and whether both terms need fewer steps than the
        first term alone, on these runs. One sentence per such pair of variants."""
        smallest, configs = {}, {}
        for row, entry in summary["runs"].items():
            if ", K=" not in row or not entry.get("per_seed"):
                continue
            variant = row.rsplit(", K=", 1)[0]
            config = entry["per_seed"][0]["config"]
            configs[variant] = config
            converged = entry["extras"]["seeds with all modes"]["value"]
            if converged >= CONVERGED_SHARE * entry["seeds"]:
                k = config["unroll_steps"]
                smallest[variant] = min(k, smallest.get(variant, k))
        findings = []
        for both, config in configs.items():
            alone = next((v for v, c in configs.items() if _same_but_second_order(c, config)),
                         None)
            if not config["second_order"] or alone is None:
                continue
            ks = _ks_of(summary, both) | _ks_of(summary, alone)
            k_both, k_alone = smallest.get(both), smallest.get(alone)
            fewer = k_both is not None and (k_alone is None or k_both < k_alone)
            findings.append(
                f"With {_pace(config['g_steps_per_d'])}, both terms ({both}) converge "
                f"{_from_k(k_both, ks)} and the first term alone ({alone}) {_from_k(k_alone, ks)} "
                f"(converged: all modes covered strictly at the end on at least "
                f"{CONVERGED_SHARE:.0%} of the seeds): on these runs the second term "
                f"{'lets' if fewer else 'does not let'} unrolling converge with fewer steps.")
        return findings

    @staticmethod
    def study_extras(runs):
        """Columns of a study's table from all runs of one K: how many seeds cover every mode
        strictly, from which evaluation on (JSON only), and how often the fullest mode moved."""
        finals = [run["final"] for run in runs]
        n_modes = len(finals[0]["mode_counts"])
        all_modes = sum(f["modes_covered_strict"] == n_modes for f in finals)
        changes = float(np.mean([run["later_half"]["top_mode_changes"] for run in runs]))
        return {
            "seeds with all modes": {"value": all_modes, "cell": f"{all_modes}/{len(runs)}"},
            "all modes from step": {"value": [run["all_modes_from_step"] for run in runs],
                                    "cell": None},
            "top-mode changes (later half)": {"value": changes, "cell": f"{changes:.1f}"},
            "mean top-mode mass (later half)": {
                "value": float(np.mean([run["later_half"]["mean_top_mode_mass"]
                                        for run in runs])),
                "cell": None},
        }


CONVERGED_SHARE = 0.8  # of a configuration's seeds: the appendix's "converges", 4 of 5 seeds


def _same_but_second_order(config, other):
    """Whether two runs' configs differ in ``second_order`` alone (their K and seed aside)."""
    ignored = ("second_order", "unroll_steps", "seed")
    return config["second_order"] != other["second_order"] and all(
        config[key] == other[key] for key in config if key not in ignored)


def _ks_of(summary, variant):
    """The K of a variant's rows in a study's summary."""
    return {int(row.rsplit("=", 1)[1]) for row in summary["runs"]
            if row.startswith(f"{variant}, K=")}


def _pace(g_steps_per_d):
    if g_steps_per_d == 1:
        return "one generator step per discriminator step"
    return f"{g_steps_per_d} generator steps per discriminator step (a lagging discriminator)"


def _from_k(k, ks):
    return f"from K={k}" if k is not None else f"at no K up to {max(ks)}"
