import numpy as np
import pytest

from ugan.data import load_digits_images


def test_tanh_scaled_digits():
    images, labels = load_digits_images()
    assert images.shape == (1797, 1, 8, 8) and images.dtype == np.float32
    assert images.min() == -1.0 and images.max() == 1.0
    assert labels.shape == (1797,) and labels.dtype == np.int64
    assert set(np.unique(labels)) == set(range(10))


def test_unit_scaled_digits_and_bad_scale():
    images, _ = load_digits_images(scale="unit")
    assert images.min() == 0.0 and images.max() == 1.0
    with pytest.raises(ValueError, match="'tanh' or 'unit'"):
        load_digits_images(scale="sigmoid")
