"""The image experiments' networks: output shapes for the datasets' image sizes, clear errors,
and the LSTM generator's column-by-column construction (the unrolled surrogate's gradient
through them: ../test_unroll.py)."""

import numpy as np
import pytest

import minigrad as mg
from minigrad.nn import functional as F

from ugan.models import ConvDiscriminator, ConvGenerator, LSTMGenerator


@pytest.mark.parametrize("image_shape", [(1, 8, 8), (3, 8, 8), (1, 28, 28), (3, 32, 32)])
def test_conv_networks_make_and_score_images_of_the_datasets_sizes(image_shape):
    mg.manual_seed(0)
    generator, discriminator = ConvGenerator(16, image_shape, 4), ConvDiscriminator(image_shape, 2)
    images = generator(mg.randn(5, 16))
    assert images.shape == (5, *image_shape)
    assert np.all(np.abs(images.numpy()) <= 1)
    assert discriminator(images).shape == (5,)


def test_lstm_generator_makes_images_of_the_datasets_sizes():
    mg.manual_seed(0)
    for image_shape in [(1, 8, 8), (3, 8, 8), (1, 28, 28)]:
        assert LSTMGenerator(16, image_shape, 8)(mg.randn(5, 16)).shape == (5, *image_shape)


@pytest.mark.parametrize("network", [lambda shape: ConvGenerator(8, shape),
                                     lambda shape: ConvDiscriminator(shape)])
def test_conv_networks_refuse_sides_that_do_not_halve_twice(network):
    with pytest.raises(ValueError, match=r"Conv\w+: images must be square with a side that is a "
                                         r"multiple of 4 \(such as 8x8, 28x28 or 32x32\), got "
                                         r"1x10x10"):
        network((1, 10, 10))


def test_the_lstm_writes_column_t_from_its_hidden_state_after_t_plus_1_steps():
    mg.manual_seed(0)
    generator = LSTMGenerator(3, (2, 4, 5), 6, dtype="float64")
    z = mg.tensor(np.random.default_rng(0).standard_normal((2, 3)))
    images = generator(z).numpy()
    lstm = generator.lstm
    h = c = mg.zeros(2, 6, dtype="float64")
    for t in range(5):
        h, c = F.lstm_cell(z, (h, c), lstm.weight_ih_l0, lstm.weight_hh_l0,
                           lstm.bias_ih_l0, lstm.bias_hh_l0)
        column = generator.to_column(h).tanh().numpy().reshape(2, 2, 4)
        np.testing.assert_allclose(images[:, :, :, t], column, rtol=1e-12)

