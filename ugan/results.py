"""A study's numbers over seeds and its table: what summary.json holds and how
docs/reproduction.md shows it.

Each cell of a study's table is one metric over the seeds of one row (a K, a variant's K, or a
baseline row): every seed's value, their mean and its standard error

    se = s / sqrt(n),   s^2 = 1/(n - 1) sum_i (x_i - mean)^2    (n seeds; none for n = 1),

written ``mean ± se (x_1, x_2, ...)``. The paper's ± are standard errors too (over its 5 runs),
so the two compare directly. A value that is not finite (a KL of samples that miss the
reference's support) makes the mean and its error meaningless: such a cell shows the values
only.

Two baseline rows come first, computed by the study itself (``ugan.study``): **real data** (the
metrics of real samples in place of generated ones, one draw per seed: the best a generator
can score) and **untrained generator** (each seed's evaluation before the first iteration: what
a metric gives for nothing learned). A result means something only where it lies between them.
"""

import math

import numpy as np

BASELINE_ROWS = ("real data", "untrained generator")


def over_seeds(values):
    """{"values", "mean", "se"} of one metric's per-seed values (see the module docstring);
    mean and se are None where they are not defined."""
    values = [float(v) for v in values]
    finite = bool(values) and all(math.isfinite(v) for v in values)
    mean = float(np.mean(values)) if finite else None
    se = float(np.std(values, ddof=1) / math.sqrt(len(values))) if finite and len(values) > 1 \
        else None
    return {"values": values, "mean": mean, "se": se}


def number(value):
    """A number as the tables write it: 3 significant digits, a whole number in full (1000,
    not 1e+03)."""
    if float(value).is_integer() and abs(value) < 1e6:
        return str(int(value))
    return f"{value:.3g}"


def cell(stat):
    """A table cell of :func:`over_seeds`' result: ``mean ± se (values)``, the value alone for
    one seed, the values alone where the mean is not defined."""
    values = stat["values"]
    if len(values) == 1:
        return number(values[0])
    listed = "(" + ", ".join(number(v) for v in values) + ")"
    if stat["mean"] is None:
        return listed
    return f"{number(stat['mean'])} ± {stat['se']:.2g} {listed}"


def row_entry(records, columns):
    """A row of a study: the count of seeds and, for each column's metric, its values over the
    seeds' ``records`` (dicts of metrics); none for a metric that some record lacks (a run
    written before the metric existed), whose cell is then "-"."""
    entry = {"seeds": len(records)}
    for key, _ in columns:
        if records and all(key in record for record in records):
            entry[key] = over_seeds([record[key] for record in records])
    return entry


def format_table(summary):
    """The study's table in Markdown, from its summary.json alone: the baseline rows, then a
    row per K (or variant and K) with the columns of ``summary["columns"]`` and the extras that
    have a cell; a last column names the failed runs and why, when there are any. The study's
    findings (sentences), if it has any, follow the table, a paragraph each."""
    columns = summary["columns"]
    runs = summary["runs"]
    extra_titles = list(dict.fromkeys(title for entry in runs.values()
                                      for title, extra in entry["extras"].items()
                                      if extra["cell"] is not None))
    failures = any(entry.get("failed") for entry in runs.values())
    titles = [title for _, title in columns] + extra_titles + ["failed runs"] * failures
    first = "K" if all(k.isdigit() for k in runs) else "variant, K"
    lines = [f"| {first} | seeds | " + " | ".join(titles) + " |",
             "|" + " --- |" * (len(titles) + 2)]
    rows = [(name, entry, {}) for name, entry in summary.get("baselines", {}).items()]
    rows += [(k, entry, entry["extras"]) for k, entry in runs.items()]
    for name, entry, extras in rows:
        cells = [cell(entry[key]) if key in entry else "-" for key, _ in columns]
        cells += [extras[title]["cell"] if title in extras else "-" for title in extra_titles]
        if failures:
            cells.append("; ".join(f"seed {failed['seed']}: {failed['error']}"
                                   for failed in entry.get("failed", [])).replace("|", "/")
                         or "-")
        lines.append(f"| {name} | {entry['seeds']} | " + " | ".join(cells) + " |")
    for finding in summary.get("findings", []):
        lines += ["", finding]
    return "\n".join(lines)


def format_convergence(summary):
    """When each run came to cover every mode for good, in Markdown, from its summary.json: a
    row per K (or variant and K) with each seed's ``all_modes_from_step`` (the evaluation from
    which every mode stays strictly covered until the end; "never" when the last one misses a
    mode), in the order of ``summary["seeds"]``."""
    runs = summary["runs"]
    first = "K" if all(k.isdigit() for k in runs) else "variant, K"
    lines = [f"| {first} | all modes from iteration, per seed |", "| --- | --- |"]
    for name, entry in runs.items():
        steps = [record["metrics"]["all_modes_from_step"] for record in entry["per_seed"]]
        lines.append(f"| {name} | " + ", ".join("never" if step is None else f"{step:,}"
                                                 for step in steps) + " |")
    return "\n".join(lines)
