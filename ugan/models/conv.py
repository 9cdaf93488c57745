"""DCGAN-style convolutional networks for images (paper Sec. 3.3-3.4, Appendices C-D), at
adjustable widths so that they train on a CPU.

Both networks halve (or double) the image side twice with 4x4 kernels, stride 2 and padding 1,
so an image side H must be a multiple of 4: 8 (scikit-learn's digits), 28 (MNIST) or 32
(CIFAR-10) all work. Pixels are in [-1, 1] (tanh).

The discriminator has no batch norm: the unrolled surrogate differentiates through K of its
updates, and batch statistics would couple the real and the fake half of the batch that
``ugan.unroll.discriminator_logits`` sends through it in one pass.
"""

from minigrad import nn


class ImageShapeError(ValueError):
    """Images of a size that these networks cannot take."""


def _check_image_shape(owner, image_shape):
    channels, height, width = image_shape
    if height != width or height % 4:
        raise ImageShapeError(f"{owner}: images must be square with a side that is a multiple "
                              f"of 4 (such as 8x8, 28x28 or 32x32), got "
                              f"{channels}x{height}x{width}")
    return channels, height


class ConvGenerator(nn.Module):
    """z (N, noise_dim) -> Linear -> (2w, H/4, H/4) -> BN, ReLU
    -> ConvTranspose 4x4/2 -> (w, H/2, H/2) -> BN, ReLU -> ConvTranspose 4x4/2 -> (C, H, W) -> tanh.

    Batch norm uses the statistics of the batch being generated (training mode), as DCGAN does
    when sampling; its running averages are kept but not used."""

    def __init__(self, noise_dim, image_shape, width=32, dtype="float32"):
        super().__init__()
        channels, side = _check_image_shape("ConvGenerator", image_shape)
        self.noise_dim, self.image_shape, self.start = noise_dim, tuple(image_shape), side // 4
        self.project = nn.Linear(noise_dim, 2 * width * self.start ** 2, dtype=dtype)
        self.width = width
        self.net = nn.Sequential(
            nn.BatchNorm2d(2 * width, dtype=dtype), nn.ReLU(),
            nn.ConvTranspose2d(2 * width, width, 4, stride=2, padding=1, dtype=dtype),
            nn.BatchNorm2d(width, dtype=dtype), nn.ReLU(),
            nn.ConvTranspose2d(width, channels, 4, stride=2, padding=1, dtype=dtype), nn.Tanh())

    def forward(self, z):
        x = self.project(z).reshape(z.shape[0], 2 * self.width, self.start, self.start)
        return self.net(x)


class ConvDiscriminator(nn.Module):
    """x (N, C, H, W) -> Conv 4x4/2 -> w -> LeakyReLU(0.2) -> Conv 4x4/2 -> 2w -> LeakyReLU(0.2)
    -> Linear -> one logit per image."""

    def __init__(self, image_shape, width=16, dtype="float32"):
        super().__init__()
        channels, side = _check_image_shape("ConvDiscriminator", image_shape)
        self.net = nn.Sequential(
            nn.Conv2d(channels, width, 4, stride=2, padding=1, dtype=dtype), nn.LeakyReLU(0.2),
            nn.Conv2d(width, 2 * width, 4, stride=2, padding=1, dtype=dtype), nn.LeakyReLU(0.2),
            nn.Flatten(), nn.Linear(2 * width * (side // 4) ** 2, 1, dtype=dtype))

    def forward(self, x):
        return self.net(x).reshape(-1)
