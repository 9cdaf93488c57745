"""The command line: ``python -m ugan`` (the demo) or ``python -m ugan EXPERIMENT [options]``."""

import argparse
import sys

from ugan.demo import run_demo
from ugan.experiments.mixture import DATASETS, PRESETS, MixtureExperiment, config_from
from ugan.losses import GENERATOR_LOSSES
from ugan.study import format_summary, run_study
from ugan.train import GANTrainer

DESCRIPTION = """Unrolled GANs (Metz et al., ICLR 2017) on minigrad.

With no experiment, runs the demo: the 8-Gaussian ring with K=0 and K=10, writing
runs/mixture-demo/ (a run folder per K, figure1.png) and printing a side-by-side table.

experiments:
  mixture   2-D mixture of Gaussians (ring of 8, or --dataset grid: 5x5), paper Sec. 3.1
  study     a grid of mixture runs over --ks and --seeds, and the table of their results"""


def build_parser():
    parser = argparse.ArgumentParser(prog="python -m ugan", description=DESCRIPTION,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("experiment", nargs="?", choices=["mixture", "study"],
                        help="the experiment to run (omit for the demo)")
    parser.add_argument("--preset", choices=sorted(PRESETS), default=None,
                        help="hyperparameters: 'paper' (Appendix A, 25,000 iterations) or "
                             "'demo' (a few minutes on a CPU); default: demo")
    parser.add_argument("--unroll-steps", "-K", type=int, default=None,
                        help="K, the number of unrolled discriminator steps (0 = standard GAN)")
    parser.add_argument("--steps", type=int, default=None, help="training iterations")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--out", default=None, help="the run folder")
    parser.add_argument("--device", default=None, help="cpu (default) or cuda")
    parser.add_argument("--resume", action="store_true",
                        help="continue the run in --out from its last checkpoint")
    parser.add_argument("--dataset", choices=sorted(DATASETS), default=None)
    parser.add_argument("--batch-size", type=int, default=None)
    parser.add_argument("--lr", type=float, default=None,
                        help="Adam learning rate of both networks")
    parser.add_argument("--no-second-order", dest="second_order", action="store_false",
                        default=None, help="treat the unrolled discriminator as a constant "
                                           "(the stop-gradient ablation)")
    parser.add_argument("--resample-unroll", action="store_true", default=None,
                        help="a fresh minibatch for every unrolled step")
    parser.add_argument("--generator-loss", choices=GENERATOR_LOSSES, default=None)
    parser.add_argument("--eval-every", type=int, default=None)
    parser.add_argument("--ks", type=int, nargs="+", default=[0, 10],
                        help="study: the values of K (default: 0 10)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2],
                        help="study: the seeds (default: 0 1 2)")
    parser.add_argument("--no-progress", dest="progress", action="store_false")
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    overrides = dict(steps=args.steps, seed=args.seed, device=args.device, dataset=args.dataset,
                     batch_size=args.batch_size, g_lr=args.lr, d_lr=args.lr,
                     second_order=args.second_order, resample_unroll=args.resample_unroll,
                     generator_loss=args.generator_loss, eval_every=args.eval_every)
    try:
        if args.experiment is None:
            run_demo(args.out or "runs/mixture-demo", args.preset or "demo", args.progress,
                     **overrides)
            return 0
        if args.experiment == "study":
            out = args.out or f"runs/study-{args.preset or 'demo'}"
            overrides.pop("seed")  # a study takes --seeds
            summary = run_study(args.preset or "demo", args.ks, args.seeds, out, args.progress,
                                **overrides)
            print(format_summary(summary))
            return 0
        config = config_from(args.preset or "demo", unroll_steps=args.unroll_steps, **overrides)
        out = args.out or f"runs/mixture-K{config.unroll_steps}-seed{config.seed}"
        GANTrainer(MixtureExperiment(config), out).run(resume=args.resume, progress=args.progress)
        print(f"run written to {out}", file=sys.stderr)
        return 0
    except KeyboardInterrupt:
        return 130
    except (FileExistsError, ValueError, RuntimeError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
