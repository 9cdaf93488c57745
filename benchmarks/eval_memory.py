"""Peak memory of one evaluation of an image experiment at its ``paper`` preset, by width.

Each (experiment, width) is measured in a fresh process: the experiment and its run are set up,
then one evaluation (that of iteration 0, the untrained generator's, which costs what any other
does) runs, and the process's peak resident memory (ru_maxrss) is read before and after it.
The evaluation draws ``eval_samples`` samples in chunks (``ugan.experiments.base.EVAL_CHUNK``),
so its peak does not grow with the sample count; it prints a Markdown table.

    OPENBLAS_NUM_THREADS=1 python benchmarks/eval_memory.py [--experiments colour ...]
        [--widths 0.125 0.25 1]

It needs the Fashion-MNIST files (``apt-get install dataset-fashion-mnist``) and, for the
classifying experiments, trains their classifier once (cached on disk).
"""

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

EXPERIMENTS = ("colour", "stacked", "conv", "lstm")
WIDTHS = (0.125, 0.25, 1.0)


def peak_mib():
    """This process's peak resident memory so far, in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(experiment_name, width):
    """{"setup": peak MiB before the evaluation, "peak": after it, "seconds": its time} of one
    evaluation, in this process."""
    from ugan.experiments import EXPERIMENTS as ALL
    from ugan.train import GANTrainer

    experiment_class = ALL[experiment_name]
    config = experiment_class.config_from("paper", width=width)
    with tempfile.TemporaryDirectory() as out:
        trainer = GANTrainer(experiment_class(config), out)
        setup = peak_mib()
        start = time.perf_counter()
        record = trainer.experiment.evaluate(trainer.gan.generator, 0, out)
        seconds = time.perf_counter() - start
    return {"setup": setup, "peak": peak_mib(), "seconds": seconds, "samples":
            config.eval_samples, "metrics": sorted(record)}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--experiments", nargs="+", choices=EXPERIMENTS, default=["colour"])
    parser.add_argument("--widths", nargs="+", type=float, default=list(WIDTHS))
    parser.add_argument("--one", nargs=2, metavar=("EXPERIMENT", "WIDTH"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:  # a child: measure one and print it as JSON
        print(json.dumps(measure(args.one[0], float(args.one[1]))))
        return 0
    print("| experiment | width | eval samples | peak before (MiB) | peak with the evaluation "
          "(MiB) | evaluation s |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name in args.experiments:
        for width in args.widths:
            child = subprocess.run([sys.executable, __file__, "--one", name, str(width)],
                                   capture_output=True, text=True, cwd=ROOT)
            if child.returncode:
                print(f"error: {name} at width {width}: {child.stderr.strip().splitlines()[-1]}",
                      file=sys.stderr)
                return 1
            result = json.loads(child.stdout.strip().splitlines()[-1])
            print(f"| {name} | {width:g} | {result['samples']} | {result['setup']:.0f} | "
                  f"{result['peak']:.0f} | {result['seconds']:.1f} |", flush=True)
    return 0


if __name__ == "__main__":
    from minigrad import allocator

    allocator.keep_freed_memory_unless_disabled()  # as `python -m ugan` does
    sys.exit(main())
