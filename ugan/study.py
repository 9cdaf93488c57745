"""A grid of runs of one experiment (K x seed) and the table of their final metrics, per seed
and as mean ± standard error, beside the real-data and untrained-generator rows
(``ugan.results``): the command behind the tables of docs/reproduction.md.

    python -m ugan study mixture --preset demo --ks 0 10 --seeds 0 1 2 --out runs/study-demo
    python -m ugan study stacked --ks 0 10 --seeds 0 1 --out runs/study-stacked

Variants of the experiment's options (``--variant NAME OPTION=VALUE ...``) make more rows: each
variant runs over the Ks (only the one it sets, if it sets ``unroll_steps``) and seeds in
``out/NAME/K{k}-seed{seed}``, and the table has a row per variant and K:

    python -m ugan study mixture --ks 1 5 --seeds 0 1 --variant stop-gradient second_order=false \
        --variant lagging g_steps_per_d=5 --out runs/study-ablations

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

import dataclasses
import functools
import re
from collections import namedtuple
from pathlib import Path

import numpy as np

from ugan import jsonfile
from ugan.experiments import EXPERIMENTS
from ugan.options import flags_of, parse_assignments
from ugan.folder_lock import one_writer
from ugan.results import row_entry
from ugan.revision import git_revision, training_revisions
from ugan.train import GANTrainer, read_history

class Run(namedtuple("Run", "k seed path variant options", defaults=(None, ()))):
    """One run of a study: its K, its seed, its folder, and its variant's name and options
    ((option, value) pairs; none outside a variant)."""

    @property
    def name(self):
        """The run's key in a study's results: its folder name ``K{k}-seed{seed}``, under its
        variant's name if it has one."""
        return self.path.name if self.variant is None else f"{self.variant}/{self.path.name}"

    @property
    def row(self):
        """The run's row of the study's table: its K, or its variant and K."""
        return str(self.k) if self.variant is None else f"{self.variant}, K={self.k}"


def study_runs(ks, seeds, out_dir, variants=None):
    """The study's runs, K by K, each with its folder ``out_dir/K{k}-seed{seed}``; with
    ``variants`` ([(name, {option: value})]), those of each variant in ``out_dir/name/``, over
    its own K if it sets ``unroll_steps``."""
    if not variants:
        return [Run(k, seed, Path(out_dir) / f"K{k}-seed{seed}") for k in ks for seed in seeds]
    return [Run(k, seed, Path(out_dir) / name / f"K{k}-seed{seed}", name,
                tuple((key, value) for key, value in options.items() if key != "unroll_steps"))
            for name, options in variants
            for k in ([options["unroll_steps"]] if "unroll_steps" in options else ks)
            for seed in seeds]


def parse_variant(experiment_class, words):
    """(name, {option: value}) from ``NAME OPTION=VALUE ...`` (``--variant``): each option one
    of the experiment's, its value read as its flag reads it. ValueError for a bad one."""
    name, *assignments = words
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", name):
        raise ValueError(f"--variant: the name {name!r} is a folder name: letters, digits, "
                         "'.', '_' and '-'")
    return name, parse_assignments(experiment_class, assignments, f"--variant {name}")


def run_config(experiment_class, preset, overrides, run):
    """The config of one ``run`` of a study: the preset, the study's ``overrides``, the run's
    variant options, K and seed."""
    return experiment_class.config_from(preset, **{**overrides, **dict(run.options)},
                                        unroll_steps=run.k, seed=run.seed)


def run_command(experiment_class, preset, config, out_dir, progress=True):
    """The arguments after ``python`` that train the run of ``config`` in ``out_dir`` on its
    own: its experiment and preset, a flag for each option that differs from the preset's (and
    always its K and seed), and ``--resume``, so that the command continues a stopped run."""
    return ["-m", "ugan", experiment_class.name, "--preset", preset,
            *flags_of(config, experiment_class.presets[preset], always=("unroll_steps", "seed")),
            "--out", str(out_dir), "--resume", *([] if progress else ["--no-progress"])]


def train_run(run, progress=True, experiment="mixture", preset="demo", overrides=None):
    """Train (or resume, or re-read) one run in this process. Returns None when it finished,
    else what went wrong: any error of the run is caught, so that a study goes on."""
    experiment_class = EXPERIMENTS[experiment]
    try:
        config = run_config(experiment_class, preset, overrides or {}, run)
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
              variants=None, **overrides):
    """Run (or resume, or re-read) every (K, seed), of every variant if ``variants`` are given
    (see :func:`study_runs`), through ``launch(runs, train, progress)`` (default:
    ``run_serially``), which returns {run name: None or its error}; write summary.json (see
    :func:`summary_of`), the through-time figure (one row per K, its first finished seed's run)
    and metrics.png (each metric averaged over the seeds)."""
    experiment_class = EXPERIMENTS[experiment]
    out_dir = Path(out_dir)
    runs = study_runs(ks, seeds, out_dir, variants)
    for options in {run.options for run in runs}:  # an option it lacks: an error, no runs
        experiment_class.config_from(preset, **{**overrides, **dict(options)})
    train = functools.partial(train_run, experiment=experiment, preset=preset,
                              overrides=overrides)
    out_dir.mkdir(parents=True, exist_ok=True)
    with one_writer(out_dir, "a study"):
        errors = (launch or run_serially)(runs, train, progress)
        return _summarise(experiment_class, preset, overrides, seeds, runs, errors, out_dir)


def _summarise(experiment_class, preset, overrides, seeds, runs, errors, out_dir):
    """summary.json and the figures of :func:`run_study`, with the study folder's lock held."""
    summary = summary_of(experiment_class, preset, overrides, seeds, runs, errors, out_dir)
    jsonfile.write(out_dir / "summary.json", summary)
    finished = [run for run in runs if errors[run.name] is None]
    if finished:
        rows = list(dict.fromkeys(run.row for run in runs))
        _draw_figures(experiment_class, preset, overrides,
                      {row: [run for run in finished if run.row == row] for row in rows}, out_dir)
    return summary


def summary_of(experiment_class, preset, overrides, seeds, runs, errors, out_dir):
    """What summary.json holds: the experiment, preset and options, the code's git revision,
    the table's columns, the baseline rows (``ugan.results``), and per row its values over the
    seeds, its extras, its failed runs and, per seed, the run's config, metrics.json and every
    evaluation's record, so that any table can be re-made or re-scored from it alone; and the
    experiment's findings (``study_findings``), the sentences printed under the table."""
    columns = [list(column) for column in experiment_class.study_columns]
    finished = [run for run in runs if errors[run.name] is None]
    rows = list(dict.fromkeys(run.row for run in runs))
    by_k = {row: [run for run in finished if run.row == row] for row in rows}
    results = {row: [jsonfile.read(run.path / "metrics.json") for run in row_runs]
               for row, row_runs in by_k.items()}
    summary_runs = {}
    for row in rows:
        entry = results_row(results[row], columns, experiment_class.study_extras)
        entry["failed"] = [{"seed": run.seed, "error": errors[run.name]}
                           for run in runs if run.row == row and errors[run.name]]
        entry["per_seed"] = [{"seed": run.seed, "config": jsonfile.read(run.path / "config.json"),
                              "trained_by": training_revisions(run.path),
                              "metrics": metrics, "history": read_history(run.path)}
                             for run, metrics in zip(by_k[row], results[row])]
        pairs = _same_seeds(_baseline(runs, by_k, row), by_k[row])
        if pairs:
            entry["extras"].update(experiment_class.compare_with_baseline(
                *zip(*[(a.path, b.path) for a, b in pairs])))
        summary_runs[row] = entry
    compared = experiment_class.compare_configurations(
        {k: {run.seed: run.path for run in k_runs} for k, k_runs in by_k.items() if k_runs},
        out_dir)
    for k, entries in compared.items():
        summary_runs[str(k)]["extras"].update(entries)
    summary = {"experiment": experiment_class.name, "preset": preset,
               "options": {key: value for key, value in overrides.items() if value is not None},
               "seeds": list(seeds), "revision": git_revision(),
               "trained_by": sorted({entry["revision"] or "unknown"
                                     for row in summary_runs.values()
                                     for seed in row["per_seed"]
                                     for entry in seed["trained_by"] or ()}),
               "columns": columns,
               "baselines": baselines(experiment_class, preset, overrides, seeds, by_k, columns,
                                      out_dir),
               "runs": summary_runs}
    summary["findings"] = experiment_class.study_findings(summary)
    return summary


def results_row(runs, columns, extras=None):
    """A row of the table from its finished runs' metrics.json: the final metrics of
    ``columns`` over the seeds (``ugan.results.row_entry``) and the entries ``extras(runs)``
    adds (each {"value": ..., "cell": ...})."""
    entry = row_entry([run["final"] for run in runs], columns)
    entry["extras"] = extras(runs) if extras and runs else {}
    return entry


def baselines(experiment_class, preset, overrides, seeds, by_k, columns, out_dir):
    """The table's baseline rows (``ugan.results``): the experiment's metrics of real data for
    each seed (kept in ``real-data.json`` beside summary.json, recomputed where the options
    changed), and the untrained generator's, each seed's first evaluation (step 0) in the runs
    of the first row that has any."""
    config = experiment_class.config_from(preset, **overrides)
    options = {key: value for key, value in dataclasses.asdict(config).items()
               if key not in ("seed", "unroll_steps")}
    path = Path(out_dir) / "real-data.json"
    kept = jsonfile.read(path) if path.exists() else {}
    if kept.get("options") != jsonfile.loads(jsonfile.dumps(options)):
        kept = {"options": options, "seeds": {}}
    for seed in seeds:
        if str(seed) not in kept["seeds"]:
            experiment = experiment_class(dataclasses.replace(config, seed=seed))
            kept["seeds"][str(seed)] = experiment.real_data_metrics(seed)
            jsonfile.write(path, kept)
    first_runs = next((row_runs for row_runs in by_k.values() if row_runs), [])
    untrained = [read_history(run.path)[0] for run in first_runs]
    return {"real data": row_entry([kept["seeds"][str(seed)] for seed in seeds], columns),
            "untrained generator": row_entry([r for r in untrained if r["step"] == 0], columns)}


def _baseline(runs, by_k, row):
    """The finished runs that the runs of ``row`` are compared with: those of the first K (of
    the same variant)."""
    variant = next(run.variant for run in runs if run.row == row)
    return by_k[next(run.row for run in runs if run.variant == variant)]


def _same_seeds(baseline_runs, runs):
    """(baseline run, run) pairs of the same seed, both finished."""
    baseline = {run.seed: run for run in baseline_runs}
    return [(baseline[run.seed], run) for run in runs if run.seed in baseline]


def _draw_figures(experiment_class, preset, overrides, by_k, out_dir):
    """The through-time figure (one row per K: its first finished run) and metrics.png (each
    curve averaged over a K's finished runs)."""
    first = next(k_runs[0] for k_runs in by_k.values() if k_runs)
    experiment = experiment_class(run_config(experiment_class, preset, overrides, first))
    histories = {row: [read_history(run.path) for run in k_runs]
                 for row, k_runs in by_k.items() if k_runs}
    titles = {row: _row_title(by_k[row][0]) for row in histories}
    experiment.draw([(f"{titles[row]}, seed {by_k[row][0].seed}", by_k[row][0].path, h[0])
                     for row, h in histories.items()],
                    {f"{titles[row]} ({len(h)} seeds)": _seed_mean(h, experiment.curves)
                     for row, h in histories.items()}, out_dir)


def _row_title(run):
    """A row's label in the figures: ``K=5``, or ``variant, K=5``."""
    return f"K={run.k}" if run.variant is None else run.row


def _seed_mean(histories, keys):
    """The records of several runs at the steps that all of them evaluated, averaged over the
    runs (a run continued to more steps also holds the record of its former end)."""
    by_step = [{record["step"]: record for record in history} for history in histories]
    shared = set.intersection(*(set(records) for records in by_step))
    return [{"step": step,
             **{key: float(np.mean([records[step][key] for records in by_step])) for key in keys}}
            for step in sorted(shared)]
