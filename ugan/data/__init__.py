"""Datasets: 2-D Gaussian mixtures, digits, MNIST-format IDX files (Fashion-MNIST), CIFAR-10,
stacked/colour digits."""

from ugan.data.cifar import load_cifar10
from ugan.data.colour_digits import gaussian_colour_digits
from ugan.data.digits import load_digits_images
from ugan.data.fashion_mnist import load_fashion_mnist
from ugan.data.idx import fashion_mnist_dir, load_mnist, read_idx
from ugan.data.mixtures import GaussianMixture, grid_of_gaussians, ring_of_gaussians
from ugan.data.stacked import stack_digits, stacked_mode

__all__ = [
    "GaussianMixture",
    "fashion_mnist_dir",
    "gaussian_colour_digits",
    "grid_of_gaussians",
    "load_cifar10",
    "load_digits_images",
    "load_fashion_mnist",
    "load_mnist",
    "read_idx",
    "ring_of_gaussians",
    "stack_digits",
    "stacked_mode",
]
