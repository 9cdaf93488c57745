"""Fashion-MNIST: the loader on small IDX files written here, its error when the Debian package
is missing, and the installed files where the package is (the classifier of its images:
../metrics/test_classifier.py)."""

import numpy as np
import pytest

import ugan.data.idx
from fashion_files import write_split
from ugan.data import fashion_mnist_dir, load_fashion_mnist

needs_fashion_mnist = pytest.mark.skipif(fashion_mnist_dir() is None,
                                         reason="dataset-fashion-mnist is not installed")


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

