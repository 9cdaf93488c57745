"""What every experiment offers: ``TrainingConfig``, the options every run has, and
``Experiment``, the interface that ``ugan.train.GANTrainer``, ``ugan.study``, ``ugan.demo`` and
the command line use.

An experiment is a subclass of ``Experiment`` that names its config class and presets and
supplies the hooks below that have no default:

    build_models()                    (generator, discriminator)
    sample_real(rng, n)               n real samples, drawn from ``rng``
    evaluate(generator, step, out_dir)  the metrics of one evaluation, a dict (and its snapshot),
                                      its samples drawn in chunks inside ``evaluation_mode``
    real_data_metrics(seed)           the same metrics of real data (a study's ceiling row)
    figure_through_time(rows, path)   snapshots through training, a row per run

and overrides, where it needs to, those that have one: ``sample_noise``, ``summary`` (the
progress bar), ``final_metrics`` (metrics.json), ``snapshots``, ``study_extras``,
``compare_with_baseline`` and ``compare_configurations`` (more columns of a study's table) and
``study_findings`` (sentences under it). A run's folder then holds
config.json, checkpoint.npz (laid out by ``ugan.checkpoint.CheckpointLayout``), metrics.jsonl,
metrics.json, samples/ and the figures that :meth:`Experiment.finish` draws.
"""

import contextlib
import dataclasses
from dataclasses import dataclass
from pathlib import Path

import numpy as np

import minigrad as mg

from minigrad.nn.layers import BatchNorm1d, BatchNorm2d

from ugan import jsonfile, plots
from ugan.ensemble import D_ENSEMBLES
from ugan.losses import GENERATOR_LOSSES
from ugan.options import check_config, option
from ugan.safe_files import own_folder, save_array
from ugan.unroll import UNROLL_OBJECTIVES

EVAL_CHUNK = 500  # samples generated, and scored, at once in an evaluation
BATCH_NORM_BATCHES = 8  # batches of BATCH_NORM_SIZE noise draws that batch norm's statistics
BATCH_NORM_SIZE = 500  # are re-estimated from


@dataclass(frozen=True)
class TrainingConfig:
    """The options of every run, read by the trainer; the defaults are the paper's Appendix A
    (the mixture's ``paper`` preset). A subclass adds its experiment's options and may change
    defaults. Each option is declared once, with ``ugan.options.option``: its command-line flag,
    its help and its checks come from the declaration. ``renamed`` maps an option's former name
    to its name now: an override, a flag or a checkpoint that uses the former name means the
    new one."""

    renamed = {}

    unroll_steps: int = option(0, "K, the number of unrolled discriminator steps (0: a "
                                  "standard GAN)", at_least=0, short="-K", metavar="K")
    second_order: bool = option(True, "differentiate through the unrolled discriminator's "
                                      "steps; --no-second-order treats it as a constant (the "
                                      "stop-gradient ablation)")
    resample_unroll: bool = option(False, "a fresh minibatch for every unrolled step")
    historical_averaging: float = option(
        0.0, "add WEIGHT * ||theta - its average over past iterations||^2 to both players' "
             "losses (Salimans et al. 2016; ugan.averaging); 0 is off", at_least=0,
        metavar="WEIGHT")
    generator_loss: str = option("minimax", "the generator's loss: minimax (log(1 - D(G(z))), "
                                            "the paper's) or nonsaturating (-log D(G(z)))",
                                 choices=GENERATOR_LOSSES)
    steps: int = option(25000, "training iterations", at_least=1)
    batch_size: int = option(512, "minibatch size", at_least=1)
    noise_dim: int = option(256, "dimension of the generator's noise z", at_least=1)
    g_lr: float = option(1e-4, "the generator's Adam learning rate", above=0)
    d_lr: float = option(1e-4, "the discriminator's Adam learning rate", above=0)
    beta1: float = option(0.5, "Adam's beta1, of both networks", at_least=0, below=1)
    beta2: float = option(0.999, "Adam's beta2, of both networks", at_least=0, below=1)
    adam_eps: float = option(1e-8, "Adam's epsilon, of both networks", above=0)
    eval_every: int = option(1000, "iterations between evaluations", at_least=1)
    eval_samples: int = option(2500, "samples generated at each evaluation", at_least=1)
    checkpoint_every: int = option(1000, "iterations between checkpoints", at_least=1)
    seed: int = option(0, "the seed of every random draw of the run", at_least=0)
    device: str = option("cpu", "cpu, cuda, or another minigrad device")
    dtype: str = option("float32", "the networks' floating-point type",
                        choices=("float32", "float64"))
    compile: bool = option(True, "replay each iteration's compiled program (minigrad.compile); "
                                 "--no-compile runs it eagerly, with the same numbers, slower")
    # The ICLR appendix's ablations: the generator's loss averaged over the K unrolled
    # discriminators, generator steps per discriminator step, past discriminators.
    unroll_objective: str = option("final", "the generator's loss at the last unrolled "
                                            "discriminator (final: f_K) or averaged over the "
                                            "K of them (average)",
                                   choices=UNROLL_OBJECTIVES)
    g_steps_per_d: int = option(1, "generator steps per discriminator step (the appendix's "
                                   "lagging discriminator: 5)", at_least=1, metavar="N")
    d_ensemble: str = option("none", "the generator's loss on an ensemble of past "
                                     "discriminators: the last --ensemble-size, or one every "
                                     "--ensemble-every iterations (needs -K 0; ugan.ensemble)",
                             choices=D_ENSEMBLES)
    ensemble_size: int = option(10, "discriminators in the --d-ensemble", at_least=1,
                                metavar="N")
    ensemble_every: int = option(1, "--d-ensemble every: keep one discriminator every n "
                                    "iterations", at_least=1, metavar="n")

    def __post_init__(self):
        check_config(self)
        self.check_combinations()

    def check_combinations(self):
        """Raise ValueError for options that are each valid but cannot go together (the
        ablations'); a subclass with rules of its own extends it."""
        def refuse(problem):
            raise ValueError(f"ablation options: {problem}")

        if self.d_ensemble == "last" and self.ensemble_every != 1:
            refuse(f"--d-ensemble last keeps the last --ensemble-size discriminators, one per "
                   f"iteration; --ensemble-every {self.ensemble_every} goes with --d-ensemble "
                   f"every")
        if self.d_ensemble != "none" and self.unroll_steps != 0:
            refuse(f"--d-ensemble {self.d_ensemble} replaces unrolling (the generator's loss is "
                   f"taken on past discriminators); it needs --unroll-steps 0, got "
                   f"{self.unroll_steps}")
        if self.d_ensemble != "none" and self.unroll_objective != "final":
            refuse("--unroll-objective average averages over unrolled discriminators; with "
                   f"--d-ensemble {self.d_ensemble} there are none (K = 0)")

    @classmethod
    def current_names(cls, options, experiment):
        """``options`` (a dict) with every former name of ``renamed`` replaced by its name now;
        both names at once is an error that names them."""
        options = dict(options)
        for old, new in cls.renamed.items():
            if old in options:
                if new in options:
                    raise ValueError(f"{experiment}: {old} is the former name of {new}; give "
                                     f"one of them")
                options[new] = options.pop(old)
        return options


class Experiment:
    """The models, data, evaluation and figures of one experiment of the paper (see the module
    docstring for the hooks). Class attributes:

    - ``name``: the command-line name; ``config_class`` and ``presets`` (``"demo"`` is the
      default preset);
    - ``curves``: the metrics drawn in a study's metrics.png (averaged over its seeds), and
      ``run_curves`` those of a run's (default: the same);
    - ``figure_name``: the through-time figure of a study, and ``run_figure_name`` that of a run
      (default: the same);
    - ``study_columns``: (metric, title) pairs, the final metrics in a study's table;
    - ``renamed_metrics``: a metric's former name -> its name now, for the records of run
      folders written before (``ugan.train`` reads them under today's names).
    """

    name = None
    config_class = TrainingConfig
    presets = {}
    curves = ()
    run_curves = None
    figure_name = None
    run_figure_name = None
    study_columns = ()
    renamed_metrics = {}
    snapshot_columns = 5  # evaluations shown in a through-time figure

    def __init__(self, config):
        self.config = config

    @classmethod
    def config_from(cls, preset="demo", **overrides):
        """``presets[preset]`` with some options replaced; None values are ignored, former
        names (``renamed``) are taken, and an option this experiment does not have is an error
        that names it."""
        if preset not in cls.presets:
            raise ValueError(f"{cls.name}: preset must be one of {sorted(cls.presets)}, got "
                             f"{preset!r}")
        config = cls.presets[preset]
        given = config.current_names({k: v for k, v in overrides.items() if v is not None},
                                     cls.name)
        unknown = sorted(set(given) - {field.name for field in dataclasses.fields(config)})
        if unknown:
            raise ValueError(f"{cls.name}: no option {', '.join(unknown)} for this experiment")
        return dataclasses.replace(config, **given)

    # -- models and data (GANTrainer) -------------------------------------------------------
    def build_models(self):
        raise NotImplementedError

    def sample_real(self, rng, n):
        raise NotImplementedError

    def sample_noise(self, rng, n):
        """n noise vectors z ~ N(0, I_noise_dim)."""
        return rng.standard_normal((n, self.config.noise_dim)).astype(self.config.dtype)

    # -- evaluation -------------------------------------------------------------------------
    @contextlib.contextmanager
    def evaluation_mode(self, generator):
        """The generator as every evaluation samples it: in eval mode, each sample a function of
        its own noise alone, with batch norm's running statistics re-estimated at the current
        weights (:func:`estimate_batch_norm`), so that samples drawn in chunks equal samples
        drawn at once, and the L-BFGS reconstructions see the same network as the metrics.
        Afterwards the generator's mode and running statistics are put back: evaluation changes
        nothing a run keeps. Inside it already, it does nothing more."""
        if getattr(self, "_evaluating", None) is generator:
            yield generator
            return
        buffers = {name: mg.tensor(b.array, device=b.device)
                   for name, b in generator.named_buffers()}
        was_training = generator.training
        self._evaluating = generator
        try:
            estimate_batch_norm(generator, self.batch_norm_noise())
            generator.eval()
            yield generator
        finally:
            self._evaluating = None
            generator.train(was_training)
            if buffers:
                generator.load_state_dict({**generator.state_dict(), **buffers})

    def batch_norm_noise(self):
        """The noise batches batch norm's statistics are re-estimated from, fixed by the seed
        (the same at every evaluation)."""
        rng = np.random.default_rng([self.config.seed, 3])
        return (mg.as_tensor(self.sample_noise(rng, BATCH_NORM_SIZE), device=self.config.device)
                for _ in range(BATCH_NORM_BATCHES))

    def sample_chunks(self, generator, step, n):
        """n generator samples from noise fixed by (seed, step), as numpy chunks of at most
        EVAL_CHUNK, so that memory does not grow with n. The noise of all chunks is the rows of
        one (n, noise_dim) draw; it never touches the training random stream. Call it inside
        :meth:`evaluation_mode`."""
        rng = np.random.default_rng([self.config.seed, step])
        for start in range(0, n, EVAL_CHUNK):
            noise = self.sample_noise(rng, min(EVAL_CHUNK, n - start))
            with mg.no_grad():
                yield generator(mg.as_tensor(noise, device=self.config.device)).numpy()

    def generate(self, generator, step, n):
        """n generator samples (:meth:`sample_chunks`, in :meth:`evaluation_mode`) in one
        array."""
        with self.evaluation_mode(generator):
            return np.concatenate(list(self.sample_chunks(generator, step, n)))

    def evaluate(self, generator, step, out_dir):
        """The metrics after iteration ``step`` (a dict of JSON values); keeps a snapshot of
        samples in ``out_dir/samples/step_{step:07d}.npy`` for the figures."""
        raise NotImplementedError

    def real_data_metrics(self, seed):
        """The metrics of :meth:`evaluate` computed on real data in place of samples, as many
        drawn with ``seed`` (a study's ceiling row)."""
        raise NotImplementedError

    def summary(self, record):
        """The progress bar's entries for an evaluation's record."""
        return {key: f"{value:.3g}" for key, value in record.items()
                if key != "step" and isinstance(value, float)}

    # -- a finished run ---------------------------------------------------------------------
    def finish(self, out_dir, history):
        """A finished run's figures and metrics.json."""
        out_dir = Path(out_dir)
        label = f"K={self.config.unroll_steps}"
        self.draw([(label, out_dir, history)], {label: history}, out_dir,
                  self.run_figure_name or self.figure_name, self.run_curves or self.curves)
        jsonfile.write(out_dir / "metrics.json", self.final_metrics(history))

    def final_metrics(self, history):
        """What metrics.json holds (what a study reads): the final evaluation."""
        return {"final": history[-1]}

    def draw(self, rows, histories, out_dir, figure_name=None, curves=None):
        """The through-time figure ``figure_name`` (default: this experiment's), a row per
        (label, run folder, history) of ``rows``, and metrics.png, a line per label of
        ``histories`` for each of ``curves`` (default: this experiment's)."""
        out_dir = Path(out_dir)
        self.figure_through_time([(label, self.snapshots(path, history))
                                  for label, path, history in rows],
                                 out_dir / (figure_name or self.figure_name))
        plots.metric_curves(histories, list(curves or self.curves), out_dir / "metrics.png")

    def snapshots(self, out_dir, history):
        """(step, samples) at ``snapshot_columns`` evenly spaced evaluations of the run in
        ``out_dir``, for the through-time figures."""
        steps = [r["step"] for r in history]
        last = self.snapshot_columns - 1
        picks = sorted({steps[round(i * (len(steps) - 1) / last)] for i in range(last + 1)})
        return [(step, np.load(Path(out_dir) / "samples" / f"step_{step:07d}.npy"))
                for step in picks]

    def figure_through_time(self, rows, path):
        """Snapshots through training at ``path``: rows [(label, [(step, samples), ...])]."""
        raise NotImplementedError

    # -- a study ----------------------------------------------------------------------------
    @staticmethod
    def study_extras(runs):
        """More entries of a study for one K, from its runs' metrics.json: {title: {"value":
        ..., "cell": text in the table, or None for JSON only}}."""
        return {}

    @staticmethod
    def compare_with_baseline(baseline_dirs, run_dirs):
        """Entries as :meth:`study_extras` gives, comparing a K's run folders with those of the
        study's first K, seed by seed."""
        return {}

    @staticmethod
    def study_findings(summary):
        """Sentences that answer what the study was run to ask, from its summary alone (the
        study prints them under its table; none here)."""
        return []

    @staticmethod
    def compare_configurations(run_dirs, out_dir=None):
        """Entries as :meth:`study_extras` gives, for every K at once, comparing all of the
        study's K: ``run_dirs`` is {K: {seed: finished run folder}}; returns {K: entries}. A
        figure comparing them goes into the study's folder ``out_dir`` (when given)."""
        return {}


def save_snapshot(out_dir, step, samples):
    """Keep ``samples`` as the snapshot of evaluation ``step`` (what :meth:`snapshots` reads)."""
    save_array(own_folder(Path(out_dir) / "samples") / f"step_{step:07d}.npy", samples)


def estimate_batch_norm(module, batches):
    """Set every batch norm layer's running statistics of ``module`` to their averages over the
    training-mode forward passes of ``batches`` (inputs of equal size): with momentum 1 / (i+1)
    at batch i, r_i = (1 - 1/(i+1)) r_{i-1} + batch_stat_i / (i+1) = mean of batch_stat_1..i, the
    batch means for running_mean and the unbiased batch variances for running_var. The layers'
    momenta are put back; the module's mode is left in training. Nothing to do without batch
    norm."""
    norms = [m for m in module.modules() if isinstance(m, (BatchNorm1d, BatchNorm2d))]
    if not norms:
        return
    momenta = [norm.momentum for norm in norms]
    module.train()
    try:
        for i, batch in enumerate(batches):
            for norm in norms:
                norm.momentum = 1.0 / (i + 1)
            with mg.no_grad():
                module(batch)
    finally:
        for norm, momentum in zip(norms, momenta):
            norm.momentum = momentum
