"""A grid of runs of one experiment (K x seed) and the table of their final metrics, mean and
spread: the command behind the tables of docs/reproduction.md.

    python -m ugan study --preset demo --ks 0 10 --seeds 0 1 2 --out runs/study-demo
    python -m ugan study --experiment stacked --ks 0 10 --seeds 0 1 --out runs/study-stacked

Runs already finished are re-read, unfinished ones resumed, so a study can be stopped and
continued. An experiment module supplies ``STUDY_COLUMNS`` (the final metrics in the table) and,
optionally, ``study_extras(runs)`` (more entries computed from all of a K's runs; those with a
``cell`` are columns of the table) and ``compare_with_baseline(baseline_dirs, run_dirs)``
(entries comparing a K's run folders with those of the study's first K, seed by seed)."""

import sys
from pathlib import Path

import numpy as np

from ugan import jsonfile, plots
from ugan.experiments import EXPERIMENTS
from ugan.train import DivergenceError, GANTrainer


def run_study(preset, ks, seeds, out_dir, progress=True, experiment="mixture", **overrides):
    """Run (or resume, or re-read) every (K, seed); write summary.json, the through-time figure
    (one row per K, the first seed's run) and metrics.png (each metric averaged over the seeds).
    A run that diverges is reported as such (on stderr and in the summary) and left out of the
    means."""
    module = EXPERIMENTS[experiment]
    out_dir = Path(out_dir)
    results, histories, run_dirs, diverged, rows = {}, {}, {}, {}, []
    for k in ks:
        results[k], run_dirs[k] = [], {}
        for seed in seeds:
            runner = module.Experiment(module.config_from(preset, unroll_steps=k, seed=seed,
                                                          **overrides))
            run_dir = out_dir / f"K{k}-seed{seed}"
            try:
                history = GANTrainer(runner, run_dir).run(resume=True, progress=progress)
            except DivergenceError as error:
                print(f"study: seed {seed}: {error}", file=sys.stderr)
                diverged.setdefault(k, []).append(seed)
                continue
            results[k].append(jsonfile.read(run_dir / "metrics.json"))
            histories.setdefault(k, []).append(history)
            run_dirs[k][seed] = run_dir
            if seed == seeds[0]:
                rows.append((f"K={k}, seed {seed}", runner.snapshots(run_dir, history)))
    summary = {"experiment": experiment,
               "runs": summarize(results, module.STUDY_COLUMNS,
                                 getattr(module, "study_extras", None), diverged)}
    if hasattr(module, "compare_with_baseline"):
        for k in ks:
            both = [seed for seed in seeds if seed in run_dirs[k] and seed in run_dirs[ks[0]]]
            if both:
                    summary["runs"][str(k)]["extras"].update(module.compare_with_baseline(
                    [run_dirs[ks[0]][seed] for seed in both],
                    [run_dirs[k][seed] for seed in both]))
    jsonfile.write(out_dir / "summary.json", summary)
    if rows:
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


def summarize(results, columns, extras=None, diverged=None):
    """Per K: mean, standard deviation and min/max over seeds of each final metric in
    ``columns``, and the entries ``extras(runs)`` adds (each {"value": ..., "cell": ...});
    ``diverged`` lists, per K, the seeds whose runs diverged (a K none of whose runs finished
    has no metrics)."""
    diverged = diverged or {}
    summary = {}
    for k, runs in results.items():
        finals = [run["final"] for run in runs]
        entry = {"seeds": len(runs), "diverged": diverged.get(k, [])}
        for key, _ in columns if runs else ():
            values = np.array([f[key] for f in finals], dtype=float)
            with np.errstate(invalid="ignore"):  # e.g. a run with no sample near a mode: KL = inf
                spread = float(values.std())
            entry[key] = {"mean": float(values.mean()), "std": spread,
                          "min": float(values.min()), "max": float(values.max())}
        entry["extras"] = extras(runs) if extras and runs else {}
        summary[str(k)] = entry
    return summary


def format_summary(summary, columns):
    runs = summary["runs"]
    extra_titles = list(dict.fromkeys(title for entry in runs.values()
                                      for title, extra in entry["extras"].items()
                                      if extra["cell"] is not None))
    header = "| K | seeds | " + " | ".join([title for _, title in columns] + extra_titles) + " |"
    lines = [header, "|" + " --- |" * (len(columns) + len(extra_titles) + 2)]
    for k, entry in runs.items():
        cells = [f"{entry[key]['mean']:.3g} ± {entry[key]['std']:.2g}" if key in entry
                 else "diverged" for key, _ in columns]
        cells += [entry["extras"][title]["cell"] if title in entry["extras"] else "diverged"
                  for title in extra_titles]
        seeds = str(entry["seeds"])
        if entry["diverged"]:
            seeds += f" ({len(entry['diverged'])} diverged)"
        lines.append(f"| {k} | {seeds} | " + " | ".join(cells) + " |")
    return "\n".join(lines)
