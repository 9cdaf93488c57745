"""A grid of runs of one experiment (K x seed) and the table of their final metrics, mean and
spread: the command behind the tables of docs/reproduction.md.

    python -m ugan study --preset demo --ks 0 10 --seeds 0 1 2 --out runs/study-demo
    python -m ugan study --experiment stacked --ks 0 10 --seeds 0 1 --out runs/study-stacked

Runs already finished are re-read, unfinished ones resumed, so a study can be stopped and
continued. A run that fails (an error, a divergence) is reported in the table and the others go
on. The runs are trained one after another in this process, or by a ``launch`` function that
runs them elsewhere (``ugan.parallel``: processes on this machine; ``ugan.cluster``: a Dask
cluster); either way the table is then made from the run folders.

The experiment (``ugan.experiments.base.Experiment``) gives the table's columns
(``study_columns``, the final metrics; ``study_extras(runs)``, more entries computed from all of
a K's runs, those with a ``cell`` being columns of the table; ``compare_with_baseline``, entries
comparing a K's run folders with those of the study's first K, seed by seed;
``compare_configurations``, entries comparing the run folders of all K at once) and draws the
figures (``draw``)."""

import functools
from collections import namedtuple
from pathlib import Path

import numpy as np

from ugan import jsonfile
from ugan.experiments import EXPERIMENTS
from ugan.train import GANTrainer, read_history

class Run(namedtuple("Run", "k seed path")):
    """One run of a study: its K, its seed and its folder."""

    @property
    def name(self):
        """The run's folder name, ``K{k}-seed{seed}``: its key in a study's results."""
        return self.path.name


def study_runs(ks, seeds, out_dir):
    """The study's runs, K by K, each with its folder ``out_dir/K{k}-seed{seed}``."""
    return [Run(k, seed, Path(out_dir) / f"K{k}-seed{seed}") for k in ks for seed in seeds]


def train_run(run, progress=True, experiment="mixture", preset="demo", overrides=None):
    """Train (or resume, or re-read) one run in this process. Returns None when it finished,
    else what went wrong: any error of the run is caught, so that a study goes on."""
    experiment_class = EXPERIMENTS[experiment]
    try:
        config = experiment_class.config_from(preset, unroll_steps=run.k, seed=run.seed,
                                              **(overrides or {}))
        GANTrainer(experiment_class(config), run.path).run(resume=True, progress=progress)
    except Exception as error:  # noqa: BLE001 -- a failed run is a result of the study
        return describe_error(error)
    return None


def describe_error(error):
    """An error as one line: its type and message."""
    return " ".join(f"{type(error).__name__}: {error}".split())


def run_serially(runs, train, progress):
    """The default launch: every run in this process, one after another."""
    return {run.name: train(run, progress=progress) for run in runs}


def run_study(preset, ks, seeds, out_dir, progress=True, experiment="mixture", launch=None,
              **overrides):
    """Run (or resume, or re-read) every (K, seed) through ``launch(runs, train, progress)``
    (default: ``run_serially``), which returns {run name: None or its error}; write
    summary.json, the through-time figure (one row per K, its first finished seed's run) and
    metrics.png (each metric averaged over the seeds)."""
    experiment_class = EXPERIMENTS[experiment]
    experiment_class.config_from(preset, **overrides)  # an option it lacks: an error, no runs
    out_dir = Path(out_dir)
    runs = study_runs(ks, seeds, out_dir)
    train = functools.partial(train_run, experiment=experiment, preset=preset,
                              overrides=overrides)
    errors = (launch or run_serially)(runs, train, progress)
    finished = [run for run in runs if errors[run.name] is None]
    by_k = {k: [run for run in finished if run.k == k] for k in ks}
    results = {k: [jsonfile.read(run.path / "metrics.json") for run in k_runs]
               for k, k_runs in by_k.items()}
    summary = {"experiment": experiment,
               "runs": summarize(results, experiment_class.study_columns,
                                 experiment_class.study_extras)}
    for k in ks:
        summary["runs"][str(k)]["failed"] = [{"seed": run.seed, "error": errors[run.name]}
                                             for run in runs if run.k == k and errors[run.name]]
        pairs = _same_seeds(by_k[ks[0]], by_k[k])
        if pairs:
            summary["runs"][str(k)]["extras"].update(experiment_class.compare_with_baseline(
                *zip(*[(a.path, b.path) for a, b in pairs])))
    compared = experiment_class.compare_configurations(
        {k: {run.seed: run.path for run in k_runs} for k, k_runs in by_k.items() if k_runs})
    for k, entries in compared.items():
        summary["runs"][str(k)]["extras"].update(entries)
    out_dir.mkdir(parents=True, exist_ok=True)
    jsonfile.write(out_dir / "summary.json", summary)
    if finished:
        _draw_figures(experiment_class, preset, overrides, by_k, out_dir)
    return summary


def _same_seeds(baseline_runs, runs):
    """(baseline run, run) pairs of the same seed, both finished."""
    baseline = {run.seed: run for run in baseline_runs}
    return [(baseline[run.seed], run) for run in runs if run.seed in baseline]


def _draw_figures(experiment_class, preset, overrides, by_k, out_dir):
    """The through-time figure (one row per K: its first finished run) and metrics.png (each
    curve averaged over a K's finished runs)."""
    first = next(k_runs[0] for k_runs in by_k.values() if k_runs)
    experiment = experiment_class(experiment_class.config_from(
        preset, unroll_steps=first.k, seed=first.seed, **overrides))
    histories = {k: [read_history(run.path) for run in k_runs]
                 for k, k_runs in by_k.items() if k_runs}
    experiment.draw([(f"K={k}, seed {by_k[k][0].seed}", by_k[k][0].path, h[0])
                     for k, h in histories.items()],
                    {f"K={k} ({len(h)} seeds)": _seed_mean(h, experiment.curves)
                     for k, h in histories.items()}, out_dir)


def _seed_mean(histories, keys):
    """The records of several runs evaluated at the same steps, averaged over the runs."""
    return [{"step": records[0]["step"],
             **{key: float(np.mean([r[key] for r in records])) for key in keys}}
            for records in zip(*histories)]


def summarize(results, columns, extras=None):
    """Per K: mean, standard deviation and min/max over seeds of each final metric in
    ``columns``, and the entries ``extras(runs)`` adds (each {"value": ..., "cell": ...}).
    A K with no finished run has only its count of seeds, 0."""
    summary = {}
    for k, runs in results.items():
        finals = [run["final"] for run in runs]
        entry = {"seeds": len(runs)}
        for key, _ in columns:
            if not runs:
                break
            values = np.array([f[key] for f in finals], dtype=float)
            with np.errstate(invalid="ignore"):  # e.g. a run with no sample near a mode: KL = inf
                spread = float(values.std())
            entry[key] = {"mean": float(values.mean()), "std": spread,
                          "min": float(values.min()), "max": float(values.max())}
        entry["extras"] = extras(runs) if extras and runs else {}
        summary[str(k)] = entry
    return summary


def format_summary(summary, columns):
    """The study's table in Markdown: a row per K, mean ± standard deviation over its finished
    seeds; a last column names the failed runs and why, when there are any."""
    runs = summary["runs"]
    extra_titles = list(dict.fromkeys(title for entry in runs.values()
                                      for title, extra in entry["extras"].items()
                                      if extra["cell"] is not None))
    failures = any(entry.get("failed") for entry in runs.values())
    titles = [title for _, title in columns] + extra_titles + ["failed runs"] * failures
    lines = ["| K | seeds | " + " | ".join(titles) + " |", "|" + " --- |" * (len(titles) + 2)]
    for k, entry in runs.items():
        cells = [f"{entry[key]['mean']:.3g} ± {entry[key]['std']:.2g}" if key in entry else "-"
                 for key, _ in columns]
        cells += [entry["extras"][title]["cell"] if title in entry["extras"] else "-"
                  for title in extra_titles]
        if failures:
            cells.append("; ".join(f"seed {failed['seed']}: {failed['error']}"
                                   for failed in entry.get("failed", [])).replace("|", "/")
                         or "-")
        lines.append(f"| {k} | {entry['seeds']} | " + " | ".join(cells) + " |")
    return "\n".join(lines)

