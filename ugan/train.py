"""The alternating GAN training loop, with checkpoints, exact resume, metrics and a progress bar.

One iteration (paper Sec. 2.3, the parameter updates of Eq. 10-11, with Adam for both):

    real batch, noise batch  ->  one discriminator step (ordinary Adam on L_D = -f, Eq. 11)
                             ->  one generator step (Adam on the surrogate f_K, Eq. 10; ugan.unroll)

With ``g_steps_per_d`` n > 1 (the appendix's lagging discriminator) the discriminator's step is
followed by n generator steps, each on its own minibatch; ``--steps`` still counts iterations
(discriminator steps), and the generator's Adam takes n steps per iteration. With a
discriminator ensemble (``ugan.ensemble``) the generator's loss is taken on past
discriminators instead of f_K. Historical averages are updated once per iteration.

An experiment (``ugan.experiments.base.Experiment``) supplies the models, the data and the
evaluation; ``ugan.checkpoint.CheckpointLayout`` says where each part of the state lies in a
checkpoint. Every source of randomness of an iteration is one numpy Generator whose state is
checkpointed with the parameters and optimizer states, so a run stopped at iteration i and
resumed ends bit-for-bit where an uninterrupted run ends (on the CPU).
"""

import contextlib
import dataclasses
import math
import signal
import sys
import threading
from pathlib import Path

import numpy as np
from tqdm import tqdm

import minigrad as mg
from minigrad.optim import Adam

from ugan import jsonfile
from ugan.averaging import HistoricalAverage
from ugan.checkpoint import (CheckpointError, CheckpointLayout, check_same_config,
                             generator_from_json, generator_state_to_json, load_checkpoint,
                             save_checkpoint)
from ugan.ablations import check_ablation_options
from ugan.ensemble import DiscriminatorEnsemble
from ugan.losses import discriminator_loss
from ugan.unroll import discriminator_logits, surrogate_loss

CHECKPOINT_NAME = "checkpoint.npz"
# Options that may change between a run and its resumption.
RESUMABLE_CHANGES = ("steps", "device", "eval_every", "checkpoint_every", "compile")


@contextlib.contextmanager
def building_defaults(device, seed):
    """minigrad's default device set to ``device`` and its default generator seeded with
    ``seed`` (what an experiment's models are built and initialised with), and the caller's
    device and generator put back afterwards: a trainer changes no global state."""
    device_before, generator_before = mg.default_device(), mg.default_generator()
    mg.set_default_device(device)
    mg.manual_seed(seed)
    try:
        yield
    finally:
        mg.set_default_device(device_before)
        mg.manual_seed(generator_before)


class GANTrainer:
    def __init__(self, experiment, out_dir):
        self.experiment = experiment
        self.config = experiment.config
        self.out_dir = Path(out_dir)
        config = self.config
        check_ablation_options(config)
        with building_defaults(config.device, config.seed):
            self.generator, self.discriminator = experiment.build_models()
        betas = (config.beta1, config.beta2)
        self.g_optimizer = Adam(self.generator.parameters(), lr=config.g_lr, betas=betas,
                                eps=config.adam_eps)
        self.d_optimizer = Adam(self.discriminator.parameters(), lr=config.d_lr, betas=betas,
                                eps=config.adam_eps)
        self.averages = {}
        if config.historical_averaging:
            self.averages = {prefix: HistoricalAverage(module.parameters(),
                                                       config.historical_averaging)
                             for prefix, module in (("G", self.generator),
                                                    ("D", self.discriminator))}
        self.ensembles = {}
        if config.d_ensemble != "none":
            self.ensembles = {"D": DiscriminatorEnsemble(self.discriminator, config.ensemble_size,
                                                         config.ensemble_every)}
        self.layout = CheckpointLayout({"G": self.generator, "D": self.discriminator},
                                       {"G": self.g_optimizer, "D": self.d_optimizer},
                                       self.averages, self.ensembles,
                                       {"G": config.g_steps_per_d, "D": 1})
        self.rng = np.random.default_rng(config.seed)
        self.step = 0
        state = [self.generator, self.discriminator, self.g_optimizer, self.d_optimizer,
                 *self.averages.values(), *self.ensembles.values()]
        self._iteration = mg.compile(self.iteration, state=state) if config.compile \
            else self.iteration

    # -- one iteration -------------------------------------------------------------------
    def _batch(self):
        experiment, n = self.experiment, self.config.batch_size
        device = self.config.device  # explicit: the process's default device may be another
        real = mg.as_tensor(experiment.sample_real(self.rng, n), device=device)
        noise = mg.as_tensor(experiment.sample_noise(self.rng, n), device=device)
        return real, noise

    def _batches(self):
        """Per generator step, its (real, noise) minibatch, then, with resampled unrolling, one
        more per unrolled step; the discriminator's step takes the first. Drawn before the
        iteration, so that a compiled iteration takes them as inputs (the same draws, in the
        same order, as drawing each when it is needed)."""
        extra = self.config.unroll_steps if self.config.resample_unroll else 0
        return [self._batch() for _ in range((1 + extra) * self.config.g_steps_per_d)]

    def _ensemble_inputs(self):
        """With an ensemble: its weights in this iteration (an input) and whether the iteration
        pushes the discriminator into it (baked into the program)."""
        if not self.ensembles:
            return {}
        ensemble = self.ensembles["D"]
        return {"weights": ensemble.weights(self.step, self.config.dtype, self.config.device),
                "push": ensemble.pushes_at(self.step)}

    def train_step(self):
        """One iteration, compiled unless the config says otherwise; (D's loss, the last
        generator step's loss)."""
        d_loss, g_loss = self._iteration(self._batches(), **self._ensemble_inputs())
        self.step += 1
        return float(d_loss.item()), float(g_loss.item())

    def iteration(self, batches, weights=None, push=False):
        """One discriminator step and ``g_steps_per_d`` generator steps, from the minibatches of
        :meth:`_batches` (and, with an ensemble, the inputs of :meth:`_ensemble_inputs`);
        returns D's loss and the last generator step's loss as tensors."""
        config = self.config
        real, noise = batches[0]
        with mg.no_grad():
            fake = self.generator(noise)
        self.d_optimizer.zero_grad()
        own = dict(self.discriminator.named_parameters())
        d_loss = discriminator_loss(*discriminator_logits(self.discriminator, own, real, fake))
        self._with_penalty("D", d_loss).backward()
        self.d_optimizer.step()
        if push:
            self.ensembles["D"].push()
        per_step = len(batches) // config.g_steps_per_d
        for first in range(0, len(batches), per_step):
            g_loss = self._generator_step(batches[first:first + per_step], weights)
        for average in self.averages.values():
            average.update()
        return d_loss, g_loss

    def _generator_step(self, batches, weights):
        """One Adam step of the generator on f_K (or on the ensemble's loss), from its
        minibatch and those of its unrolled steps; returns the loss."""
        config = self.config
        (real, noise), resampled = batches[0], batches[1:]

        def unrolled_batch(k):
            real_k, noise_k = resampled[k]
            return real_k, self.generator(noise_k)

        if self.ensembles:
            g_loss = self.ensembles["D"].loss(real, self.generator(noise), weights,
                                              config.generator_loss)
        else:
            g_loss = surrogate_loss(self.generator, self.discriminator, self.d_optimizer, real,
                                    noise, config.unroll_steps, config.second_order,
                                    config.generator_loss, unrolled_batch if resampled else None,
                                    config.unroll_objective)
        params = list(self.generator.parameters())
        for p, g in zip(params, mg.grad(self._with_penalty("G", g_loss), params)):
            p.grad = g
        self.g_optimizer.step()
        return g_loss

    def _with_penalty(self, player, loss):
        """The player's loss, plus the historical-averaging penalty when that is switched on."""
        return loss + self.averages[player].penalty() if self.averages else loss

    # -- state -----------------------------------------------------------------------------
    def save(self):
        arrays, optimizer_meta = self.layout.arrays()
        meta = {"step": self.step, "config": dataclasses.asdict(self.config),
                "rng": generator_state_to_json(self.rng), "optimizers": optimizer_meta}
        path = save_checkpoint(self.out_dir / CHECKPOINT_NAME, arrays, meta)
        self.saved_step = self.step
        return path

    def load(self, path):
        """Continue from the checkpoint at ``path``, refusing (CheckpointError) one that this run
        cannot continue exactly, before anything changes."""
        arrays, meta = load_checkpoint(path)
        rng = self._check_checkpoint(arrays, meta, path)
        self.layout.load(arrays, meta["step"])
        self.rng, self.step = rng, meta["step"]

    def _check_checkpoint(self, arrays, meta, path):
        """Refuse a checkpoint whose metadata or arrays are not what this run saves after some
        iteration 1..steps; returns its random generator."""
        def refuse(problem):
            raise CheckpointError(f"checkpoint {path} {problem}")

        if sorted(meta) != ["config", "optimizers", "rng", "step"]:
            refuse(f"has metadata entries {sorted(meta)}; expected config, optimizers, rng, step")
        step = meta["step"]
        if type(step) is not int or not 1 <= step <= self.config.steps:
            refuse(f"is at iteration {step!r}; this run continues from iterations 1 to "
                   f"{self.config.steps} (--steps)")
        if not isinstance(meta["config"], dict):
            refuse("has no configuration")
        saved = self.config.current_names(meta["config"], self.experiment.name)
        check_same_config(saved, dataclasses.asdict(self.config), path, ignore=RESUMABLE_CHANGES,
                          defaults=dataclasses.asdict(type(self.config)()))
        self.layout.check_arrays(arrays, refuse)
        if meta["optimizers"] != self.layout.expected_optimizer_meta(step):
            refuse(f"holds optimizer state other than this run's hyperparameters and Adam "
                   f"step counts of {step} (the checkpoint's iteration)")
        try:
            return generator_from_json(meta["rng"])
        except (KeyError, ValueError, TypeError, OverflowError) as error:
            refuse(f"holds no valid PCG64 random generator state ({error!r})")

    # -- the loop --------------------------------------------------------------------------
    def run(self, resume=False, progress=True):
        """Train up to ``config.steps`` iterations; returns the list of metric records. Whatever
        stops it, metrics.jsonl then agrees with the last checkpoint; a finished run that is run
        again (with ``resume``) changes nothing."""
        config = self.config
        if self.out_dir.exists() and not self.out_dir.is_dir():
            raise NotADirectoryError(20, "is a file, not a run folder (--out)", str(self.out_dir))
        self.out_dir.mkdir(parents=True, exist_ok=True)
        checkpoint = self.out_dir / CHECKPOINT_NAME
        metrics_path = self.out_dir / "metrics.jsonl"
        if checkpoint.exists() and not resume:
            raise FileExistsError(f"{self.out_dir} already holds a run; pass --resume to "
                                  "continue it, or choose another --out")
        if resume and checkpoint.exists():
            self.load(checkpoint)
        history = (_read_history(metrics_path, self.step, self._evaluates_at,
                                 self.experiment.renamed_metrics) if self.step else [])
        jsonfile.write(self.out_dir / "config.json", dataclasses.asdict(config))
        self.saved_step = self.step
        try:
            self._train(history, metrics_path, progress)
        except BaseException as error:
            jsonfile.write_lines(metrics_path, [r for r in history if r["step"] <= self.saved_step])
            if isinstance(error, _StoppedInEvaluation):
                print(f"\n{error.signal_name} at iteration {self.step}, during its evaluation: "
                      f"{self._what_is_kept()}", file=sys.stderr)
            elif isinstance(error, KeyboardInterrupt) and not isinstance(error, _SavedAndStopped):
                print(f"\nstopped at once: {self._what_is_kept()}", file=sys.stderr)
            raise
        self.experiment.finish(self.out_dir, history)
        return history

    def _train(self, history, metrics_path, progress):
        """Iterations from ``self.step`` to ``config.steps``, evaluating and checkpointing."""
        config = self.config
        jsonfile.write_lines(metrics_path, history)
        with _StopRequests() as stop, stop.at_once():
            if self._evaluates_at(self.step) and not (history and
                                                      history[-1]["step"] == self.step):
                history.append(self._evaluate(metrics_path))
        with tqdm(total=config.steps, initial=self.step, disable=not progress, file=sys.stderr,
                  desc=f"{self.experiment.name} K={config.unroll_steps}",
                  dynamic_ncols=True) as bar, _StopRequests() as stop:
            while self.step < config.steps:
                d_loss, g_loss = self.train_step()
                self._check_divergence(d_loss, g_loss)
                bar.update(1)
                evaluates = self._evaluates_at(self.step)
                if (self.step % config.checkpoint_every == 0 or self.step == config.steps
                        or evaluates or stop.requested):
                    self.save()  # before the evaluation, which a stop request may cut short
                if evaluates and not (stop.requested and self.step < config.steps):
                    with stop.at_once():
                        history.append(self._evaluate(metrics_path))
                    bar.set_postfix(self.experiment.summary(history[-1]), refresh=False)
                if stop.requested and self.step < config.steps:
                    bar.close()
                    print(f"\n{stop.requested} at iteration {self.step}: checkpoint saved in "
                          f"{self.out_dir}; continue with --resume", file=sys.stderr)
                    raise _SavedAndStopped

    def _evaluates_at(self, step):
        """Whether the run evaluates after iteration ``step`` (0: before the first)."""
        return step % self.config.eval_every == 0 or step == self.config.steps

    def _check_divergence(self, d_loss, g_loss):
        """Stop with DivergenceError when a player's loss of this iteration, or its parameters
        after it, are no longer finite (the discriminator's first: it steps first)."""
        for player, loss, module in (("discriminator", d_loss, self.discriminator),
                                     ("generator", g_loss, self.generator)):
            if not math.isfinite(loss):
                problem = f"loss is {loss}"
            elif not _all_finite(module.parameters()):
                problem = "parameters are no longer finite"
            else:
                continue
            raise DivergenceError(
                f"{self.experiment.name} K={self.config.unroll_steps} diverged at iteration "
                f"{self.step}: the {player}'s {problem} (try a lower --lr). "
                f"{self._what_is_kept()}")

    def _what_is_kept(self):
        if not self.saved_step:
            return "No checkpoint was saved: --resume starts the run again from iteration 0."
        return (f"The checkpoint of iteration {self.saved_step} in {self.out_dir} is kept, with "
                "metrics.jsonl up to it; what came after is lost. Continue with --resume.")

    def _evaluate(self, metrics_path):
        record = {"step": self.step, **self.experiment.evaluate(self.generator, self.step,
                                                                 self.out_dir)}
        with open(metrics_path, "a") as handle:
            handle.write(jsonfile.dumps(record) + "\n")
        return record


class DivergenceError(RuntimeError):
    """A player's loss or parameters stopped being finite."""


class _SavedAndStopped(KeyboardInterrupt):
    """A stop request honoured: the iteration finished and was checkpointed."""


class _StoppedInEvaluation(KeyboardInterrupt):
    """A stop request honoured during an evaluation, which stopped at once: its iteration's
    checkpoint was written before it."""

    def __init__(self, signal_name):
        super().__init__(signal_name)
        self.signal_name = signal_name


def _all_finite(params):
    """Whether every parameter is finite, computed on the parameters' device: p * 0 is 0 where
    p is finite and nan where it is not."""
    with mg.no_grad():
        return all(math.isfinite(float((p * 0.0).sum().item())) for p in params)


class _StopRequests:
    """Ctrl-C (SIGINT) or SIGTERM asks the loop to stop after the current iteration, so that the
    checkpoint it saves holds a whole iteration (an iteration cut in the middle, after the
    discriminator's step but before the generator's, could not be resumed exactly). A second
    Ctrl-C stops at once, leaving the last checkpoint as it is. During an evaluation
    (:meth:`at_once`), which follows its iteration's checkpoint and changes nothing a run keeps,
    the first request stops at once: a resumed run redoes the evaluation."""

    SIGNALS = (signal.SIGINT, signal.SIGTERM)

    def __init__(self):
        self.requested = None
        self._previous = {}
        self._at_once = False

    def _handle(self, number, frame):
        name = signal.Signals(number).name
        if self._at_once:
            self.requested = name
            raise _StoppedInEvaluation(name)
        if self.requested is not None and number == signal.SIGINT:
            raise KeyboardInterrupt  # the run says what was and was not saved
        self.requested = name

    @contextlib.contextmanager
    def at_once(self):
        """Within it, a stop request interrupts what runs (an evaluation) at once."""
        self._at_once = True
        try:
            yield
        finally:
            self._at_once = False

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            for number in self.SIGNALS:
                self._previous[number] = signal.signal(number, self._handle)
        return self

    def __exit__(self, *exc_info):
        for number, handler in self._previous.items():
            signal.signal(number, handler)
        return False


def _read_history(path, up_to=math.inf, keep=lambda step: True, renamed=None):
    """The metric records of a run so far, up to its checkpoint's iteration ``up_to``, those
    whose steps ``keep`` accepts (a run stopped at its ``--steps`` evaluated there; continued to
    more steps, it would not have), with the metrics that ``renamed`` maps (former name -> name
    now) under their names now. A last line cut short (a write interrupted) is left out; any
    other damaged line is an error that names the file and the line."""
    renamed = renamed or {}
    if not path.exists():
        return []
    text = path.read_text()
    lines = text.splitlines()
    records = []
    for number, line in enumerate(lines, 1):
        try:
            record = jsonfile.loads(line) if line.strip() else None
            if record is not None and record["step"] <= up_to and keep(record["step"]):
                records.append({renamed.get(key, key): value for key, value in record.items()})
        except (ValueError, TypeError, KeyError, AttributeError) as error:
            if number == len(lines) and not text.endswith("\n"):
                break
            raise ValueError(f"{path}, line {number}: not a metric record ({error!r}); repair "
                             "or delete the line") from error
    return records


def read_history(out_dir):
    """All metric records of the run in ``out_dir``."""
    return _read_history(Path(out_dir) / "metrics.jsonl")
