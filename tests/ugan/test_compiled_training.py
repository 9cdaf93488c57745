"""Compiled training equals eager training bit for bit: 200 iterations of the ring at K=10, the
ring's options, an iteration of every image experiment (conv, transposed conv, batch norm, LSTM)
and the strict device. (f_K's gradient compiled: tests/ugan/test_unroll.py; ``--no-compile``:
tests/ugan/test_train.py.)"""

import pytest

from tiny_runs import assert_same_trainers, compiled_and_eager
from ugan.experiments import EXPERIMENTS
from ugan.experiments.mixture import MixtureExperiment


def test_two_hundred_ring_iterations_at_k10_compiled_equal_eager():
    config = MixtureExperiment.config_from("paper", unroll_steps=10, batch_size=16, noise_dim=4,
                                           g_hidden=8, d_hidden=8, g_lr=1e-3, d_lr=1e-3)
    compiled, eager = compiled_and_eager(MixtureExperiment, config)
    for _ in range(200):
        assert compiled.gan.train_step() == eager.gan.train_step()
    assert_same_trainers(compiled, eager)
    assert compiled.gan.compiled.traces == 3  # no optimizer state, then state, then the check


IMAGE_TINY = dict(batch_size=8, noise_dim=4, g_width=4, d_width=2, unroll_steps=2)


@pytest.mark.parametrize("name", ["lstm", "stacked", "colour", "conv"])
def test_an_iteration_of_each_image_experiment_compiled_equals_eager(name):
    experiment = EXPERIMENTS[name]
    compiled, eager = compiled_and_eager(experiment, experiment.config_from(**IMAGE_TINY))
    for _ in range(4):
        assert compiled.gan.train_step() == eager.gan.train_step()
    assert_same_trainers(compiled, eager)


@pytest.mark.parametrize("options", [dict(resample_unroll=True), dict(second_order=False),
                                     dict(historical_averaging=0.1)],
                         ids=["resampled", "stop-gradient", "historical-averaging"])
def test_the_ring_options_compiled_equal_eager(options):
    config = MixtureExperiment.config_from("paper", unroll_steps=2, batch_size=16, noise_dim=4,
                                           g_hidden=8, d_hidden=8, **options)
    compiled, eager = compiled_and_eager(MixtureExperiment, config)
    for _ in range(4):
        assert compiled.gan.train_step() == eager.gan.train_step()
    assert_same_trainers(compiled, eager)


def test_compiled_training_on_the_strict_device_equals_eager():
    config = MixtureExperiment.config_from("paper", unroll_steps=2, batch_size=16, noise_dim=4,
                                           g_hidden=8, d_hidden=8, device="strict:device1")
    compiled, eager = compiled_and_eager(MixtureExperiment, config)
    for _ in range(4):
        assert compiled.gan.train_step() == eager.gan.train_step()
    assert next(compiled.gan.generator.parameters()).device == "strict:device1"
    assert_same_trainers(compiled, eager)


@pytest.mark.parametrize("name", ["mixture", "lstm", "stacked", "colour", "conv"])
def test_no_iteration_reads_device_values_back_to_the_host(name):
    """A GPU replays a compiled iteration without waiting for the device: none of its primitives
    reads values back to the host (``reads_to_host``, the class-index range check's). The
    experiments' losses take logits and their batches come from the host, so none needs one."""
    experiment = EXPERIMENTS[name]
    options = IMAGE_TINY if name != "mixture" else dict(batch_size=16, noise_dim=4, g_hidden=8,
                                                        d_hidden=8, unroll_steps=2)
    compiled, _ = compiled_and_eager(experiment, experiment.config_from(**options))
    for _ in range(3):  # traced, checked, then the steady program
        compiled.gan.train_step()
    program = compiled.gan.compiled.program
    assert len(program.instructions) > 100
    reading = sorted({type(ins.op).__name__ for ins in program.instructions
                      if type(ins.op).reads_to_host})
    assert reading == []


def test_the_class_index_check_is_the_op_that_reads_back_to_the_host():
    """The detector above finds what it looks for: cross_entropy with class indices checks
    their range on the host."""
    import numpy as np

    import minigrad as mg
    import minigrad.nn.functional as F

    logits = mg.tensor(np.zeros((4, 3)), requires_grad=True)
    loss = mg.compile(lambda x, target: F.cross_entropy(x, target))
    for _ in range(2):
        loss(logits, mg.tensor(np.array([0, 2, 1, 2])))
    reading = [type(ins.op).__name__ for ins in loss.program.instructions
               if type(ins.op).reads_to_host]
    assert reading == ["CheckIndices"]
