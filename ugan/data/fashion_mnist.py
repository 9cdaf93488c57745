"""Fashion-MNIST (Xiao et al. 2017): 70,000 grey 28x28 images of ten kinds of garment, in
MNIST's IDX format and size. It stands in for MNIST in the paper's 28x28 experiments, since
Debian packages it (``dataset-fashion-mnist``) and MNIST is not installed here."""

from pathlib import Path

import numpy as np

from ugan.data.idx import fashion_mnist_dir, load_mnist

def load_fashion_mnist(split="train", directory=None):
    """(images float32 (N, 1, 28, 28) in [-1, 1], labels int64 (N,)) of the "train" (60,000) or
    "test" (10,000) split. Pixel p in 0..255 becomes p / 127.5 - 1.

    ``directory`` holds the four IDX files (gzipped or not); by default, where Debian's
    ``dataset-fashion-mnist`` puts them."""
    if directory is None:
        directory = fashion_mnist_dir()
        if directory is None:
            raise FileNotFoundError("Fashion-MNIST is not installed: run `apt-get install "
                                    "dataset-fashion-mnist` (it puts the IDX files in "
                                    "/usr/share/datasets/fashion-mnist), or pass the directory "
                                    "that holds them")
    images, labels = load_mnist(Path(directory), split)
    return (images[:, None].astype(np.float32) / np.float32(127.5) - 1), labels.astype(np.int64)
