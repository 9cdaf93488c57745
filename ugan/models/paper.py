"""The paper's own networks, layer for layer, each with a width multiplier (1 is the paper's size;
tests build them tiny).

**RNN MNIST** (arXiv Appendix B, ICLR Appendix C): :class:`PaperLSTMGenerator` and
:class:`PaperLSTMDiscriminator`.

**The DCGAN pair** (CIFAR10/MNIST, arXiv Appendix C, ICLR Appendix D): :class:`PaperConvGenerator`
and :class:`PaperConvDiscriminator`, 3x3 kernels and batch norm throughout. The arXiv table calls
the generator's layers "Convolution" and the discriminator's "Transposed Convolution"; read
literally, the generator would shrink its 4x4 start to 1x1 and the discriminator would grow a
32x32 image to 256x256 before its logit. We read it the other way round, as the ICLR version
prints it: the generator upsamples with stride-2 transposed convolutions (4 -> 8 -> 16 -> 32)
and ends with a stride-1 convolution to the image's channels; the discriminator downsamples
with stride-2 convolutions. The ICLR version also says which activation goes where, which the
arXiv text ("leaky ReLU with a 0.3 leak" for all) does not: leaky ReLU (0.3) in the
discriminator, ReLU in the generator. We follow it.

**Stacked MNIST** (ICLR Appendix E, Table 2) and **colour MNIST** (ICLR Appendix F, Table 3) use
the same family at other widths (see :func:`stacked_pair`, :func:`colour_pair`).

Conventions the appendices leave open, chosen once here: batch norm comes after the linear map
and before the activation (as in DCGAN), on every layer the appendix lists except the output
layers; a convolution followed by batch norm has no bias (batch norm's shift takes its place);
3x3 convolutions are padded by 1, so a stride-2 layer maps side s to ceil(s / 2), as
TensorFlow's "SAME" padding does. The generator's transposed convolutions pick their output
padding so that its last one lands on the image side (4 -> 7 -> 14 -> 28 for 28x28 images). The
convolutional networks keep minigrad's default initialisation (Appendix C-D name none).
"""

import numpy as np

import minigrad as mg
from minigrad import nn
from minigrad.nn import functional as F

LEAK = 0.3  # the discriminators' leaky ReLU slope, every appendix


def scaled(base, width):
    """A layer's size at width multiplier ``width``: round(base * width), at least 1."""
    return max(1, round(base * width))


def halvings(side, times):
    """The sides of ``times`` stride-2, 3x3, padding-1 convolutions from ``side``:
    [side, ceil(side/2), ...] (``times + 1`` entries)."""
    sides = [side]
    for _ in range(times):
        sides.append(-(-sides[-1] // 2))
    return sides


def _downsampling(channels, widths, dtype):
    """Conv 3x3/2 -> BN -> LeakyReLU(0.3) for each width."""
    layers = []
    for width in widths:
        layers += [nn.Conv2d(channels, width, 3, stride=2, padding=1, bias=False, dtype=dtype),
                   nn.BatchNorm2d(width, dtype=dtype), nn.LeakyReLU(LEAK)]
        channels = width
    return layers


class _ConvDiscriminatorBase(nn.Module):
    """x (N, C, H, W) -> stride-2 conv blocks of the given widths -> flatten -> linear -> one
    logit per image."""

    def __init__(self, image_shape, widths, dtype):
        super().__init__()
        channels, height, width = image_shape
        height, width = halvings(height, len(widths))[-1], halvings(width, len(widths))[-1]
        self.net = nn.Sequential(*_downsampling(channels, widths, dtype), nn.Flatten(),
                                 nn.Linear(widths[-1] * height * width, 1, dtype=dtype))

    def forward(self, x):
        return self.net(x).reshape(-1)


class PaperLSTMDiscriminator(_ConvDiscriminatorBase):
    """The RNN MNIST discriminator: convolutions of 16, 32 and 32 channels (times ``width``),
    each of stride 2 with batch norm and leaky ReLU (0.3), then a linear logit. 28x28 -> 14 -> 7
    -> 4. (The appendix gives no kernel size; 3x3 as in its next appendix.)"""

    def __init__(self, image_shape=(1, 28, 28), width=1.0, dtype="float32"):
        super().__init__(image_shape, [scaled(w, width) for w in (16, 32, 32)], dtype)


class PaperLSTMGenerator(nn.Module):
    """The RNN MNIST generator. With H = 256 * ``width`` units:

        h_0 = relu(z W_0^T + b_0),  c_0 = 0          (the dense layer sets the initial state)
        (h_t, c_t) = LSTM step from (h_{t-1}, c_{t-1}) with no input, t = 1..W
        column t = tanh(h_t W_out^T + b_out)          (C*H outputs: the 28 pixels of a column)

    The appendix feeds the dense layer "into the initial state" of the LSTM and gives the LSTM no
    other input; we take that state to be h_0, with c_0 at zero. The input-less LSTM has one
    bias (4H,), like TensorFlow's cell. Every weight is Xavier (Glorot) uniform and every bias
    zero, except the LSTM's forget gate bias, which starts at 1."""

    def __init__(self, noise_dim=256, image_shape=(1, 28, 28), width=1.0, dtype="float32"):
        super().__init__()
        self.noise_dim, self.image_shape = noise_dim, tuple(image_shape)
        channels, height, _ = self.image_shape
        hidden = scaled(256, width)
        self.to_state = nn.Linear(noise_dim, hidden, dtype=dtype)
        self.weight_hh = nn.Parameter(mg.zeros(4 * hidden, hidden, dtype=dtype))
        self.bias_hh = nn.Parameter(mg.zeros(4 * hidden, dtype=dtype))
        self.to_column = nn.Linear(hidden, channels * height, dtype=dtype)
        for p in (self.to_state.weight, self.weight_hh, self.to_column.weight):
            nn.init.xavier_uniform_(p)
        for p in (self.to_state.bias, self.to_column.bias):
            nn.init.zeros_(p)
        forget_one = np.zeros(4 * hidden)
        forget_one[hidden:2 * hidden] = 1.0  # gate order (i, f, g, o)
        with mg.no_grad():
            self.bias_hh.copy_(mg.as_tensor(forget_one.astype(dtype), device=self.bias_hh.device))

    def forward(self, z):
        channels, height, width = self.image_shape
        h = self.to_state(z).relu()
        c = mg.zeros_like(h)
        columns = []
        for _ in range(width):
            h, c = F.lstm_cell(None, (h, c), None, self.weight_hh, None, self.bias_hh)
            columns.append(self.to_column(h).tanh())                   # (N, C*H)
        return mg.stack(columns, axis=2).reshape(z.shape[0], channels, height, width)


class PaperConvDiscriminator(_ConvDiscriminatorBase):
    """The DCGAN discriminator: convolutions of 64, 128 and 256 channels (times ``width``), each
    3x3 of stride 2 with batch norm and leaky ReLU (0.3), then flatten and a linear logit.
    32x32 -> 16 -> 8 -> 4 (28x28 -> 14 -> 7 -> 4)."""

    def __init__(self, image_shape=(3, 32, 32), width=1.0, dtype="float32"):
        super().__init__(image_shape, [scaled(w, width) for w in (64, 128, 256)], dtype)


class PaperConvGenerator(nn.Module):
    """The DCGAN generator (widths times ``width``):

        z (N, 256) -> Linear -> (512, s, s) -> BN, ReLU
        -> 3 x [ConvTranspose 3x3/2 -> BN, ReLU] to 256, 128, 64 channels, side s -> ... -> H
        -> Conv 3x3/1 to C channels -> tanh

    with s = 4 for 32x32 images (4 -> 8 -> 16 -> 32) and for 28x28 (4 -> 7 -> 14 -> 28).
    Batch norm normalises with the statistics of the batch being generated in training mode."""

    def __init__(self, noise_dim=256, image_shape=(3, 32, 32), width=1.0, dtype="float32"):
        super().__init__()
        self.noise_dim, self.image_shape = noise_dim, tuple(image_shape)
        channels, height, width_px = self.image_shape
        if height != width_px:
            raise ValueError(f"PaperConvGenerator: images must be square, got {image_shape}")
        widths = [scaled(w, width) for w in (512, 256, 128, 64)]
        sides = halvings(height, 3)[::-1]                              # [s, ..., H]
        self.start = (widths[0], sides[0], sides[0])
        self.project = nn.Linear(noise_dim, widths[0] * sides[0] ** 2, bias=False, dtype=dtype)
        layers = [nn.BatchNorm2d(widths[0], dtype=dtype), nn.ReLU()]
        for (n_in, n_out), (side, target) in zip(zip(widths, widths[1:]), zip(sides, sides[1:])):
            layers += [nn.ConvTranspose2d(n_in, n_out, 3, stride=2, padding=1,
                                          output_padding=target - (2 * side - 1), bias=False,
                                          dtype=dtype),
                       nn.BatchNorm2d(n_out, dtype=dtype), nn.ReLU()]
        layers += [nn.Conv2d(widths[-1], channels, 3, padding=1, dtype=dtype), nn.Tanh()]
        self.net = nn.Sequential(*layers)

    def forward(self, z):
        return self.net(self.project(z).reshape(z.shape[0], *self.start))


def dcgan_pair(image_shape=(3, 32, 32), width=1.0, noise_dim=256, dtype="float32"):
    """The CIFAR10/MNIST GAN of Sec. 3.3 (Table 1): generator and discriminator at one width."""
    return (PaperConvGenerator(noise_dim, image_shape, width, dtype),
            PaperConvDiscriminator(image_shape, width, dtype))


def stacked_pair(discriminator_size, width=1.0, image_shape=(3, 28, 28), noise_dim=256,
                 dtype="float32"):
    """The stacked MNIST GAN of Table 2 (ICLR Appendix E): a small generator, the DCGAN one at
    1/8 of its widths (Linear to 64 x 4 x 4, transposed convolutions of 32, 16 and 8 channels,
    a convolution to 3), against a discriminator of ``discriminator_size`` (the paper's 1/4
    and 1/2) times the generator's size: convolutions of 8X, 16X and 32X channels."""
    return (PaperConvGenerator(noise_dim, image_shape, width / 8, dtype),
            PaperConvDiscriminator(image_shape, discriminator_size * width / 8, dtype))


def colour_pair(size, width=1.0, image_shape=(3, 28, 28), noise_dim=256, dtype="float32"):
    """The colour MNIST GAN of Table 3 (ICLR Appendix F): the DCGAN pair with every layer's size
    times X = ``size`` (X = 1 is the CIFAR10 network)."""
    return dcgan_pair(image_shape, size * width, noise_dim, dtype)


def lstm_pair(width=1.0, image_shape=(1, 28, 28), noise_dim=256, dtype="float32"):
    """The RNN MNIST GAN of Sec. 3.2."""
    return (PaperLSTMGenerator(noise_dim, image_shape, width, dtype),
            PaperLSTMDiscriminator(image_shape, width, dtype))
