"""The ICLR appendix's ablations: the generator's loss averaged over the unrolled
discriminators, generator steps per discriminator step, and ensembles of past discriminators;
each changes what it should, compiled equals eager, a resumed run equals an uninterrupted one,
and bad values are refused (also on the command line)."""

import re

import numpy as np
import pytest

import minigrad as mg
from minigrad.nn import functional_call

from tiny_gans import tiny_gan
from tiny_runs import (TINY_FLAGS, assert_extended_run, assert_same_trainers,
                       compiled_and_eager, tiny_config, train)
from ugan.__main__ import main
from ugan.checkpoint import load_checkpoint
from ugan.experiments.mixture import MixtureExperiment
from ugan.losses import generator_loss
from ugan.train import CHECKPOINT_NAME, GANTrainer
from ugan.unroll import discriminator_logits, surrogate_loss, unrolled_discriminators


def loss_and_gradient(unroll_steps, second_order=True, objective="final", seed=0):
    generator, discriminator, d_optimizer, real, noise = tiny_gan(seed)
    loss = surrogate_loss(generator, discriminator, d_optimizer, real, noise, unroll_steps,
                          second_order, objective=objective)
    return loss.numpy(), [g.numpy() for g in mg.grad(loss, list(generator.parameters()))]


def assert_same_arrays(a, b):
    assert len(a) == len(b)
    for x, y in zip(a, b):
        assert x.tobytes() == y.tobytes()


# -- the average over the unrolled discriminators --------------------------------------------

@pytest.mark.parametrize("unroll_steps, second_order", [(0, True), (1, True), (1, False)])
def test_the_average_is_the_final_loss_when_k_is_0_or_1(unroll_steps, second_order):
    loss_a, grads_a = loss_and_gradient(unroll_steps, second_order, "average")
    loss_f, grads_f = loss_and_gradient(unroll_steps, second_order, "final")
    assert loss_a.tobytes() == loss_f.tobytes()
    assert_same_arrays(grads_a, grads_f)


@pytest.mark.parametrize("second_order", [True, False])
def test_the_average_is_the_mean_of_the_loss_at_each_unrolled_discriminator(second_order):
    generator, discriminator, d_optimizer, real, noise = tiny_gan()
    fake = generator(noise)
    thetas = unrolled_discriminators(discriminator, d_optimizer, real, fake, 3, second_order)
    losses = [generator_loss(*discriminator_logits(discriminator, theta, real, fake)).item()
              for theta in thetas]
    assert len(set(losses)) == 3  # three different discriminators
    loss, _ = loss_and_gradient(3, second_order, "average")
    np.testing.assert_allclose(loss, np.mean(losses), rtol=1e-14)
    final_loss, _ = loss_and_gradient(3, second_order, "final")
    assert final_loss == losses[-1] and loss != final_loss


def test_the_stop_gradient_average_holds_every_unrolled_discriminator_constant():
    generator, discriminator, d_optimizer, real, noise = tiny_gan()
    with mg.no_grad():
        fake = generator(noise)
    thetas = unrolled_discriminators(discriminator, d_optimizer, real, fake, 3, True)
    thetas = [{name: p.detach() for name, p in theta.items()} for theta in thetas]
    fake = generator(noise)
    held = sum(generator_loss(*discriminator_logits(discriminator, theta, real, fake))
               for theta in thetas) / 3
    expected = [g.numpy() for g in mg.grad(held, list(generator.parameters()))]
    _, actual = loss_and_gradient(3, False, "average")
    _, with_second = loss_and_gradient(3, True, "average")
    for a, e, s in zip(actual, expected, with_second):
        np.testing.assert_allclose(a, e, rtol=1e-12, atol=1e-15)
        assert not np.allclose(s, e)  # the second gradient term is there when it is on


def test_the_gradient_of_the_average_matches_finite_differences():
    generator, discriminator, d_optimizer, real, noise = tiny_gan()
    names = [name for name, _ in generator.named_parameters()]

    def average(*params):
        def generate(z):
            return functional_call(generator, dict(zip(names, params)), z)

        return surrogate_loss(generate, discriminator, d_optimizer, real, noise, 3,
                              objective="average")

    assert mg.testing.gradcheck(average, tuple(generator.parameters()))


# -- generator steps per discriminator step --------------------------------------------------

def test_an_iteration_with_two_generator_steps_is_one_iteration_then_a_generator_step():
    lagging = GANTrainer(MixtureExperiment(tiny_config(g_steps_per_d=2, compile=False)), "-")
    plain = GANTrainer(MixtureExperiment(tiny_config(compile=False)), "-")
    batches = lagging.gan.batches()
    assert len(batches) == 2
    d_loss, g_loss = lagging.gan.iteration(batches)
    plain_d_loss, _ = plain.gan.iteration(batches[:1])
    plain_g_loss = plain.gan.generator_step(batches[1:], None)
    assert d_loss.item() == plain_d_loss.item() and g_loss.item() == plain_g_loss.item()
    assert_same_trainers(lagging, plain)


def test_the_generators_adam_counts_its_steps_per_iteration(tmp_path):
    train(tmp_path, g_steps_per_d=3, resample_unroll=True)
    arrays, _ = load_checkpoint(tmp_path / CHECKPOINT_NAME)
    for player, steps in (("G", 18), ("D", 6)):
        counts = {float(array) for name, array in arrays.items()
                  if name.startswith(f"opt{player}/") and name.endswith("/step")}
        assert counts == {steps}


# -- ensembles of past discriminators --------------------------------------------------------

def parameters(module):
    return [p.numpy().copy() for p in module.parameters()]


def test_an_ensemble_of_one_current_discriminator_is_the_plain_loss(tmp_path):
    train(tmp_path / "plain", unroll_steps=0)
    train(tmp_path / "ensemble", unroll_steps=0, d_ensemble="last", ensemble_size=1)
    plain, _ = load_checkpoint(tmp_path / "plain" / CHECKPOINT_NAME)
    ensemble, _ = load_checkpoint(tmp_path / "ensemble" / CHECKPOINT_NAME)
    names = [name for name, _ in MixtureExperiment(tiny_config()).build_models()[1]
             .named_parameters()]
    assert sorted(set(ensemble) - set(plain)) == sorted(f"ensD/0/{j}" for j in range(len(names)))
    for name, array in plain.items():
        assert array.tobytes() == ensemble[name].tobytes(), name
    for j, name in enumerate(names):  # the member is the discriminator after its last step
        assert ensemble[f"ensD/0/{j}"].tobytes() == plain[f"D/{name}"].tobytes()


@pytest.mark.parametrize("kind, every", [("last", 1), ("every", 2)])
def test_the_ensemble_holds_the_discriminators_pushed_and_weighs_those_held(kind, every):
    trainer = GANTrainer(MixtureExperiment(tiny_config(
        unroll_steps=0, d_ensemble=kind, ensemble_size=3, ensemble_every=every)), "-")
    ensemble = trainer.gan.ensembles["D"]
    pushed = []
    for step in range(9):
        weights = ensemble.weights(step, "float32", "cpu").numpy()
        held = min(3, step // every + 1)
        np.testing.assert_array_equal(weights, np.array([1 / held] * held + [0] * (3 - held),
                                                      dtype=np.float32))
        trainer.gan.train_step()
        if step % every == 0:
            pushed.insert(0, parameters(trainer.gan.discriminator))
        for slot, expected in zip(ensemble.slots, pushed[:3]):
            assert_same_arrays([p.numpy() for p in slot], expected)


def test_the_ensembles_loss_is_the_weighted_sum_of_its_members_losses():
    trainer = GANTrainer(MixtureExperiment(tiny_config(
        unroll_steps=0, d_ensemble="every", ensemble_size=3, ensemble_every=2, compile=False)),
        "-")
    for _ in range(5):
        trainer.gan.train_step()
    ensemble = trainer.gan.ensembles["D"]
    (real, noise), = trainer.gan.batches()
    fake = trainer.gan.generator(noise)
    weights = mg.tensor(np.array([0.5, 0.25, 0.25], dtype="float32"))
    names = [name for name, _ in trainer.gan.discriminator.named_parameters()]
    expected = sum(w * generator_loss(*discriminator_logits(
        trainer.gan.discriminator, dict(zip(names, slot)), real, fake)).item()
        for w, slot in zip((0.5, 0.25, 0.25), ensemble.slots))
    np.testing.assert_allclose(ensemble.loss(real, fake, weights, "minimax").item(), expected,
                               rtol=1e-6)


# -- compiled, resumed, refused --------------------------------------------------------------

OPTIONS = {
    "average": dict(unroll_objective="average"),
    "stop-gradient-average": dict(unroll_objective="average", second_order=False),
    "lagging-discriminator": dict(g_steps_per_d=3, resample_unroll=True),
    "ensemble-last": dict(unroll_steps=0, d_ensemble="last", ensemble_size=3),
    "ensemble-every": dict(unroll_steps=0, d_ensemble="every", ensemble_size=3,
                           ensemble_every=2),
}


@pytest.mark.parametrize("name", sorted(OPTIONS))
def test_each_ablation_compiled_equals_eager(name):
    compiled, eager = compiled_and_eager(MixtureExperiment, tiny_config(**OPTIONS[name]))
    for _ in range(7):
        assert compiled.gan.train_step() == eager.gan.train_step()
    assert_same_trainers(compiled, eager)


@pytest.mark.parametrize("name", sorted(OPTIONS))
def test_each_ablation_resumes_bit_for_bit(tmp_path, name):
    options = {**OPTIONS[name], "steps": 7}
    train(tmp_path / "straight", **options)
    train(tmp_path / "stopped", **{**options, "steps": 3})
    train(tmp_path / "stopped", resume=True, **options)
    assert_extended_run(tmp_path / "straight", tmp_path / "stopped", former_end=3)


def test_a_checkpoint_without_the_ensemble_is_refused(tmp_path):
    train(tmp_path, steps=3, unroll_steps=0)
    with pytest.raises(Exception, match="d_ensemble"):
        train(tmp_path, resume=True, unroll_steps=0, d_ensemble="last")


BAD = {
    "unroll_objective": ("mean", r"unroll_objective \(--unroll-objective\) takes one of"),
    "g_steps_per_d": (0, "g_steps_per_d .* takes an integer >= 1, got 0"),
    "ensemble_size": (0, "ensemble_size .* takes an integer >= 1"),
    "d_ensemble": ("all", "d_ensemble .* takes one of none, last, every, got 'all'"),
}


@pytest.mark.parametrize("option", sorted(BAD))
def test_bad_values_are_refused(option):
    value, message = BAD[option]
    with pytest.raises(ValueError, match=message):
        tiny_config(**{option: value})


@pytest.mark.parametrize("flags, message", [
    (["--d-ensemble", "last"], "replaces unrolling .* needs --unroll-steps 0, got 2"),
    (["-K", "0", "--d-ensemble", "last", "--ensemble-every", "3"], "goes with --d-ensemble every"),
    (["-K", "0", "--d-ensemble", "every", "--unroll-objective", "average"], "there are none"),
])
def test_the_command_line_refuses_a_bad_combination_in_one_line(tmp_path, capsys, flags,
                                                               message):
    assert main(["mixture", "--steps", "2", *TINY_FLAGS, *flags, "--out", str(tmp_path)]) == 2
    error = capsys.readouterr().err
    assert error.startswith("error: ablation options: ") and error.count("\n") == 1
    assert re.search(message, error)
    assert not (tmp_path / CHECKPOINT_NAME).exists()


@pytest.mark.parametrize("flag", ["--g-steps-per-d", "--ensemble-size", "--ensemble-every"])
def test_the_command_line_refuses_a_count_below_one(capsys, flag):
    with pytest.raises(SystemExit) as exit_:
        main(["mixture", flag, "0"])
    assert exit_.value.code == 2
    assert f"argument {flag}: expected an integer >= 1, got '0'" in capsys.readouterr().err


def test_the_command_line_runs_each_ablation(tmp_path):
    for name, flags in {"average": ["--unroll-objective", "average", "--no-second-order"],
                        "lagging": ["--g-steps-per-d", "2"],
                        "every": ["-K", "0", "--d-ensemble", "every", "--ensemble-size", "2",
                                  "--ensemble-every", "2"]}.items():
        assert main(["mixture", "--steps", "2", *TINY_FLAGS, *flags,
                     "--out", str(tmp_path / name)]) == 0
        assert load_checkpoint(tmp_path / name / CHECKPOINT_NAME)[1]["step"] == 2
