"""A run: the iterations of ``ugan.iteration.UnrolledGAN`` in a run folder, with checkpoints,
exact resume, evaluations, metrics files, a progress bar and stop requests.

A run folder holds config.json, checkpoint.npz (``ugan.checkpoint``; ``CheckpointLayout`` says
where each part of the state lies in it), metrics.jsonl (one record per evaluation, always
agreeing with the checkpoint), what the experiment's ``finish`` writes at the end, and ``.lock``:
a run holds it while it writes, so that a second writer is refused (``ugan.folder_lock``). Every
source of randomness of an iteration is one numpy Generator whose state is checkpointed with
the parameters and optimizer states, so a run stopped at iteration i and resumed ends
bit-for-bit where an uninterrupted run ends (on the CPU). A checkpoint is checked against the
run in full (its metadata, configuration, array names, shapes, dtypes and values, optimizer
step counts, random generator) before anything changes.

Ctrl-C or SIGTERM asks the loop to stop after the current iteration, with a checkpoint; a run
whose loss or parameters stop being finite stops with ``DivergenceError``. A trainer changes
no process-wide state: the models are built under ``mg.local_defaults`` (the run's device and
seed, for this thread only), and grad mode and compile's tracer are per thread in minigrad, so
several runs can train in several threads of one process (a Dask worker with several threads,
``ugan.cluster``), each as it would alone. The stop signals are caught in the main thread
only (Python delivers them there).
"""

import contextlib
import dataclasses
import math
import signal
import sys
import threading
from pathlib import Path

from tqdm import tqdm

import minigrad as mg

from ugan import jsonfile
from ugan.checkpoint import (CheckpointError, CheckpointLayout, check_same_config,
                             generator_from_json, generator_state_to_json, load_checkpoint,
                             save_checkpoint, upgrade_legacy_checkpoint)
from ugan.folder_lock import one_writer
from ugan.iteration import UnrolledGAN
from ugan.revision import record_training_start

CHECKPOINT_NAME = "checkpoint.npz"
# Options that may change between a run and its resumption.
RESUMABLE_CHANGES = ("steps", "device", "eval_every", "checkpoint_every", "compile")


class GANTrainer:
    """A run of ``experiment`` in the folder ``out_dir``: its state is ``gan``, an
    :class:`ugan.iteration.UnrolledGAN`, and :meth:`run` trains it to the config's steps."""

    def __init__(self, experiment, out_dir):
        self.experiment = experiment
        self.config = experiment.config
        self.out_dir = Path(out_dir)
        self.gan = gan = UnrolledGAN(experiment)
        self.layout = CheckpointLayout({"G": gan.generator, "D": gan.discriminator},
                                       {"G": gan.g_optimizer, "D": gan.d_optimizer},
                                       gan.averages, gan.ensembles)

    # -- state -----------------------------------------------------------------------------
    def save(self):
        arrays, optimizer_meta = self.layout.arrays()
        meta = {"step": self.gan.step, "config": dataclasses.asdict(self.config),
                "rng": generator_state_to_json(self.gan.rng), "optimizers": optimizer_meta}
        path = save_checkpoint(self.out_dir / CHECKPOINT_NAME, arrays, meta)
        self.saved_step = self.gan.step
        return path

    def load(self, path):
        """Continue from the checkpoint at ``path``, refusing (CheckpointError) one that this run
        cannot continue exactly, before anything changes."""
        arrays, meta = load_checkpoint(path)
        arrays, rng = self._check_checkpoint(arrays, meta, path)
        self.layout.load(arrays)
        self.gan.rng, self.gan.step = rng, meta["step"]

    def _check_checkpoint(self, arrays, meta, path):
        """Refuse a checkpoint whose metadata or arrays are not what this run saves after some
        iteration 1..steps; returns its arrays (one of the format before counts were arrays
        converted, ``upgrade_legacy_checkpoint``) and its random generator."""
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
        arrays, meta = upgrade_legacy_checkpoint(arrays, meta, refuse)
        self.layout.check_arrays(arrays, refuse)
        if meta["optimizers"] != self.layout.optimizer_meta():
            refuse(f"holds optimizer settings {meta['optimizers']}; this run has "
                   f"{self.layout.optimizer_meta()}")
        try:
            return arrays, generator_from_json(meta["rng"])
        except (KeyError, ValueError, TypeError, OverflowError) as error:
            refuse(f"holds no valid PCG64 random generator state ({error!r})")

    # -- the loop --------------------------------------------------------------------------
    def run(self, resume=False, progress=True):
        """Train up to ``config.steps`` iterations; returns the list of metric records. Whatever
        stops it, metrics.jsonl then agrees with the last checkpoint; a finished run that is run
        again (with ``resume``) changes nothing."""
        if self.out_dir.exists() and not self.out_dir.is_dir():
            raise NotADirectoryError(20, "is a file, not a run folder (--out)", str(self.out_dir))
        self.out_dir.mkdir(parents=True, exist_ok=True)
        with one_writer(self.out_dir, "a run"):
            return self._run_locked(resume, progress)

    def _run_locked(self, resume, progress):
        """:meth:`run`, with the folder's lock held (``ugan.folder_lock``)."""
        config = self.config
        checkpoint = self.out_dir / CHECKPOINT_NAME
        metrics_path = self.out_dir / "metrics.jsonl"
        if checkpoint.exists() and not resume:
            raise FileExistsError(f"{self.out_dir} already holds a run; pass --resume to "
                                  "continue it, or choose another --out")
        if resume and checkpoint.exists():
            self.load(checkpoint)
        history = (_read_history(metrics_path, self.gan.step,
                                 renamed=self.experiment.renamed_metrics) if self.gan.step else [])
        jsonfile.write(self.out_dir / "config.json", dataclasses.asdict(config))
        if self.gan.step < config.steps:
            record_training_start(self.out_dir, self.gan.step)
        self.saved_step = self.gan.step
        try:
            self._train(history, metrics_path, progress)
        except BaseException as error:
            jsonfile.write_lines(metrics_path, [r for r in history if r["step"] <= self.saved_step])
            if isinstance(error, _StoppedInEvaluation):
                print(f"\n{error.signal_name} at iteration {self.gan.step}, during its "
                      f"evaluation: {self._what_is_kept()}", file=sys.stderr)
            elif isinstance(error, KeyboardInterrupt) and not isinstance(error, _SavedAndStopped):
                print(f"\nstopped at once: {self._what_is_kept()}", file=sys.stderr)
            raise
        self.experiment.finish(self.out_dir, history)
        return history

    def _train(self, history, metrics_path, progress):
        """Iterations from ``gan.step`` to ``config.steps``, evaluating and checkpointing."""
        config, gan = self.config, self.gan
        jsonfile.write_lines(metrics_path, history)
        with _StopRequests() as stop, stop.at_once():
            if self._evaluates_at(gan.step) and not (history and
                                                     history[-1]["step"] == gan.step):
                history.append(self._evaluate(metrics_path))
        with tqdm(total=config.steps, initial=gan.step, disable=not progress, file=sys.stderr,
                  desc=f"{self.experiment.name} K={config.unroll_steps}",
                  dynamic_ncols=True) as bar, _StopRequests() as stop:
            while gan.step < config.steps:
                d_loss, g_loss = gan.train_step()
                self._check_divergence(d_loss, g_loss)
                bar.update(1)
                evaluates = self._evaluates_at(gan.step)
                if (gan.step % config.checkpoint_every == 0 or gan.step == config.steps
                        or evaluates or stop.requested):
                    self.save()  # before the evaluation, which a stop request may cut short
                if evaluates and not (stop.requested and gan.step < config.steps):
                    with stop.at_once():
                        history.append(self._evaluate(metrics_path))
                    bar.set_postfix(self.experiment.summary(history[-1]), refresh=False)
                if stop.requested and gan.step < config.steps:
                    bar.close()
                    print(f"\n{stop.requested} at iteration {gan.step}: checkpoint saved in "
                          f"{self.out_dir}; continue with --resume", file=sys.stderr)
                    raise _SavedAndStopped

    def _evaluates_at(self, step):
        """Whether the run evaluates after iteration ``step`` (0: before the first)."""
        return step % self.config.eval_every == 0 or step == self.config.steps

    def _check_divergence(self, d_loss, g_loss):
        """Stop with DivergenceError when a player's loss of this iteration, or its parameters
        after it, are no longer finite (the discriminator's first: it steps first)."""
        for player, loss, module in (("discriminator", d_loss, self.gan.discriminator),
                                     ("generator", g_loss, self.gan.generator)):
            if not math.isfinite(loss):
                problem = f"loss is {loss}"
            elif not _all_finite(module.parameters()):
                problem = "parameters are no longer finite"
            else:
                continue
            raise DivergenceError(
                f"{self.experiment.name} K={self.config.unroll_steps} diverged at iteration "
                f"{self.gan.step}: the {player}'s {problem} (try a lower --g-lr or --d-lr). "
                f"{self._what_is_kept()}")

    def _what_is_kept(self):
        if not self.saved_step:
            return "No checkpoint was saved: --resume starts the run again from iteration 0."
        return (f"The checkpoint of iteration {self.saved_step} in {self.out_dir} is kept, with "
                "metrics.jsonl up to it; what came after is lost. Continue with --resume.")

    def _evaluate(self, metrics_path):
        step = self.gan.step
        record = {"step": step, **self.experiment.evaluate(self.gan.generator, step, self.out_dir)}
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


def _read_history(path, up_to=math.inf, renamed=None):
    """The metric records of a run so far, up to its checkpoint's iteration ``up_to`` (all of
    them: a record made on a former ``--eval-every``, or at the end of a run since continued to
    more ``--steps``, is kept, never deleted), with the metrics that ``renamed`` maps (former
    name -> name now) under their names now. A last line cut short (a write interrupted) is left
    out; any other damaged line is an error that names the file and the line."""
    renamed = renamed or {}
    if not path.exists():
        return []
    text = path.read_text()
    lines = text.splitlines()
    records = []
    for number, line in enumerate(lines, 1):
        try:
            record = jsonfile.loads(line) if line.strip() else None
            if record is not None and record["step"] <= up_to:
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
