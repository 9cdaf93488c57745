"""A grid of mixture runs (K x seed) and the table of their final metrics, mean and spread:
the command behind the tables of docs/reproduction.md.

    python -m ugan study --preset demo --ks 0 10 --seeds 0 1 2 --out runs/study-demo

Runs already finished are re-read, unfinished ones resumed, so a study can be stopped and
continued."""

import json
from pathlib import Path

import numpy as np

from ugan import plots
from ugan.experiments.mixture import (MixtureExperiment, config_from, snapshot_samples,
                                     write_final_metrics)
from ugan.train import GANTrainer

COLUMNS = (("modes_covered_strict", "modes (strict)"), ("high_quality_fraction", "high quality"),
           ("reverse_kl", "reverse KL"), ("top_mode_mass", "top mode mass"))
PLOTTED = ("modes_covered_strict", "high_quality_fraction", "top_mode_mass")


def run_study(preset, ks, seeds, out_dir, progress=True, **overrides):
    """Run (or resume, or re-read) every (K, seed); write summary.json, figure1.png (one row per
    K, the first seed's run) and metrics.png (each metric averaged over the seeds)."""
    out_dir = Path(out_dir)
    results, histories, rows = {}, {}, []
    experiment = None
    for k in ks:
        for seed in seeds:
            config = config_from(preset, unroll_steps=k, seed=seed, **overrides)
            experiment = MixtureExperiment(config)
            run_dir = out_dir / f"K{k}-seed{seed}"
            history = GANTrainer(experiment, run_dir).run(resume=True, progress=progress)
            results.setdefault(k, []).append(write_final_metrics(run_dir, history))
            histories.setdefault(k, []).append(history)
            if seed == seeds[0]:
                rows.append((f"K={k}, seed {seed}", snapshot_samples(run_dir, history)))
    summary = summarize(results)
    (out_dir / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    plots.density_grid(rows, experiment.data_samples(), out_dir / "figure1.png")
    plots.metric_curves({f"K={k} ({len(h)} seeds)": _seed_mean(h) for k, h in histories.items()},
                        list(PLOTTED), out_dir / "metrics.png")
    return summary


def _seed_mean(histories):
    """The records of several runs evaluated at the same steps, averaged over the runs."""
    return [{"step": records[0]["step"],
             **{key: float(np.mean([r[key] for r in records])) for key in PLOTTED}}
            for records in zip(*histories)]


def summarize(results):
    """Per K: mean, standard deviation and min/max over seeds of each final metric, how many
    seeds cover every mode strictly, and how often the fullest mode changed in the later half."""
    summary = {}
    for k, runs in results.items():
        finals = [run["final"] for run in runs]
        entry = {"seeds": len(runs)}
        for key, _ in COLUMNS:
            values = np.array([f[key] for f in finals], dtype=float)
            with np.errstate(invalid="ignore"):  # a run with no sample near a mode: KL = inf
                spread = float(values.std())
            entry[key] = {"mean": float(values.mean()), "std": spread,
                          "min": float(values.min()), "max": float(values.max())}
        n_modes = len(finals[0]["mode_counts"])
        entry["seeds_all_modes_strict"] = sum(f["modes_covered_strict"] == n_modes for f in finals)
        entry["all_modes_from_step"] = [run["all_modes_from_step"] for run in runs]
        entry["mean_top_mode_changes_later_half"] = float(np.mean(
            [run["later_half"]["top_mode_changes"] for run in runs]))
        entry["mean_top_mode_mass_later_half"] = float(np.mean(
            [run["later_half"]["mean_top_mode_mass"] for run in runs]))
        summary[str(k)] = entry
    return summary


def format_summary(summary):
    header = "| K | seeds | " + " | ".join(title for _, title in COLUMNS) + \
             " | seeds with all modes | top-mode changes (later half) |"
    lines = [header, "|" + " --- |" * (len(COLUMNS) + 4)]
    for k, entry in summary.items():
        cells = [f"{entry[key]['mean']:.3g} ± {entry[key]['std']:.2g}" for key, _ in COLUMNS]
        lines.append(f"| {k} | {entry['seeds']} | " + " | ".join(cells) +
                     f" | {entry['seeds_all_modes_strict']}/{entry['seeds']} | "
                     f"{entry['mean_top_mode_changes_later_half']:.1f} |")
    return "\n".join(lines)
