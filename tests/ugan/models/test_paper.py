"""The paper's networks (ugan/models/paper.py): parameter counts at the paper's sizes, computed
here by hand from the appendices' layer lists, output shapes at tiny widths, the LSTM
generator's initialisation."""

import numpy as np
import pytest

import minigrad as mg
from minigrad import nn

from ugan.models import (PaperConvDiscriminator, PaperConvGenerator, PaperLSTMGenerator,
                         colour_pair, dcgan_pair, lstm_pair, stacked_pair)


def conv_bn(n_in, n_out):
    """A 3x3 (transposed) convolution without bias, then batch norm's scale and shift."""
    return 9 * n_in * n_out + 2 * n_out


def linear(n_in, n_out):
    return n_in * n_out + n_out


def count(module):
    return sum(p.numel() for p in module.parameters())


def dcgan_generator(widths, channels):
    """Linear (no bias) to widths[0] x 4 x 4 with batch norm, three transposed convolutions,
    a 3x3 convolution with bias to the image's channels."""
    return (256 * widths[0] * 16 + 2 * widths[0] + conv_bn(widths[0], widths[1])
            + conv_bn(widths[1], widths[2]) + conv_bn(widths[2], widths[3])
            + 9 * widths[3] * channels + channels)


def conv_discriminator(channels, widths):
    """Three stride-2 convolutions with batch norm, a linear logit from the final 4 x 4 map."""
    return (conv_bn(channels, widths[0]) + conv_bn(widths[0], widths[1])
            + conv_bn(widths[1], widths[2]) + linear(widths[2] * 4 * 4, 1))


def test_rnn_mnist_networks_have_the_appendix_parameter_counts():
    generator, discriminator = lstm_pair()
    lstm = 4 * 256 * 256 + 4 * 256                 # recurrent weights and one bias, no input
    assert count(generator) == linear(256, 256) + lstm + linear(256, 28)
    assert count(discriminator) == conv_discriminator(1, [16, 32, 32])


@pytest.mark.parametrize("image_shape", [(3, 32, 32), (1, 28, 28)], ids=["cifar", "mnist"])
def test_dcgan_networks_have_the_appendix_parameter_counts(image_shape):
    generator, discriminator = dcgan_pair(image_shape)
    channels = image_shape[0]
    assert count(generator) == dcgan_generator([512, 256, 128, 64], channels)
    assert count(discriminator) == conv_discriminator(channels, [64, 128, 256])


@pytest.mark.parametrize("size, d_widths", [(0.25, [2, 4, 8]), (0.5, [4, 8, 16])])
def test_stacked_mnist_networks_have_the_appendix_parameter_counts(size, d_widths):
    generator, discriminator = stacked_pair(size)
    assert count(generator) == dcgan_generator([64, 32, 16, 8], 3)
    assert count(discriminator) == conv_discriminator(3, d_widths)


@pytest.mark.parametrize("size", [0.25, 0.5, 1.0])
def test_colour_mnist_networks_scale_every_layer_by_x(size):
    generator, discriminator = colour_pair(size)
    assert count(generator) == dcgan_generator([int(w * size) for w in (512, 256, 128, 64)], 3)
    assert count(discriminator) == conv_discriminator(3, [int(w * size) for w in (64, 128, 256)])


def _conv_widths(module):
    return [m.weight.shape[0] for m in module.modules() if isinstance(m, nn.Conv2d)]


def test_stacked_discriminators_are_a_quarter_and_a_half_of_the_generator():
    generator, _ = stacked_pair(0.25)
    transposed = [m.weight.shape[1] for m in generator.modules()
                  if isinstance(m, nn.ConvTranspose2d)]
    assert transposed == [32, 16, 8]
    for size in (0.25, 0.5):
        _, discriminator = stacked_pair(size)
        assert _conv_widths(discriminator) == [int(size * w) for w in transposed[::-1]]


@pytest.mark.parametrize("image_shape", [(1, 28, 28), (3, 28, 28), (3, 32, 32), (1, 9, 9)])
def test_tiny_conv_networks_make_and_score_images_of_each_size(image_shape):
    mg.manual_seed(0)
    generator = PaperConvGenerator(8, image_shape, width=1 / 32)
    discriminator = PaperConvDiscriminator(image_shape, width=1 / 32)
    images = generator(mg.randn(3, 8))
    assert images.shape == (3, *image_shape)
    assert np.all(np.abs(images.numpy()) <= 1)
    assert discriminator(images).shape == (3,)


def test_the_generator_upsamples_4_7_14_28_for_28x28_images():
    generator = PaperConvGenerator(8, (1, 28, 28), width=1 / 64)
    x = generator.project(mg.randn(2, 8)).reshape(2, *generator.start)
    sides = [x.shape[-1]]
    for layer in generator.net:
        x = layer(x)
        if isinstance(layer, nn.ConvTranspose2d):
            sides.append(x.shape[-1])
    assert sides == [4, 7, 14, 28]


def test_tiny_lstm_networks_write_one_column_per_step():
    mg.manual_seed(0)
    generator, discriminator = lstm_pair(width=1 / 32, image_shape=(1, 6, 5), noise_dim=4)
    z = mg.randn(3, 4)
    images = generator(z)
    assert images.shape == (3, 1, 6, 5)
    assert discriminator(images).shape == (3,)
    h = generator.to_state(z).relu()
    c = mg.zeros_like(h)
    for t in range(2):
        h, c = nn.functional.lstm_cell(None, (h, c), None, generator.weight_hh, None,
                                       generator.bias_hh)
    column = generator.to_column(h).tanh().numpy()
    np.testing.assert_allclose(images.numpy()[:, 0, :, 1], column, rtol=1e-6, atol=1e-7)


def test_the_lstm_generator_starts_with_xavier_weights_and_forget_bias_one():
    mg.manual_seed(0)
    generator = PaperLSTMGenerator()
    bias = generator.bias_hh.numpy()
    np.testing.assert_array_equal(bias[256:512], 1.0)
    np.testing.assert_array_equal(np.delete(bias, np.s_[256:512]), 0.0)
    np.testing.assert_array_equal(generator.to_state.bias.numpy(), 0.0)
    np.testing.assert_array_equal(generator.to_column.bias.numpy(), 0.0)
    for weight, fan_in, fan_out in [(generator.to_state.weight, 256, 256),
                                    (generator.weight_hh, 256, 1024),
                                    (generator.to_column.weight, 256, 28)]:
        bound = np.sqrt(6.0 / (fan_in + fan_out))
        values = weight.numpy()
        assert np.abs(values).max() <= bound
        assert abs(values.std() - bound / np.sqrt(3)) < 0.05 * bound


def test_a_non_square_conv_generator_is_refused():
    with pytest.raises(ValueError, match=r"PaperConvGenerator: images must be square, got "
                                         r"\(1, 28, 32\)"):
        PaperConvGenerator(8, (1, 28, 32))
