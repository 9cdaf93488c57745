"""f_K through a discriminator with batch norm (the paper's discriminators all have it): D sees
the real and the fake batch in separate passes, each normalised by its own statistics; the
gradient of f_K in G's parameters matches central finite differences in float64; computing f_K
leaves D's running statistics alone, and only D's own training step moves them. (Compiled
f_K through batch norm: test_unroll.py's compiled-equals-eager test, with its bn pair.)"""

import numpy as np
import pytest

import minigrad as mg
from minigrad import nn
from minigrad.nn import functional_call
from minigrad.optim import Adam

from ugan.losses import discriminator_loss
from ugan.models import PaperLSTMDiscriminator
from ugan.unroll import discriminator_logits, surrogate_loss

SHAPE = (1, 4, 4)


def smooth_discriminator():
    """conv -> batch norm -> tanh -> linear: batch norm inside, and no kinks for finite
    differences to straddle."""
    return nn.Sequential(nn.Conv2d(1, 2, 3, stride=2, padding=1, dtype="float64"),
                         nn.BatchNorm2d(2, dtype="float64"), nn.Tanh(), nn.Flatten(),
                         nn.Linear(8, 1, dtype="float64"))


def paper_discriminator():
    """The RNN MNIST discriminator at 1/16 width: convolutions of 1, 2, 2 channels, each with
    batch norm and leaky ReLU."""
    return PaperLSTMDiscriminator(SHAPE, width=1 / 16, dtype="float64")


def bn_gan(make_discriminator, seed=0):
    """A tanh generator of 1x4x4 images and a batch norm discriminator in float64, D after one
    ordinary Adam step (so its Adam state and its running statistics are not at their start)."""
    mg.manual_seed(seed)
    generator = nn.Sequential(nn.Linear(2, 16, dtype="float64"), nn.Tanh())
    discriminator = make_discriminator()
    rng = np.random.default_rng(seed)
    real = mg.tensor(rng.standard_normal((5, *SHAPE)))
    noise = mg.tensor(rng.standard_normal((5, 2)))
    d_optimizer = Adam(discriminator.parameters(), lr=0.05, betas=(0.5, 0.999))
    with mg.no_grad():
        fake = image(generator, noise)
    own = dict(discriminator.named_parameters())
    discriminator_loss(*discriminator_logits(discriminator, own, real, fake)).backward()
    d_optimizer.step()
    return generator, discriminator, d_optimizer, real, noise


def image(generator, noise):
    return generator(noise).reshape(noise.shape[0], *SHAPE)


def statistics(discriminator):
    return {name: b.numpy().copy() for name, b in discriminator.named_buffers()}


def f_k_of_generator_parameters(gan, unroll_steps):
    """G's parameters -> f_K, for the gradient checkers."""
    generator, discriminator, d_optimizer, real, noise = gan
    names = [name for name, _ in generator.named_parameters()]

    def f_k(*params):
        def generate(z):
            return image(lambda x: functional_call(generator, dict(zip(names, params)), x), z)

        return surrogate_loss(generate, discriminator, d_optimizer, real, noise, unroll_steps)

    return f_k


@pytest.mark.parametrize("make_discriminator", [smooth_discriminator, paper_discriminator],
                         ids=["conv-bn-tanh", "paper-rnn-mnist-d"])
@pytest.mark.parametrize("unroll_steps", [1, 2])
def test_gradient_of_f_k_through_batch_norm_matches_finite_differences(make_discriminator,
                                                                       unroll_steps):
    gan = bn_gan(make_discriminator)
    f_k = f_k_of_generator_parameters(gan, unroll_steps)
    assert mg.testing.gradcheck(f_k, tuple(gan[0].parameters()))


@pytest.mark.parametrize("unroll_steps", [0, 1, 2])
def test_computing_f_k_and_its_gradient_leaves_running_statistics_unchanged(unroll_steps):
    generator, discriminator, d_optimizer, real, noise = bn_gan(paper_discriminator)
    before = statistics(discriminator)
    loss = surrogate_loss(lambda z: image(generator, z), discriminator, d_optimizer, real, noise,
                          unroll_steps)
    mg.grad(loss, list(generator.parameters()))
    after = statistics(discriminator)
    assert before.keys() == after.keys() and len(before) == 6
    for name in before:
        np.testing.assert_array_equal(after[name], before[name])


def test_the_discriminators_own_step_moves_its_running_statistics():
    _, discriminator, _, _, _ = bn_gan(paper_discriminator)
    for name, value in statistics(discriminator).items():
        start = 0.0 if name.endswith("running_mean") else 1.0
        assert np.abs(value - start).max() > 1e-3, name


def test_real_and_fake_batches_are_normalised_each_by_its_own_statistics():
    _, discriminator, _, real, _ = bn_gan(paper_discriminator)
    params = dict(discriminator.named_parameters())
    rng = np.random.default_rng(3)
    fake = mg.tensor(rng.standard_normal((5, *SHAPE)))
    _, alone = discriminator_logits(discriminator, params, real, fake)
    _, with_other_real = discriminator_logits(discriminator, params, real * 3.0 + 1.0, fake)
    np.testing.assert_array_equal(alone.numpy(), with_other_real.numpy())
    own_pass = functional_call(discriminator, params, fake)
    np.testing.assert_array_equal(alone.numpy(), own_pass.numpy())
