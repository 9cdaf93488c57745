"""Evaluation: samples drawn in chunks equal samples drawn at once (eval mode, batch norm's
statistics re-estimated at the current weights and put back afterwards), and a stop request
during an evaluation stops the run at once, keeping the checkpoint that precedes it."""

import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

import minigrad as mg
from minigrad import nn

import ugan.experiments.base as base
from tiny_runs import assert_same_run, tiny_config, train
from ugan import jsonfile
from ugan.checkpoint import load_checkpoint
from ugan.experiments.base import estimate_batch_norm
from ugan.experiments.conv import ConvExperiment
from ugan.experiments.mixture import MixtureExperiment
from ugan.train import CHECKPOINT_NAME, GANTrainer, read_history

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_batch_norm_statistics_become_the_averages_over_the_batches():
    norm = nn.BatchNorm1d(3, dtype="float64")
    rng = np.random.default_rng(0)
    batches = [rng.normal(2.0, 3.0, (50, 3)) for _ in range(4)]
    estimate_batch_norm(norm, [mg.tensor(b) for b in batches])
    np.testing.assert_allclose(norm.running_mean.numpy(), np.mean([b.mean(0) for b in batches], 0),
                               rtol=1e-12)
    np.testing.assert_allclose(norm.running_var.numpy(),
                               np.mean([b.var(0, ddof=1) for b in batches], 0), rtol=1e-12)
    assert norm.momentum == 0.1  # put back


@pytest.fixture(scope="module")
def conv_experiment():
    """The small conv pair of the 8x8 digits (batch norm in its generator), and a generator."""
    experiment = ConvExperiment(ConvExperiment.config_from(g_width=4, noise_dim=8))
    with mg.no_grad():
        mg.manual_seed(1)
        generator, _ = experiment.build_models()
    return experiment, generator


def test_chunked_samples_equal_samples_drawn_at_once(conv_experiment, monkeypatch):
    experiment, generator = conv_experiment
    whole = experiment.generate(generator, 3, 60)
    monkeypatch.setattr(base, "EVAL_CHUNK", 7)
    with experiment.evaluation_mode(generator):
        chunks = list(experiment.sample_chunks(generator, 3, 60))
    assert [len(c) for c in chunks] == [7] * 8 + [4]
    np.testing.assert_allclose(np.concatenate(chunks), whole, rtol=0, atol=1e-6)


def test_evaluation_mode_puts_the_generators_mode_and_statistics_back(conv_experiment):
    experiment, generator = conv_experiment
    before = {name: b.numpy().copy() for name, b in generator.named_buffers()}
    assert before and generator.training
    with experiment.evaluation_mode(generator):
        assert not generator.training
        inside = {name: b.numpy().copy() for name, b in generator.named_buffers()}
        with experiment.evaluation_mode(generator):  # inside already: nothing more
            assert all(np.array_equal(b.numpy(), inside[name])
                       for name, b in generator.named_buffers())
    assert any(not np.array_equal(inside[name], before[name]) for name in before)
    assert generator.training
    assert all(np.array_equal(b.numpy(), before[name]) for name, b in generator.named_buffers())


def test_a_stop_request_during_an_evaluation_stops_at_once_and_resume_redoes_it(tmp_path,
                                                                                capsys):
    train(tmp_path / "straight")
    trainer = GANTrainer(MixtureExperiment(tiny_config()), tmp_path / "stopped")
    evaluate = trainer.experiment.evaluate

    def slow_evaluation(generator, step, out_dir):
        if step == 4:
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(60)  # an evaluation that would go on for a minute
        return evaluate(generator, step, out_dir)

    trainer.experiment.evaluate = slow_evaluation
    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        trainer.run(progress=False)
    assert time.monotonic() - started < 30
    assert "SIGTERM at iteration 4, during its evaluation: The checkpoint of iteration 4" in \
        capsys.readouterr().err
    _, meta = load_checkpoint(tmp_path / "stopped" / CHECKPOINT_NAME)
    assert meta["step"] == 4  # the checkpoint of the iteration came before its evaluation
    assert [r["step"] for r in read_history(tmp_path / "stopped")] == [0, 2]
    assert not list((tmp_path / "stopped").glob("*.tmp"))
    history = train(tmp_path / "stopped", resume=True)
    assert [r["step"] for r in history] == [0, 2, 4, 6]  # the evaluation of step 4 redone
    assert_same_run(tmp_path / "straight", tmp_path / "stopped")


def test_sigterm_during_a_long_real_evaluation_stops_the_run_within_30_s(tmp_path):
    """A real evaluation of two million LSTM samples (minutes on one core), stopped by SIGTERM:
    its chunks leave no long uninterruptible call, so the run ends in seconds."""
    out = tmp_path / "run"
    command = [sys.executable, "-m", "ugan", "lstm", "--steps", "2", "--eval-every", "2",
               "--eval-samples", "2000000", "--no-progress", "--out", str(out)]
    process = subprocess.Popen(command, cwd=ROOT, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "OPENBLAS_NUM_THREADS": "1"})
    deadline = time.monotonic() + 120
    while not (out / "config.json").exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(2)  # well inside the first evaluation (step 0)
    assert process.poll() is None, process.stderr.read()
    process.send_signal(signal.SIGTERM)
    stopped = time.monotonic()
    process.wait(timeout=30)
    assert time.monotonic() - stopped < 30
    assert process.returncode != 0
    assert "SIGTERM at iteration 0, during its evaluation: No checkpoint was saved" in \
        process.stderr.read()
    assert not (out / "metrics.jsonl").read_text()  # no record of the cut evaluation
    assert jsonfile.read(out / "config.json")["eval_samples"] == 2000000
