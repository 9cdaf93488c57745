"""Helpers for the tests that check docs/reproduction.md's sentences (and README's summary)
against the study summaries kept in docs/results/: each number a sentence quotes is re-made here
the way the tables write it, and looked for in the text with its line breaks read as spaces."""

from pathlib import Path

from ugan import jsonfile
from ugan.results import number

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
TEXT = " ".join((DOCS / "reproduction.md").read_text().split())
README = " ".join((ROOT / "README.md").read_text().split())


def summary(name):
    return jsonfile.read(DOCS / "results" / f"{name}.json")


def row(study, name):
    """A table row of ``study``: a baseline ("real data", "untrained generator") or a run's."""
    return {**study["baselines"], **study["runs"]}[name]


def mean_se(stat):
    """``mean ± se`` as the tables write it."""
    return f"{number(stat['mean'])} ± {stat['se']:.2g}"


def percent(stat):
    return f"{100 * stat['mean']:.2g}% ± {100 * stat['se']:.2g}%"


def span(stat):
    """``lowest to highest`` of the per-seed values."""
    return f"{number(min(stat['values']))} to {number(max(stat['values']))}"


def commas(values):
    return ", ".join(number(v) for v in values)


def commas_and(values):
    return ", ".join(number(v) for v in values[:-1]) + f" and {number(values[-1])}"


def mean(values):
    return sum(values) / len(values)


def quoted(*phrases, text=TEXT, where="reproduction.md"):
    for phrase in phrases:
        assert phrase in text, f"{where} does not say {phrase!r}"
