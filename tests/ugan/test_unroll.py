"""The unrolled surrogate f_K (paper Eq. 6-12) on tiny float64 networks."""

import numpy as np
import pytest

import minigrad as mg
from minigrad.nn import functional_call

from tiny_gans import mlp_pair, tiny_gan
from ugan.losses import discriminator_loss, generator_loss
from ugan.models import ConvDiscriminator, LSTMGenerator, PaperLSTMDiscriminator
from ugan.unroll import discriminator_logits, surrogate_loss, unrolled_discriminators


def image_pair():
    """The image experiments' networks, tiny: an LSTM generator of 1x4x4 images against a conv
    discriminator (conv2d, leaky ReLU, linear: every op of their unrolled steps)."""
    shape = (1, 4, 4)
    return (LSTMGenerator(2, shape, 3, dtype="float64"),
            ConvDiscriminator(shape, 2, dtype="float64"), shape, 2)


def batch_norm_pair():
    """The LSTM generator against the paper's RNN MNIST discriminator at 1/16 width (batch norm
    after each convolution; more in test_unroll_batchnorm.py)."""
    shape = (1, 4, 4)
    return (LSTMGenerator(2, shape, 3, dtype="float64"),
            PaperLSTMDiscriminator(shape, 1 / 16, dtype="float64"), shape, 2)


def generator_gradient(generator, discriminator, d_optimizer, real, noise, unroll_steps,
                       second_order=True):
    params = list(generator.parameters())
    loss = surrogate_loss(generator, discriminator, d_optimizer, real, noise, unroll_steps,
                          second_order)
    return [g.numpy() for g in mg.grad(loss, params)]


def test_k0_is_the_standard_gan_gradient():
    generator, discriminator, d_optimizer, real, noise = tiny_gan()
    params = list(generator.parameters())
    standard = generator_loss(discriminator(real), discriminator(generator(noise)))
    expected = [g.numpy() for g in mg.grad(standard, params)]
    actual = generator_gradient(generator, discriminator, d_optimizer, real, noise, 0)
    for a, e in zip(actual, expected):
        np.testing.assert_allclose(a, e, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("pair, unroll_steps", [(mlp_pair, 1), (mlp_pair, 2), (mlp_pair, 3),
                                                (image_pair, 2)],
                         ids=["mlp-K1", "mlp-K2", "mlp-K3", "lstm-conv-K2"])
def test_gradient_of_f_k_matches_finite_differences(pair, unroll_steps):
    generator, discriminator, d_optimizer, real, noise = tiny_gan(pair=pair)
    names = [name for name, _ in generator.named_parameters()]

    def f_k(*params):
        def generate(z):
            return functional_call(generator, dict(zip(names, params)), z)

        return surrogate_loss(generate, discriminator, d_optimizer, real, noise, unroll_steps)

    assert mg.testing.gradcheck(f_k, tuple(generator.parameters()))


def test_without_second_order_theta_d_k_is_held_constant():
    generator, discriminator, d_optimizer, real, noise = tiny_gan()
    with mg.no_grad():
        fake = generator(noise)
    theta_k = unrolled_discriminators(discriminator, d_optimizer, real, fake, 3)[-1]
    theta_k = {name: p.detach() for name, p in theta_k.items()}
    held = generator_loss(*discriminator_logits(discriminator, theta_k, real, generator(noise)))
    expected = [g.numpy() for g in mg.grad(held, generator.parameters())]
    actual = generator_gradient(generator, discriminator, d_optimizer, real, noise, 3,
                                second_order=False)
    for a, e in zip(actual, expected):
        np.testing.assert_allclose(a, e, rtol=1e-10, atol=1e-13)


@pytest.mark.parametrize("unroll_steps", [1, 5])
def test_unrolling_adds_a_nonzero_missing_gradient_term(unroll_steps):
    gan = tiny_gan()
    full = generator_gradient(*gan, unroll_steps, second_order=True)
    first_term = generator_gradient(*gan, unroll_steps, second_order=False)
    missing = np.concatenate([(a - b).ravel() for a, b in zip(full, first_term)])
    scale = np.linalg.norm(np.concatenate([a.ravel() for a in full]))
    assert np.linalg.norm(missing) > 1e-3 * scale


def test_the_surrogate_leaves_the_discriminator_and_its_adam_state_unchanged():
    generator, discriminator, d_optimizer, real, noise = tiny_gan()
    before = {name: p.numpy() for name, p in discriminator.named_parameters()}
    state_before = {id(p): (s["step"], s["exp_avg"].numpy(), s["exp_avg_sq"].numpy())
                    for p, s in d_optimizer.state.items()}
    generator_gradient(generator, discriminator, d_optimizer, real, noise, 4)
    for name, p in discriminator.named_parameters():
        np.testing.assert_array_equal(p.numpy(), before[name])
        assert p.grad is not None  # only the one from tiny_gan's ordinary step
    for p, s in d_optimizer.state.items():
        step, m, v = state_before[id(p)]
        assert s["step"] == step
        np.testing.assert_array_equal(s["exp_avg"].numpy(), m)
        np.testing.assert_array_equal(s["exp_avg_sq"].numpy(), v)


def test_unrolled_steps_continue_the_discriminators_adam_state():
    """One unrolled step from (theta_D, Adam state) equals one real Adam step of D."""
    generator, discriminator, d_optimizer, real, noise = tiny_gan()
    with mg.no_grad():
        fake = generator(noise)
    (theta_1,) = unrolled_discriminators(discriminator, d_optimizer, real, fake, 1)
    d_optimizer.zero_grad()
    discriminator_loss(*discriminator_logits(discriminator, dict(discriminator.named_parameters()),
                                             real, fake)).backward()
    d_optimizer.step()
    for name, p in discriminator.named_parameters():
        np.testing.assert_allclose(theta_1[name].numpy(), p.numpy(), rtol=1e-12, atol=1e-15)


def test_resampled_minibatches_are_used_for_each_unrolled_step():
    generator, discriminator, d_optimizer, real, noise = tiny_gan()
    calls = []
    rng = np.random.default_rng(5)

    def batches(k):
        calls.append(k)
        real = mg.tensor(rng.standard_normal((5, 2)))
        return real, generator(mg.tensor(rng.standard_normal((5, 2))))

    loss = surrogate_loss(generator, discriminator, d_optimizer, real, noise, 3, batches=batches)
    assert calls == [0, 1, 2]
    fixed = surrogate_loss(generator, discriminator, d_optimizer, real, noise, 3)
    assert abs(loss.item() - fixed.item()) > 1e-9


@pytest.mark.parametrize("pair", [mlp_pair, image_pair, batch_norm_pair],
                         ids=["mlp", "lstm-vs-conv", "lstm-vs-batch-norm-conv"])
@pytest.mark.parametrize("unroll_steps", [0, 1, 5])
def test_the_gradient_of_f_k_compiled_equals_eager(pair, unroll_steps):
    generator, discriminator, d_optimizer, real, noise = tiny_gan(pair=pair)
    params = list(generator.parameters())

    def f_k_gradient(real, noise):
        loss = surrogate_loss(generator, discriminator, d_optimizer, real, noise, unroll_steps)
        return mg.grad(loss, params)

    compiled = mg.compile(f_k_gradient, state=[generator, discriminator, d_optimizer])
    rng = np.random.default_rng(1)
    for _ in range(3):  # the trace, the checked first replay, a replay
        real = mg.tensor(rng.standard_normal(real.shape))
        noise = mg.tensor(rng.standard_normal(noise.shape))
        for a, b in zip(compiled(real, noise), f_k_gradient(real, noise)):
            assert a.numpy().tobytes() == b.numpy().tobytes()
