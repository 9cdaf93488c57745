"""Regenerate the figures that README and docs show, from the project's own runs.

    python docs/make_figures.py                   # the demo's figures and README's table
    python docs/make_figures.py --demo-study      # also the ring's demo study (minutes)
    python docs/make_figures.py --paper-study     # also the paper-settings study's (hours to run)
    python docs/make_figures.py --image-studies   # also the image experiments' (about an hour)
    python docs/make_figures.py --fashion-studies # also the 28x28 studies' (hours each)
    python docs/make_figures.py --fashion-studies study-lstm-fashion  # only that one's
    python docs/make_figures.py --no-demo --fashion-studies study-lstm-fashion  # and not the demo's
    python docs/make_figures.py --no-demo --table2-studies  # Table 2 at the paper's settings
    python docs/make_figures.py --no-demo --keep-summaries study-paper-k0  # its summary only

Runs (or re-reads, if already finished) the demo of ``python -m ugan`` in runs/mixture-demo and
copies its Figure 1 and metric curves into docs/figures/ and its table into README.md. With ``--paper-study``, does the same
for the study of docs/reproduction.md (``python -m ugan study mixture --preset paper --ks 0 1 5 10
--seeds 0 1 2 3 4 --out runs/study-paper``), whose runs resume where they stopped. With
``--image-studies``, for the studies of the image experiments listed in ``IMAGE_STUDIES`` (the
commands of docs/reproduction.md). With ``--fashion-studies``, for the 28x28 studies of
docs/reproduction.md listed in ``FASHION_STUDIES``, the ones that have been run: run it after
their commands there (``--jobs 2`` uses both cores), and it re-reads them; folder names after
the flag choose some of them (a study whose runs are gone would be run again, for hours).
``--table2-studies`` copies the figures and summaries of Table 2's studies at the paper's
training settings (``TABLE2_STUDIES``) as their own command wrote them, without re-reading
them: they trained from a frozen checkout whose revision their summaries name, and a re-read by
this checkout would name its own.
``--keep-summaries FOLDER ...`` copies only the summaries of the named finished studies in runs/
(the ablations re-run from a frozen checkout; their tables need no figures).
``--no-demo`` leaves the demo's run and figures alone. Every study it runs or re-reads also
has its summary.json kept as docs/results/FOLDER.json, which docs/make_tables.py makes the
tables of docs/reproduction.md from; ``--demo-study`` keeps only that of the ring's demo study
(``DEMO_STUDY``, in runs/study-demo), whose figures are the demo's."""

import argparse
import re
import shutil
import sys
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the checkout's ugan, installed or not

from ugan.demo import format_table, run_demo  # noqa: E402
from ugan.study import run_study  # noqa: E402
FIGURES = ("figure1.png", "metrics.png")
PAPER_STUDY = dict(preset="paper", ks=[0, 1, 5, 10], seeds=[0, 1, 2, 3, 4])
DEMO_STUDY = dict(preset="demo", ks=[0, 10], seeds=[0, 1, 2])
# out folder under runs/ -> the study's arguments; each is `python -m ugan study NAME --ks ...
# --seeds ...` with the experiment's demo preset
IMAGE_STUDIES = {
    "study-lstm-demo": dict(experiment="lstm", ks=[0, 10], seeds=[0, 1]),
    "study-stacked-demo": dict(experiment="stacked", ks=[0, 10], seeds=[0, 1]),
    "study-colour-demo": dict(experiment="colour", ks=[0, 10], seeds=[0, 1]),
    "study-conv-demo": dict(experiment="conv", ks=[0, 5], seeds=[0, 1]),
}

# The appendices' Adam learning rates (the DCGAN family's; the LSTM's D has 1e-4) and noise size
PAPER_LEARNING = dict(g_lr=1e-4, d_lr=2e-4, noise_dim=256)
# out folder under runs/ -> the study's arguments (`python -m ugan study NAME
# --preset fashion ...` in docs/reproduction.md); a figure's name starts with the folder's
FASHION_STUDIES = {
    "study-conv-fashion": dict(experiment="conv", preset="fashion", ks=[0, 1, 5, 10],
                               seeds=[0, 1, 2]),
    "study-colour-fashion": dict(experiment="colour", preset="fashion", ks=[0, 1, 5, 10],
                                 seeds=[0, 1, 2]),
    "study-colour-fashion-w0.25": dict(experiment="colour", preset="fashion", width=0.25,
                                       ks=[0, 1, 5, 10], seeds=[0, 1, 2]),
    "study-lstm-fashion": dict(experiment="lstm", preset="fashion", ks=[0, 1, 5, 10],
                               seeds=[0, 1, 2]),
    # the same presets at the appendices' learning rates and z of 256 (issue 31)
    "study-conv-fashion-paper-lr": dict(experiment="conv", preset="fashion", ks=[0, 10],
                                        seeds=[0, 1, 2], **PAPER_LEARNING),
    "study-colour-fashion-paper-lr": dict(experiment="colour", preset="fashion", ks=[0, 10],
                                          seeds=[0, 1, 2], **PAPER_LEARNING),
    "study-colour-fashion-w0.25-paper-lr": dict(experiment="colour", preset="fashion",
                                                width=0.25, ks=[0, 10], seeds=[0, 1, 2],
                                                **PAPER_LEARNING),
    "study-lstm-fashion-paper-lr": dict(experiment="lstm", preset="fashion", ks=[0, 10],
                                        seeds=[0, 1, 2], **{**PAPER_LEARNING, "d_lr": 1e-4}),
}

# Table 2 at the paper's training settings, by the commands of docs/reproduction.md (`python -m
# ugan study stacked --preset paper --steps 20000 ... --variant d-quarter ... --variant d-half`)
TABLE2_STUDIES = ("study-stacked-paper-k0-10", "study-stacked-paper-k1-5")


def copy_figures(run_dir, prefix, names=FIGURES, palette=()):
    """Copy the figures ``names`` of ``run_dir`` to docs/figures/PREFIX-NAME; those also in
    ``palette`` are written with 256 colours (a grid of noisy samples is several MB in full
    colour, a quarter of that with a palette, and looks the same)."""
    target = ROOT / "docs" / "figures"
    target.mkdir(parents=True, exist_ok=True)
    for name in names:
        if name in palette:
            with Image.open(run_dir / name) as image:
                image.convert("RGB").quantize(256).save(target / f"{prefix}-{name}",
                                                        optimize=True)
        else:
            shutil.copyfile(run_dir / name, target / f"{prefix}-{name}")
        print(f"wrote {target / f'{prefix}-{name}'}")


DEMO_TABLE = re.compile(r"(<!-- demo table: written by docs/make_figures.py -->\n```\n)"
                        r".*?(```\n<!-- end of demo table -->)", re.DOTALL)


def write_demo_table(histories):
    """Put the demo's table (``ugan.demo.format_table``) into README.md, between its markers."""
    readme = ROOT / "README.md"
    text = readme.read_text()
    if not DEMO_TABLE.search(text):
        raise SystemExit(f"make_figures: {readme} has no demo table block to write into")
    steps = next(iter(histories.values()))[-1]["step"]
    table = format_table(histories, steps)
    readme.write_text(DEMO_TABLE.sub(lambda match: match[1] + table + "\n" + match[2], text))
    print(f"wrote the demo table into {readme}")


def copy_study(study_dir):
    """A finished image study's samples and metrics figures to docs/figures, its summary to
    docs/results."""
    copy_figures(study_dir, study_dir.name.removeprefix("study-"), ("samples.png", "metrics.png"),
                 palette=("samples.png",))
    keep_summary(study_dir)


def finished_study(out):
    """runs/OUT, which must hold a finished study (its summary.json)."""
    study_dir = ROOT / "runs" / out
    if not (study_dir / "summary.json").is_file():
        raise SystemExit(f"make_figures: {study_dir} has no summary.json; run its command of "
                         "docs/reproduction.md to the end first")
    return study_dir


def keep_summary(study_dir):
    """Copy the study's summary.json to docs/results/FOLDER.json (FOLDER: the study's folder
    name)."""
    target = ROOT / "docs" / "results" / f"{study_dir.name}.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(study_dir / "summary.json", target)
    print(f"wrote {target}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--demo-study", action="store_true",
                        help="also run (or re-read) the ring's demo study and keep its summary")
    parser.add_argument("--paper-study", action="store_true",
                        help="also run (or re-read) the paper-settings study and copy its figures")
    parser.add_argument("--image-studies", action="store_true",
                        help="also run (or re-read) the image experiments' studies and copy "
                             "their figures")
    parser.add_argument("--fashion-studies", nargs="*", metavar="FOLDER",
                        help="also re-read (or run, for hours) the 28x28 studies and copy their "
                             "figures; all of FASHION_STUDIES, or only the named folders")
    parser.add_argument("--no-demo", action="store_true",
                        help="leave the demo's run, figures and README table alone (its numbers "
                             "depend on the CPU's BLAS kernels)")
    parser.add_argument("--table2-studies", nargs="*", metavar="FOLDER",
                        help="also copy the figures and summaries of Table 2's finished studies "
                             "at the paper's settings, as their command wrote them; all of "
                             "TABLE2_STUDIES, or only the named folders")
    parser.add_argument("--keep-summaries", nargs="+", metavar="FOLDER",
                        help="also copy the summary.json of these finished studies in runs/ to "
                             "docs/results/, as their command wrote them (no figures)")
    args = parser.parse_args()
    for flag, chosen, known in (("--fashion-studies", args.fashion_studies, FASHION_STUDIES),
                                ("--table2-studies", args.table2_studies, TABLE2_STUDIES)):
        unknown = sorted(set(chosen or ()) - set(known))
        if unknown:
            parser.error(f"{flag}: no study folder {', '.join(unknown)}; "
                         f"expected some of {', '.join(known)}")
    if not args.no_demo:
        write_demo_table(run_demo(ROOT / "runs" / "mixture-demo"))
        copy_figures(ROOT / "runs" / "mixture-demo", "demo")
    if args.demo_study:
        run_study(out_dir=ROOT / "runs" / "study-demo", **DEMO_STUDY)
        keep_summary(ROOT / "runs" / "study-demo")
    if args.paper_study:
        run_study(out_dir=ROOT / "runs" / "study-paper", **PAPER_STUDY)
        copy_figures(ROOT / "runs" / "study-paper", "paper-study")
        keep_summary(ROOT / "runs" / "study-paper")
    if args.image_studies:
        for out, study in IMAGE_STUDIES.items():
            run_study("demo", out_dir=ROOT / "runs" / out, **study)
            copy_figures(ROOT / "runs" / out, study["experiment"], ("samples.png", "metrics.png"))
            keep_summary(ROOT / "runs" / out)
    if args.fashion_studies is not None:
        for out in args.fashion_studies or FASHION_STUDIES:
            run_study(out_dir=ROOT / "runs" / out, **FASHION_STUDIES[out])
            copy_study(ROOT / "runs" / out)
    if args.table2_studies is not None:
        for out in args.table2_studies or TABLE2_STUDIES:
            copy_study(finished_study(out))
    for out in args.keep_summaries or ():
        keep_summary(finished_study(out))


if __name__ == "__main__":
    main()
