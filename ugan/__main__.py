"""The command line: ``python -m ugan`` (the demo) or ``python -m ugan EXPERIMENT [options]``."""

import argparse
import math
import pickle
import shlex
import sys

from ugan import cluster, parallel
from ugan.demo import run_demo
from ugan.ensemble import D_ENSEMBLES
from ugan.experiments import EXPERIMENTS
from ugan.losses import GENERATOR_LOSSES
from ugan.results import format_table
from ugan.study import option_words, parse_options, parse_variant, run_study, study_runs
from ugan.train import GANTrainer
from ugan.unroll import UNROLL_OBJECTIVES

# Options a study's runs do not take from its command line: the study's own, and those the
# study sets for each run. Every other option given to a study is passed on to its runs.
NOT_PASSED_TO_RUNS = {"help", "study_experiment", "ks", "seeds", "jobs", "threads", "cluster",
                      "print_commands", "unroll_steps", "seed", "out", "resume", "variants",
                      "settings"}


def _description():
    lines = ["Unrolled GANs (Metz et al., ICLR 2017) on minigrad.", "",
             "With no experiment, runs the demo: the 8-Gaussian ring with K=0 and K=10, writing",
             "runs/mixture-demo/ (a run folder per K, figure1.png) and printing a side-by-side "
             "table.", "", "experiments:"]
    for name, experiment in EXPERIMENTS.items():
        summary = sys.modules[experiment.__module__].__doc__.split("\n\n")[0]
        lines.append(f"  {name:<9} {' '.join(summary.split())}")
    lines.append(f"  {'study':<9} a grid of runs of one --experiment over --ks and --seeds, "
                 "and the table of their results")
    return "\n".join(lines)


def _number(convert, accept, description):
    """An argparse ``type``: ``convert`` the text and refuse a value that ``accept`` rejects, or
    an infinity or nan, with a usage error that says what was expected."""
    def parse(text):
        try:
            value = convert(text)
        except ValueError:
            value = None
        if value is None or not math.isfinite(value) or not accept(value):
            raise argparse.ArgumentTypeError(f"expected {description}, got {text!r}")
        return value
    return parse


positive_int = _number(int, lambda n: n >= 1, "a positive integer")
nonnegative_int = _number(int, lambda n: n >= 0, "an integer >= 0")
positive_float = _number(float, lambda x: x > 0, "a finite number > 0")
nonnegative_float = _number(float, lambda x: x >= 0, "a finite number >= 0")


def build_parser():
    parser = argparse.ArgumentParser(prog="python -m ugan", description=_description(),
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("experiment", nargs="?", choices=[*EXPERIMENTS, "study"],
                        help="the experiment to run (omit for the demo)")
    parser.add_argument("--experiment", dest="study_experiment", choices=list(EXPERIMENTS),
                        default="mixture", help="study: the experiment to run (default: mixture)")
    parser.add_argument("--preset", default=None,
                        help="hyperparameters: 'demo' (minutes on a CPU, the default), 'paper' "
                             "(the paper's appendix; for images, its networks on 28x28 "
                             "Fashion-MNIST, meant for --device cuda) or, for lstm, conv, "
                             "stacked and colour, 'fashion' (the paper's networks, smaller, "
                             "sized for a CPU)")
    parser.add_argument("--unroll-steps", "-K", type=nonnegative_int, default=None,
                        help="K, the number of unrolled discriminator steps (0 = standard GAN)")
    parser.add_argument("--steps", type=positive_int, default=None, help="training iterations")
    parser.add_argument("--seed", type=nonnegative_int, default=None)
    parser.add_argument("--out", default=None, help="the run folder")
    parser.add_argument("--device", default=None, help="cpu (default) or cuda")
    parser.add_argument("--resume", action="store_true",
                        help="continue the run in --out from its last checkpoint")
    parser.add_argument("--dataset", default=None,
                        help="mixture: ring (default) or grid; image experiments: digits "
                             "(default), mnist, fashion-mnist or cifar10")
    parser.add_argument("--data-dir", default=None,
                        help="image experiments: the folder of the MNIST IDX files or the "
                             "CIFAR-10 python batches")
    parser.add_argument("--g-width", type=positive_int, default=None,
                        help="image experiments: the convolutional generator's width "
                             "(channels); for lstm, the former name of --hidden-units")
    parser.add_argument("--hidden-units", type=positive_int, default=None,
                        help="lstm: the LSTM generator's hidden units")
    parser.add_argument("--d-width", type=positive_int, default=None,
                        help="image experiments: the discriminator's width (channels)")
    parser.add_argument("--batch-size", type=positive_int, default=None)
    parser.add_argument("--lr", type=positive_float, default=None,
                        help="Adam learning rate of both networks")
    parser.add_argument("--no-second-order", dest="second_order", action="store_false",
                        default=None, help="treat the unrolled discriminator as a constant "
                                           "(the stop-gradient ablation)")
    parser.add_argument("--resample-unroll", action="store_true", default=None,
                        help="a fresh minibatch for every unrolled step")
    parser.add_argument("--historical-averaging", type=nonnegative_float, default=None,
                        metavar="WEIGHT",
                        help="add WEIGHT * ||theta - its average over past iterations||^2 to "
                             "both players' losses (Salimans et al. 2016); default 0 (off)")
    parser.add_argument("--generator-loss", choices=GENERATOR_LOSSES, default=None)
    parser.add_argument("--eval-every", type=positive_int, default=None)
    parser.add_argument("--ks", type=nonnegative_int, nargs="+", default=[0, 10],
                        help="study: the values of K (default: 0 10)")
    parser.add_argument("--seeds", type=nonnegative_int, nargs="+", default=[0, 1, 2],
                        help="study: the seeds (default: 0 1 2)")
    parser.add_argument("--no-compile", dest="compile", action="store_false", default=None,
                        help="run each iteration eagerly instead of replaying its compiled "
                             "program (the same numbers, slower)")
    parser.add_argument("--no-progress", dest="progress", action="store_false")
    add_ablation_arguments(parser)
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--jobs", type=positive_int, default=1, metavar="N",
                       help="study: run up to N runs at once, each in its own process "
                            "(default: 1, one after another in this process)")
    where.add_argument("--cluster", default=None, metavar="ADDRESS",
                       help="study: spread the runs over the Dask cluster whose scheduler is at "
                            "ADDRESS (e.g. tcp://10.0.0.1:8786); needs pip install -e "
                            "\".[cluster]\" and the study's --out on a shared file system")
    where.add_argument("--print-commands", action="store_true",
                       help="study: print one shell command per run (for a scheduler such as "
                            "a SLURM job array) instead of running them")
    parser.add_argument("--threads", type=positive_int, default=None, metavar="T",
                        help="study with --jobs or --cluster: BLAS threads per run (default: "
                             "the cores shared out among the --jobs, or 1 on a cluster)")
    parser.add_argument("--width", type=positive_float, default=None,
                        help="image experiments with the paper's networks (--preset paper or "
                             "fashion): their width multiplier (1 = the paper's sizes; for "
                             "colour, the model size X of its Table 3)")
    parser.add_argument("--d-size", type=positive_float, default=None,
                        help="stacked with the paper's networks: the discriminator's size over "
                             "the generator's (the paper's 0.25 and 0.5)")
    parser.add_argument("--eval-samples", type=positive_int, default=None,
                        help="samples generated at each evaluation")
    parser.add_argument("--inference-images", type=positive_int, default=None,
                        help="conv: training images reconstructed by inference via optimization")
    return parser


def add_ablation_arguments(parser):
    """The options of the ICLR appendix's ablations (``ugan.ablations``)."""
    parser.add_argument("--unroll-objective", choices=UNROLL_OBJECTIVES, default=None,
                        help="the generator's loss at the last unrolled discriminator (final, "
                             "the default: f_K) or averaged over the K of them (average)")
    parser.add_argument("--g-steps-per-d", type=positive_int, default=None, metavar="N",
                        help="generator steps per discriminator step (default 1; the appendix's "
                             "lagging discriminator: 5)")
    parser.add_argument("--d-ensemble", choices=D_ENSEMBLES, default=None,
                        help="the generator's loss on an ensemble of past discriminators: the "
                             "last --ensemble-size, or one every --ensemble-every iterations "
                             "(needs -K 0; default none)")
    parser.add_argument("--ensemble-size", type=positive_int, default=None, metavar="N",
                        help="discriminators in the --d-ensemble (default 10)")
    parser.add_argument("--ensemble-every", type=positive_int, default=None, metavar="n",
                        help="--d-ensemble every: keep one discriminator every n iterations")
    parser.add_argument("--variant", dest="variants", nargs="+", action="append", default=None,
                        metavar="NAME OPTION=VALUE",
                        help="study: a variant of the options (e.g. --variant lagging "
                             "g_steps_per_d=5), run over --ks and --seeds in --out/NAME; "
                             "repeat it for more rows of the table")
    parser.add_argument("--set", dest="settings", nargs="+", default=None,
                        metavar="OPTION=VALUE",
                        help="one run: set any of the experiment's options by name, as "
                             "--variant does, after the other flags (how a study's variant "
                             "runs are started as commands)")


def run_command(parser, args, run):
    """The arguments after ``python`` that train one ``run`` of the study ``args`` on its own:
    the experiment, the run's K, seed and folder, its variant's options (``--set``), and every
    other option of the study's command line as given (see NOT_PASSED_TO_RUNS)."""
    argv = ["-m", "ugan", args.study_experiment, "--unroll-steps", str(run.k), "--seed",
            str(run.seed), "--out", str(run.path), "--resume"]
    for action in parser._actions:
        value = getattr(args, action.dest, action.default)
        if action.dest in NOT_PASSED_TO_RUNS or not action.option_strings \
                or value == action.default:
            continue
        argv.append(max(action.option_strings, key=len))
        if action.nargs != 0:
            argv += [str(item) for item in (value if isinstance(value, list) else [value])]
    if run.options:  # a variant's
        argv += ["--set", *option_words(run.options)]
    return argv


def _launcher(parser, args):
    """Where a study's runs train: None (here, one after another), processes or a cluster."""
    if args.cluster:
        return cluster.launcher(args.cluster, args.threads or 1, gpu=args.device == "cuda")
    if args.jobs > 1:
        return parallel.launcher(lambda run: run_command(parser, args, run), args.jobs,
                                 args.threads or parallel.threads_per_run(args.jobs))
    if args.threads:
        parser.error("argument --threads: goes with --jobs N (N > 1) or --cluster")
    return None


def run_options(args, experiment, overrides):
    """The options of one run: its flags' ``overrides`` and K, then its ``--set`` options, which
    win (as a study's variant options win over the study's flags)."""
    settings = parse_options(experiment, args.settings or [], "--set")
    return {**overrides, "unroll_steps": args.unroll_steps, **settings}


def run_study_command(parser, args, overrides):
    """``python -m ugan study``: print the runs' commands, or run the study and print its
    table. Returns the exit code: 1 when a run failed (the table says which and why)."""
    name = args.study_experiment
    preset = args.preset or "demo"
    out = args.out or (f"runs/study-{preset}" if name == "mixture"
                       else f"runs/study-{name}-{preset}")
    variants = [parse_variant(EXPERIMENTS[name], words) for words in args.variants or []]
    if args.print_commands:
        for run in study_runs(args.ks, args.seeds, out, variants):
            print(shlex.join(["python", *run_command(parser, args, run)]))
        return 0
    overrides.pop("seed")  # a study takes --seeds
    summary = run_study(preset, args.ks, args.seeds, out, args.progress, name,
                        _launcher(parser, args), variants, **overrides)
    print(format_table(summary))
    failed = sum(len(entry["failed"]) for entry in summary["runs"].values())
    if failed:
        print(f"error: {failed} of the study's runs failed (see the table)", file=sys.stderr)
        return 1
    return 0


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.settings and args.experiment in (None, "study"):
        parser.error("argument --set: for one run (python -m ugan EXPERIMENT ...); a study's "
                     "rows take --variant")
    overrides = dict(steps=args.steps, seed=args.seed, device=args.device, dataset=args.dataset,
                     data_dir=args.data_dir, g_width=args.g_width,
                     hidden_units=args.hidden_units, d_width=args.d_width,
                     batch_size=args.batch_size, g_lr=args.lr, d_lr=args.lr,
                     second_order=args.second_order, resample_unroll=args.resample_unroll,
                     generator_loss=args.generator_loss, eval_every=args.eval_every,
                     historical_averaging=args.historical_averaging, compile=args.compile,
                     width=args.width, d_size=args.d_size, eval_samples=args.eval_samples,
                     inference_images=args.inference_images,
                     unroll_objective=args.unroll_objective, g_steps_per_d=args.g_steps_per_d,
                     d_ensemble=args.d_ensemble, ensemble_size=args.ensemble_size,
                     ensemble_every=args.ensemble_every)
    try:
        if args.experiment is None:
            run_demo(args.out or "runs/mixture-demo", args.preset or "demo", args.progress,
                     **overrides)
            return 0
        if args.experiment == "study":
            return run_study_command(parser, args, overrides)
        experiment = EXPERIMENTS[args.experiment]
        config = experiment.config_from(args.preset or "demo",
                                        **run_options(args, experiment, overrides))
        out = args.out or f"runs/{args.experiment}-K{config.unroll_steps}-seed{config.seed}"
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
    sys.exit(main())
