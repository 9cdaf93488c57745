"""Fashion-MNIST: the loader on small IDX files written here, its error when the Debian package
is missing, the minigrad classifier on a small folder written here (everywhere) and on a real
subset (where the package is installed)."""

import numpy as np
import pytest

import ugan.data.idx
from fashion_files import write_fashion_mnist, write_split
from ugan.data import fashion_mnist_dir, load_fashion_mnist
from ugan.metrics import fashion_classifier
from ugan.metrics.fashion import trained_fashion_classifier

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


@needs_fashion_mnist
def test_the_classifier_trained_on_a_real_subset_is_well_above_chance_on_the_test_split():
    classifier, test_accuracy = fashion_classifier(train_size=5000, max_steps=600)
    assert classifier.accuracy > 0.7     # its held-out fifth of the 5,000
    assert test_accuracy > 0.7           # chance is 0.1


def test_the_classifier_labels_the_held_out_split_of_a_small_folder(fashion_mnist_files):
    classifier, test_accuracy = fashion_classifier(fashion_mnist_files)
    assert classifier.accuracy > 0.9   # its held-out fifth of the training split
    assert test_accuracy > 0.9         # chance is 0.1


def test_a_study_shares_one_classifier_per_folder_the_default_one_included(tmp_path,
                                                                           monkeypatch):
    """The default folder is keyed by the folder it stands for: pointing it elsewhere trains
    another classifier, rather than reusing the one of the folder it named before."""
    first = write_fashion_mnist(tmp_path / "first", train_per_class=20, seed=1)
    second = write_fashion_mnist(tmp_path / "second", train_per_class=20, seed=2)
    monkeypatch.setattr(ugan.data.idx, "_DEBIAN_FASHION_MNIST", first)
    by_default = trained_fashion_classifier()
    assert trained_fashion_classifier(first) is by_default
    monkeypatch.setattr(ugan.data.idx, "_DEBIAN_FASHION_MNIST", second)
    assert trained_fashion_classifier() is not by_default
    assert trained_fashion_classifier() is trained_fashion_classifier(second)
