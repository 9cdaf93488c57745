"""The command line: ``python -m ugan`` (the demo), ``python -m ugan EXPERIMENT [options]`` (one
run) and ``python -m ugan study EXPERIMENT [options]`` (a grid of runs and its table).

Each experiment's options are the fields of its config (``ugan.options`` makes a flag of each);
the flags here are those of a run or a study that are not options of what it trains."""

import argparse
import pickle
import shlex
import sys

from minigrad import allocator

from ugan import cluster, parallel
from ugan.demo import run_demo
from ugan.experiments import EXPERIMENTS
from ugan.experiments.mixture import MixtureExperiment
from ugan.options import add_flags, given
from ugan.results import format_table
from ugan.study import parse_variant, run_command, run_config, run_study, study_runs
from ugan.train import GANTrainer

DEMO = "demo"
STUDY = "study"
PRESETS = {"demo": "minutes on a CPU, the default", "paper": "the paper's appendix",
           "fashion": "the paper's networks on 28x28 Fashion-MNIST, sized for a CPU"}


def _summary(experiment):
    """The first paragraph of the experiment module's docstring, on one line."""
    return " ".join(sys.modules[experiment.__module__].__doc__.split("\n\n")[0].split())


def _counts(at_least):
    """An argparse ``type``: an integer >= ``at_least``, or a usage error that says so."""
    def count(text):
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or value < at_least:
            raise argparse.ArgumentTypeError(f"expected an integer >= {at_least}, got {text!r}")
        return value
    count.__name__ = "int"
    return count


def _parser(commands, name, help, description):
    """A command's parser, which refuses a misspelt or foreign option (see :func:`main`)."""
    parser = commands.add_parser(name, help=help, description=description, allow_abbrev=False,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.set_defaults(parser=parser)
    return parser


def _add_preset(parser, experiment):
    described = "; ".join(f"{name}: {PRESETS[name]}" for name in experiment.presets)
    parser.add_argument("--preset", choices=list(experiment.presets), default="demo",
                        help=f"the options' values before the flags change them ({described})")


def _add_progress(parser):
    parser.add_argument("--no-progress", dest="progress", action="store_false",
                        help="no progress bar")


def build_parser():
    parser = argparse.ArgumentParser(
        prog="python -m ugan", allow_abbrev=False,
        description="Unrolled GANs (Metz et al., ICLR 2017) on minigrad. Without a command, "
                    "runs the demo.", formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="python -m ugan COMMAND --help lists the options of COMMAND.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    demo = _parser(commands, DEMO, "the default: the 8-Gaussian ring with K=0 and K=10",
                   "The 8-Gaussian ring with K=0 and K=10, writing OUT/K0, OUT/K10 and "
                   "OUT/figure1.png, and a side-by-side table. Runs already finished are "
                   "re-read, unfinished ones resumed.")
    _add_preset(demo, MixtureExperiment)
    demo.add_argument("--out", default="runs/mixture-demo", help="the demo's folder "
                                                                  "(default: %(default)s)")
    _add_progress(demo)
    add_flags(demo, MixtureExperiment, leave_out=("unroll_steps",))

    for name, experiment in EXPERIMENTS.items():
        run = _parser(commands, name, _summary(experiment), _summary(experiment))
        run.set_defaults(experiment=experiment)
        _add_preset(run, experiment)
        run.add_argument("--out", help="the run folder (default: runs/NAME-KK-seedS)")
        run.add_argument("--resume", action="store_true",
                         help="continue the run in --out from its last checkpoint")
        _add_progress(run)
        add_flags(run, experiment)

    study = _parser(commands, STUDY, "a grid of runs of one experiment over --ks and --seeds, "
                                     "and the table of their results",
                    "A grid of runs of one experiment over --ks and --seeds (and --variants), "
                    "and the table of their results.")
    experiments = study.add_subparsers(dest="study_experiment", metavar="EXPERIMENT",
                                       required=True)
    for name, experiment in EXPERIMENTS.items():
        add_study_arguments(_parser(experiments, name, _summary(experiment),
                                    f"A study of {name}: {_summary(experiment)}"), experiment)
    return parser


def add_study_arguments(parser, experiment):
    """A study's own flags, and the experiment's options but K and the seed, which its runs
    take from --ks and --seeds."""
    parser.set_defaults(experiment=experiment)
    _add_preset(parser, experiment)
    parser.add_argument("--out", help="the study's folder (default: runs/study-PRESET for "
                                      "the mixture, runs/study-NAME-PRESET otherwise)")
    _add_progress(parser)
    parser.add_argument("--ks", type=_counts(0), nargs="+", default=[0, 10],
                        help="the values of K (default: 0 10)")
    parser.add_argument("--seeds", type=_counts(0), nargs="+", default=[0, 1, 2],
                        help="the seeds (default: 0 1 2)")
    parser.add_argument("--variant", dest="variants", nargs="+", action="append", default=[],
                        metavar="NAME OPTION=VALUE",
                        help="a variant of the options (e.g. --variant lagging "
                             "g_steps_per_d=5), run over --ks and --seeds in --out/NAME; "
                             "repeat it for more rows of the table")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--jobs", type=_counts(1), default=1, metavar="N",
                       help="run up to N runs at once, each in its own process (default: 1, "
                            "one after another in this process)")
    where.add_argument("--cluster", default=None, metavar="ADDRESS",
                       help="spread the runs over the Dask cluster whose scheduler is at "
                            "ADDRESS (e.g. tcp://10.0.0.1:8786); needs pip install -e "
                            "\".[cluster]\" and the study's --out on a shared file system")
    where.add_argument("--print-commands", action="store_true",
                       help="print one shell command per run (for a scheduler such as a SLURM "
                            "job array) instead of running them")
    parser.add_argument("--threads", type=_counts(1), default=None, metavar="T",
                        help="with --jobs or --cluster: BLAS threads per run (default: the "
                             "cores shared out among the --jobs, or 1 on a cluster)")
    add_flags(parser, experiment, leave_out=("unroll_steps", "seed"))


def _launcher(parser, args, command_of, device):
    """Where a study's runs train: None (here, one after another), processes or a cluster."""
    if args.cluster:
        return cluster.launcher(args.cluster, args.threads or 1, gpu=device == "cuda")
    if args.jobs > 1:
        return parallel.launcher(command_of, args.jobs,
                                 args.threads or parallel.threads_per_run(args.jobs))
    if args.threads:
        parser.error("argument --threads: goes with --jobs N (N > 1) or --cluster")
    return None


def run_study_command(parser, args):
    """``python -m ugan study EXPERIMENT``: print the runs' commands, or run the study and
    print its table. Returns the exit code: 1 when a run failed (the table says which and
    why)."""
    experiment, preset = args.experiment, args.preset
    overrides = given(args, experiment)
    out = args.out or (f"runs/study-{preset}" if experiment.name == "mixture"
                       else f"runs/study-{experiment.name}-{preset}")
    variants = [parse_variant(experiment, words) for words in args.variants]

    def command_of(run):
        return run_command(experiment, preset, run_config(experiment, preset, overrides, run),
                           run.path, args.progress)

    if args.print_commands:
        for run in study_runs(args.ks, args.seeds, out, variants):
            print(shlex.join(["python", *command_of(run)]))
        return 0
    summary = run_study(preset, args.ks, args.seeds, out, args.progress, experiment.name,
                        _launcher(parser, args, command_of,
                                  experiment.config_from(preset, **overrides).device),
                        variants, **overrides)
    print(format_table(summary))
    failed = sum(len(entry["failed"]) for entry in summary["runs"].values())
    if failed:
        print(f"error: {failed} of the study's runs failed (see the table)", file=sys.stderr)
        return 1
    return 0


def main(argv=None):
    parser = build_parser()
    argv = sys.argv[1:] if argv is None else list(argv)
    if not argv or argv[0] not in (DEMO, STUDY, *EXPERIMENTS, "-h", "--help"):
        argv = [DEMO, *argv]
    # argparse hands a command's unknown words to the top parser; its own parser names them
    args, unknown = parser.parse_known_args(argv)
    if unknown:
        args.parser.error(f"unrecognized arguments: {' '.join(unknown)} ({args.parser.prog} "
                          "--help lists its options)")
    try:
        if args.command == DEMO:
            run_demo(args.out, args.preset, args.progress, **given(args, MixtureExperiment))
            return 0
        if args.command == STUDY:
            return run_study_command(parser, args)
        experiment = args.experiment
        config = experiment.config_from(args.preset, **given(args, experiment))
        out = args.out or f"runs/{experiment.name}-K{config.unroll_steps}-seed{config.seed}"
        GANTrainer(experiment(config), out).run(resume=args.resume, progress=args.progress)
        print(f"run written to {out}", file=sys.stderr)
        return 0
    except KeyboardInterrupt:
        return 130
    except MemoryError as error:
        print(f"error: out of memory ({error}); try a smaller --batch-size or smaller networks "
              "(--g-width, --hidden-units, --d-width)", file=sys.stderr)
        return 2
    except (OSError, ValueError, RuntimeError, pickle.UnpicklingError) as error:
        print(f"error: {_describe(error)}", file=sys.stderr)
        return 2


def _describe(error):
    """One line for an error: an OSError's file and reason, or the error's own message."""
    if isinstance(error, OSError) and error.filename is not None:
        return f"{error.filename}: {error.strerror}"
    return str(error)


if __name__ == "__main__":
    allocator.keep_freed_memory_unless_disabled()  # this process trains: keep its freed memory
    parallel.die_with_parent()  # a study's run stops when its study dies
    sys.exit(main())
