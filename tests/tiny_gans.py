"""Tiny float64 GANs for the tests of the unrolled surrogate f_K and its ablations."""

import numpy as np

import minigrad as mg
from minigrad import nn
from minigrad.optim import Adam

from ugan.losses import discriminator_loss
from ugan.unroll import discriminator_logits


def mlp_pair():
    """A 2 -> 3 -> 2 generator and a 2 -> 4 -> 1 discriminator with smooth (tanh) units, so
    finite differences see no kinks; and the shapes of a sample and of a noise vector."""
    generator = nn.Sequential(nn.Linear(2, 3, dtype="float64"), nn.Tanh(),
                              nn.Linear(3, 2, dtype="float64"))
    discriminator = nn.Sequential(nn.Linear(2, 4, dtype="float64"), nn.Tanh(),
                                  nn.Linear(4, 1, dtype="float64"))
    return generator, discriminator, (2,), 2


def tiny_gan(seed=0, pair=mlp_pair):
    """(generator, discriminator, its Adam optimizer, real batch, noise batch), in float64; D has
    taken one Adam step so its Adam state is not zero."""
    mg.manual_seed(seed)
    generator, discriminator, sample_shape, noise_dim = pair()
    rng = np.random.default_rng(seed)
    real = mg.tensor(rng.standard_normal((5, *sample_shape)))
    noise = mg.tensor(rng.standard_normal((5, noise_dim)))
    d_optimizer = Adam(discriminator.parameters(), lr=0.05, betas=(0.5, 0.999))
    with mg.no_grad():
        fake = generator(noise)
    discriminator_loss(*discriminator_logits(discriminator, dict(discriminator.named_parameters()),
                                             real, fake)).backward()
    d_optimizer.step()
    return generator, discriminator, d_optimizer, real, noise
