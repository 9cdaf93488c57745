"""Regenerate the figures that README and docs show, from the project's own runs.

    python docs/make_figures.py

Runs (or re-reads, if already finished) the demo of ``python -m ugan`` in runs/mixture-demo and
copies its Figure 1 and metric curves into docs/figures/."""

import shutil
from pathlib import Path

from ugan.demo import run_demo

ROOT = Path(__file__).resolve().parent.parent
RUN_DIR = ROOT / "runs" / "mixture-demo"
FIGURES = {"figure1.png": "demo-figure1.png", "metrics.png": "demo-metrics.png"}


def main():
    run_demo(RUN_DIR)
    target = ROOT / "docs" / "figures"
    target.mkdir(exist_ok=True)
    for source, name in FIGURES.items():
        shutil.copyfile(RUN_DIR / source, target / name)
        print(f"wrote {target / name}")


if __name__ == "__main__":
    main()
