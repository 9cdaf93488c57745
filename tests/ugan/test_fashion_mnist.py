"""Fashion-MNIST: the loader on small IDX files written here, its error when the Debian package
is missing, and the minigrad classifier on a real subset when the package is installed."""

import gzip

import numpy as np
import pytest

import ugan.data.idx
from ugan.data import fashion_mnist_dir, load_fashion_mnist
from ugan.metrics import fashion_classifier

needs_fashion_mnist = pytest.mark.skipif(fashion_mnist_dir() is None,
                                         reason="dataset-fashion-mnist is not installed")


def idx_ubyte(array):
    """An IDX file of unsigned bytes: 0, 0, type 0x08, the dimension count, the sizes as
    big-endian uint32, the bytes."""
    header = np.array([0, 0, 0x08, array.ndim], dtype=">u1").tobytes()
    return header + np.array(array.shape, dtype=">u4").tobytes() + array.astype(np.uint8).tobytes()


def write_split(directory, prefix, images, labels):
    (directory / f"{prefix}-images-idx3-ubyte.gz").write_bytes(gzip.compress(idx_ubyte(images)))
    (directory / f"{prefix}-labels-idx1-ubyte.gz").write_bytes(gzip.compress(idx_ubyte(labels)))


def test_images_come_in_minus_one_to_one_with_a_channel_axis(tmp_path):
    images = np.arange(3 * 28 * 28).reshape(3, 28, 28) % 256
    images[0, 0, :2] = [0, 255]
    write_split(tmp_path, "t10k", images, np.array([9, 0, 4]))
    x, y = load_fashion_mnist("test", tmp_path)
    assert x.shape == (3, 1, 28, 28) and x.dtype == np.float32
    np.testing.assert_allclose(x[:, 0], images / 127.5 - 1, rtol=1e-6, atol=1e-6)
    assert x[0, 0, 0, 0] == -1.0 and x[0, 0, 0, 1] == 1.0
    assert y.dtype == np.int64 and y.tolist() == [9, 0, 4]


def test_a_missing_package_says_how_to_install_it(monkeypatch, tmp_path):
    monkeypatch.setattr(ugan.data.idx, "_DEBIAN_FASHION_MNIST", tmp_path / "absent")
    with pytest.raises(FileNotFoundError, match="apt-get install dataset-fashion-mnist"):
        load_fashion_mnist()


def test_a_directory_without_the_files_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match=f"train-images-idx3-ubyte.*{tmp_path}"):
        load_fashion_mnist("train", tmp_path)


@needs_fashion_mnist
def test_the_installed_files_hold_both_splits():
    x, y = load_fashion_mnist("test")
    assert x.shape == (10000, 1, 28, 28) and x.min() == -1.0 and x.max() == 1.0
    assert np.bincount(y).tolist() == [1000] * 10


@needs_fashion_mnist
def test_the_classifier_trained_on_a_real_subset_is_well_above_chance_on_the_test_split():
    classifier, test_accuracy = fashion_classifier(train_size=5000, max_steps=600)
    assert classifier.accuracy > 0.7     # its held-out fifth of the 5,000
    assert test_accuracy > 0.7           # chance is 0.1
