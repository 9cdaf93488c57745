"""A grid of runs of one experiment (K x seed) and the table of their final metrics, mean and
spread: the command behind the tables of docs/reproduction.md.

    python -m ugan study --preset demo --ks 0 10 --seeds 0 1 2 --out runs/study-demo
    python -m ugan study --experiment stacked --ks 0 10 --seeds 0 1 --out runs/study-stacked

Variants of the experiment's options (``--variant NAME OPTION=VALUE ...``) make more rows: each
variant runs over the Ks (only the one it sets, if it sets ``unroll_steps``) and seeds in
``out/NAME/K{k}-seed{seed}``, and the table has a row per variant and K:

    python -m ugan study --ks 1 5 --seeds 0 1 --variant stop-gradient second_order=false \
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
from ugan.experiments.base import mean_and_spread
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


VALUES = {"true": True, "false": False}


def parse_variant(experiment_class, words):
    """(name, {option: value}) from ``NAME OPTION=VALUE ...`` (``--variant``): each option one
    of the experiment's, its value converted to the option's type. ValueError for a bad one."""
    name, *assignments = words
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", name):
        raise ValueError(f"--variant: the name {name!r} is a folder name: letters, digits, "
                         "'.', '_' and '-'")
    return name, parse_options(experiment_class, assignments, f"--variant {name}")


def parse_options(experiment_class, assignments, flag):
    """{option: value} from ``OPTION=VALUE`` words (``--variant``'s, or a run's ``--set``): each
    option one of the experiment's, its value converted to the option's type. ValueError, whose
    message starts with ``flag``, for a bad one."""
    defaults = experiment_class.presets["demo"]
    types = {field.name: type(getattr(defaults, field.name))
             for field in dataclasses.fields(defaults)}
    # an option that is None by default (data_dir) takes text
    types.update({name: str for name, kind in types.items() if kind is type(None)})
    options = {}
    for assignment in assignments:
        key, equals, text = assignment.partition("=")
        if not equals or key not in types:
            raise ValueError(f"{flag}: expected OPTION=VALUE with OPTION one of the "
                             f"{experiment_class.name} options {sorted(types)}, got "
                             f"{assignment!r}")
        try:
            options[key] = (VALUES[text.lower()] if types[key] is bool else types[key](text))
        except (KeyError, ValueError):
            raise ValueError(f"{flag}: {key} takes a {types[key].__name__}"
                             f"{' (true or false)' if types[key] is bool else ''}, got "
                             f"{text!r}") from None
    return options


def option_words(options):
    """``OPTION=VALUE`` words that :func:`parse_options` reads back as ``options`` (pairs)."""
    return [f"{key}={str(value).lower() if isinstance(value, bool) else value}"
            for key, value in options]


def train_run(run, progress=True, experiment="mixture", preset="demo", overrides=None):
    """Train (or resume, or re-read) one run in this process. Returns None when it finished,
    else what went wrong: any error of the run is caught, so that a study goes on."""
    experiment_class = EXPERIMENTS[experiment]
    try:
        config = experiment_class.config_from(preset, unroll_steps=run.k, seed=run.seed,
                                              **{**(overrides or {}), **dict(run.options)})
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
    ``run_serially``), which returns {run name: None or its error}; write summary.json, the
    through-time figure (one row per K, its first finished seed's run) and metrics.png (each
    metric averaged over the seeds)."""
    experiment_class = EXPERIMENTS[experiment]
    out_dir = Path(out_dir)
    runs = study_runs(ks, seeds, out_dir, variants)
    for options in {run.options for run in runs}:  # an option it lacks: an error, no runs
        experiment_class.config_from(preset, **{**overrides, **dict(options)})
    train = functools.partial(train_run, experiment=experiment, preset=preset,
                              overrides=overrides)
    errors = (launch or run_serially)(runs, train, progress)
    finished = [run for run in runs if errors[run.name] is None]
    rows = list(dict.fromkeys(run.row for run in runs))
    by_k = {row: [run for run in finished if run.row == row] for row in rows}
    results = {row: [jsonfile.read(run.path / "metrics.json") for run in row_runs]
               for row, row_runs in by_k.items()}
    summary = {"experiment": experiment,
               "runs": summarize(results, experiment_class.study_columns,
                                 experiment_class.study_extras)}
    for row in rows:
        summary["runs"][row]["failed"] = [{"seed": run.seed, "error": errors[run.name]}
                                          for run in runs if run.row == row and errors[run.name]]
        pairs = _same_seeds(_baseline(runs, by_k, row), by_k[row])
        if pairs:
            summary["runs"][row]["extras"].update(experiment_class.compare_with_baseline(
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
    experiment = experiment_class(experiment_class.config_from(
        preset, unroll_steps=first.k, seed=first.seed, **{**overrides, **dict(first.options)}))
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
    """The study's table in Markdown: a row per K (or variant and K), mean ± standard deviation
    over its finished seeds; a last column names the failed runs and why, when there are
    any."""
    runs = summary["runs"]
    extra_titles = list(dict.fromkeys(title for entry in runs.values()
                                      for title, extra in entry["extras"].items()
                                      if extra["cell"] is not None))
    failures = any(entry.get("failed") for entry in runs.values())
    titles = [title for _, title in columns] + extra_titles + ["failed runs"] * failures
    lines = [f"| {'K' if all(k.isdigit() for k in runs) else 'variant, K'} | seeds | " + " | ".join(titles) + " |", "|" + " --- |" * (len(titles) + 2)]
    for k, entry in runs.items():
        cells = [mean_and_spread(entry[key]["mean"], entry[key]["std"]) if key in entry else "-"
                 for key, _ in columns]
        cells += [entry["extras"][title]["cell"] if title in entry["extras"] else "-"
                  for title in extra_titles]
        if failures:
            cells.append("; ".join(f"seed {failed['seed']}: {failed['error']}"
                                   for failed in entry.get("failed", [])).replace("|", "/")
                         or "-")
        lines.append(f"| {k} | {entry['seeds']} | " + " | ".join(cells) + " |")
    return "\n".join(lines)

