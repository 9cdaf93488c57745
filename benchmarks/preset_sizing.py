"""How long each image experiment's study takes at its ``fashion`` preset on this machine: the
estimate the presets were sized by (docs/reproduction.md).

For each experiment it times, compiled and on one BLAS thread (run with
OPENBLAS_NUM_THREADS=1), an iteration at K = 0 and at K = 5 (best of a few, after the compiled
program is traced) and one evaluation, the final one included where it does more (conv's
L-BFGS reconstructions). An iteration's cost grows linearly with K (each unrolled step is one
more discriminator step and its backward pass), so

    t(K) = t(0) + K (t(5) - t(0)) / 5
    run(K) = steps t(K) + evaluations t_eval + t_final
    study = seeds * sum over K of run(K) * discriminator sizes / jobs

with K in {0, 1, 5, 10}, 3 seeds, 2 jobs (one per core) and, for stacked, both discriminator
sizes (1/4 and 1/2). It prints a Markdown table of the estimates.

    OPENBLAS_NUM_THREADS=1 python benchmarks/preset_sizing.py [--experiments conv ...]
"""

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ugan.experiments import EXPERIMENTS  # noqa: E402
from ugan.train import GANTrainer  # noqa: E402

KS = (0, 1, 5, 10)
SEEDS = 3
JOBS = 2
D_SIZES = {"stacked": 2}  # study rows per K: both discriminator sizes
TIMED_K = 5


def iteration_seconds(experiment_class, unroll_steps, iterations, out_dir):
    """The best time of one compiled iteration at ``unroll_steps``, after two that trace."""
    config = experiment_class.config_from("fashion", unroll_steps=unroll_steps)
    trainer = GANTrainer(experiment_class(config), out_dir)
    for _ in range(2):
        trainer.gan.train_step()
    best = float("inf")
    for _ in range(iterations):
        start = time.perf_counter()
        trainer.gan.train_step()
        best = min(best, time.perf_counter() - start)
    return best, trainer


def evaluation_seconds(trainer, step, out_dir):
    start = time.perf_counter()
    trainer.experiment.evaluate(trainer.gan.generator, step, out_dir)
    return time.perf_counter() - start


def estimate(name, iterations):
    """{quantity: value} of the module docstring for one experiment's fashion preset."""
    experiment_class = EXPERIMENTS[name]
    config = experiment_class.config_from("fashion")
    with tempfile.TemporaryDirectory() as folder:
        out_dir = Path(folder)
        base, trainer = iteration_seconds(experiment_class, 0, iterations, out_dir / "K0")
        unrolled, _ = iteration_seconds(experiment_class, TIMED_K, iterations, out_dir / "K5")
        (out_dir / "eval").mkdir()
        evaluation = evaluation_seconds(trainer, 1, out_dir / "eval")
        final = evaluation_seconds(trainer, config.steps, out_dir / "eval")
    per_k = (unrolled - base) / TIMED_K
    evaluations = config.steps // config.eval_every + 1
    runs = [config.steps * (base + k * per_k) + (evaluations - 1) * evaluation + final
            for k in KS]
    study = SEEDS * sum(runs) * D_SIZES.get(name, 1) / JOBS
    return {"steps": config.steps, "K=0 ms/it": 1e3 * base, f"K={TIMED_K} ms/it": 1e3 * unrolled,
            "evaluation s": evaluation, "final evaluation s": final, "study hours": study / 3600}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--experiments", nargs="+", default=["lstm", "conv", "stacked", "colour"],
                        choices=["lstm", "conv", "stacked", "colour"])
    parser.add_argument("--iterations", type=int, default=5, help="timed iterations per K")
    args = parser.parse_args()
    try:
        rows = {name: estimate(name, args.iterations) for name in args.experiments}
    except FileNotFoundError as error:  # the presets read the real Fashion-MNIST
        sys.exit(f"preset_sizing.py: {error}")
    columns = list(next(iter(rows.values())))
    print("| experiment | " + " | ".join(columns) + " |")
    print("|" + " --- |" * (len(columns) + 1))
    for name, row in rows.items():
        print(f"| {name} | " + " | ".join(f"{row[c]:.3g}" if isinstance(row[c], float)
                                           else str(row[c]) for c in columns) + " |")


if __name__ == "__main__":
    from minigrad import allocator

    allocator.keep_freed_memory_unless_disabled()  # as `python -m ugan` does
    main()
