"""A grid of runs of one experiment (K x seed) and the table of their final metrics, mean and
spread: the command behind the tables of docs/reproduction.md.

    python -m ugan study --preset demo --ks 0 10 --seeds 0 1 2 --out runs/study-demo
    python -m ugan study --experiment stacked --ks 0 10 --seeds 0 1 --out runs/study-stacked

Runs already finished are re-read, unfinished ones resumed, so a study can be stopped and
continued. An experiment module supplies ``STUDY_COLUMNS`` (the final metrics in the table) and,
optionally, ``study_extras(runs)`` (more entries computed from all of a K's runs; those with a
``cell`` are columns of the table) and ``compare_with_baseline(baseline_dirs, run_dirs)``
(entries comparing a K's run folders with those of the study's first K, seed by seed)."""

from pathlib import Path

import numpy as np

from ugan import jsonfile, plots
from ugan.experiments import EXPERIMENTS
from ugan.train import GANTrainer


def run_study(preset, ks, seeds, out_dir, progress=True, experiment="mixture", **overrides):
    """Run (or resume, or re-read) every (K, seed); write summary.json, the through-time figure
    (one row per K, the first seed's run) and metrics.png (each metric averaged over the seeds)."""
    module = EXPERIMENTS[experiment]
    out_dir = Path(out_dir)
    results, histories, run_dirs, rows = {}, {}, {}, []
    for k in ks:
        for seed in seeds:
            runner = module.Experiment(module.config_from(preset, unroll_steps=k, seed=seed,
                                                          **overrides))
            run_dir = out_dir / f"K{k}-seed{seed}"
            history = GANTrainer(runner, run_dir).run(resume=True, progress=progress)
            results.setdefault(k, []).append(jsonfile.read(run_dir / "metrics.json"))
            histories.setdefault(k, []).append(history)
            run_dirs.setdefault(k, []).append(run_dir)
            if seed == seeds[0]:
                rows.append((f"K={k}, seed {seed}", runner.snapshots(run_dir, history)))
    summary = {"experiment": experiment,
               "runs": summarize(results, module.STUDY_COLUMNS,
                                 getattr(module, "study_extras", None))}
    if hasattr(module, "compare_with_baseline"):
        for k in ks:
            summary["runs"][str(k)]["extras"].update(
                module.compare_with_baseline(run_dirs[ks[0]], run_dirs[k]))
    jsonfile.write(out_dir / "summary.json", summary)
    runner.figure_through_time(rows, out_dir / runner.figure_name)
    plots.metric_curves({f"K={k} ({len(h)} seeds)": _seed_mean(h, runner.curves)
                         for k, h in histories.items()}, list(runner.curves),
                        out_dir / "metrics.png")
    return summary


def _seed_mean(histories, keys):
    """The records of several runs evaluated at the same steps, averaged over the runs."""
    return [{"step": records[0]["step"],
             **{key: float(np.mean([r[key] for r in records])) for key in keys}}
            for records in zip(*histories)]


def summarize(results, columns, extras=None):
    """Per K: mean, standard deviation and min/max over seeds of each final metric in
    ``columns``, and the entries ``extras(runs)`` adds (each {"value": ..., "cell": ...})."""
    summary = {}
    for k, runs in results.items():
        finals = [run["final"] for run in runs]
        entry = {"seeds": len(runs)}
        for key, _ in columns:
            values = np.array([f[key] for f in finals], dtype=float)
            with np.errstate(invalid="ignore"):  # e.g. a run with no sample near a mode: KL = inf
                spread = float(values.std())
            entry[key] = {"mean": float(values.mean()), "std": spread,
                          "min": float(values.min()), "max": float(values.max())}
        entry["extras"] = extras(runs) if extras else {}
        summary[str(k)] = entry
    return summary


def format_summary(summary, columns):
    runs = summary["runs"]
    extra_titles = [title for title, extra in next(iter(runs.values()))["extras"].items()
                    if extra["cell"] is not None]
    header = "| K | seeds | " + " | ".join([title for _, title in columns] + extra_titles) + " |"
    lines = [header, "|" + " --- |" * (len(columns) + len(extra_titles) + 2)]
    for k, entry in runs.items():
        cells = [f"{entry[key]['mean']:.3g} ± {entry[key]['std']:.2g}" for key, _ in columns]
        cells += [extra["cell"] for extra in entry["extras"].values() if extra["cell"] is not None]
        lines.append(f"| {k} | {entry['seeds']} | " + " | ".join(cells) + " |")
    return "\n".join(lines)
