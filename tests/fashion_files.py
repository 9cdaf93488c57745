"""uint8 IDX files, and the small Fashion-MNIST folders that the tests write from them, so that
the 28x28 experiments run the same on every machine, with or without Debian's
``dataset-fashion-mnist``.

A folder holds the four gzipped IDX files of the real one (``train-`` and ``t10k-``, images and
labels). Its images are made to be learnable: class c is a bright band across rows 2c+1 to
2c+8 of a dark 28x28 image, each pixel with a little uniform noise, so a classifier trained on
the training split labels the test split well above chance."""

import gzip

import numpy as np

N_CLASSES = 10
SIDE = 28


def idx_ubyte(array):
    """An IDX file of unsigned bytes: 0, 0, type 0x08, the dimension count, the sizes as
    big-endian uint32, the bytes."""
    header = np.array([0, 0, 0x08, array.ndim], dtype=">u1").tobytes()
    return header + np.array(array.shape, dtype=">u4").tobytes() + array.astype(np.uint8).tobytes()


def write_split(directory, prefix, images, labels):
    """``PREFIX-images-idx3-ubyte.gz`` and ``PREFIX-labels-idx1-ubyte.gz`` in ``directory``."""
    (directory / f"{prefix}-images-idx3-ubyte.gz").write_bytes(gzip.compress(idx_ubyte(images)))
    (directory / f"{prefix}-labels-idx1-ubyte.gz").write_bytes(gzip.compress(idx_ubyte(labels)))


def banded_images(labels, rng):
    """uint8 images (N, 28, 28): class c a band of rows 2c+1 .. 2c+8 at about 200, the rest
    about 20, plus noise in 0..40."""
    images = 20 + rng.integers(0, 41, size=(len(labels), SIDE, SIDE))
    for image, c in zip(images, labels):
        image[2 * c + 1:2 * c + 9, 2:SIDE - 2] += 180
    return images.astype(np.uint8)


def write_fashion_mnist(directory, train_per_class=60, test_per_class=10, seed=0):
    """A Fashion-MNIST folder in ``directory``: ``train_per_class`` training and
    ``test_per_class`` test images of each class, in shuffled order. Returns ``directory``, a
    Path, made if it does not exist."""
    directory.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    for prefix, per_class in (("train", train_per_class), ("t10k", test_per_class)):
        labels = rng.permutation(np.repeat(np.arange(N_CLASSES), per_class)).astype(np.uint8)
        write_split(directory, prefix, banded_images(labels, rng), labels)
    return directory
