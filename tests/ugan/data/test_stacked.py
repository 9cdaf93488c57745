import numpy as np
import pytest

from ugan.data import stack_digits


def _tagged_images(n=20, size=4):
    """Image i is filled with the value i, so a channel reveals its source index."""
    values = np.arange(n, dtype=np.float32)[:, None, None, None]
    return np.broadcast_to(values, (n, 1, size, size)).copy()


def test_stacked_channels_are_source_images_and_labels_encode_three_digits():
    images = _tagged_images()
    labels = np.arange(20) % 10
    stacked, modes = stack_digits(images, labels, n=500, rng=np.random.default_rng(0))
    assert stacked.shape == (500, 3, 4, 4) and modes.dtype == np.int64
    sources = stacked[:, :, 0, 0].astype(int)
    for c in range(3):
        np.testing.assert_array_equal(stacked[:, c], images[sources[:, c], 0])
    expected = 100 * labels[sources[:, 0]] + 10 * labels[sources[:, 1]] + labels[sources[:, 2]]
    np.testing.assert_array_equal(modes, expected)
    assert modes.min() >= 0 and modes.max() <= 999
    assert len(np.unique(modes)) > 300  # draws spread over the 1000 modes


def test_stacking_is_reproducible_and_accepts_three_dim_input():
    images = _tagged_images()[:, 0]
    labels = np.zeros(20, dtype=np.uint8)
    a = stack_digits(images, labels, 10, np.random.default_rng(3))
    b = stack_digits(images, labels, 10, np.random.default_rng(3))
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], np.zeros(10))


def test_stacking_rejects_labels_outside_0_to_9():
    with pytest.raises(ValueError, match=r"labels must lie in 0\.\.9"):
        stack_digits(_tagged_images(), np.arange(20), 5, np.random.default_rng(0))
