import codecs
import os
import pickle

import numpy as np
import pytest

from ugan.data import load_cifar10


def _batch(n: int, seed: int) -> dict:
    rng = np.random.default_rng(seed)
    return {
        b"data": rng.integers(0, 256, size=(n, 3072), dtype=np.uint8),
        b"labels": [int(x) for x in rng.integers(0, 10, size=n)],
        b"batch_label": b"fake",
    }


def _dump(path, obj):
    with open(path, "wb") as f:
        pickle.dump(obj, f, protocol=2)


def test_test_split_in_subfolder_keeps_channel_order(tmp_path):
    folder = tmp_path / "cifar-10-batches-py"
    folder.mkdir()
    batch = _batch(4, seed=0)
    _dump(folder / "test_batch", batch)
    images, labels = load_cifar10(tmp_path, split="test")
    assert images.shape == (4, 3, 32, 32) and images.dtype == np.uint8
    assert labels.dtype == np.int64
    np.testing.assert_array_equal(labels, batch[b"labels"])
    row = batch[b"data"][2]
    for k in [0, 1023, 1024, 2047, 2048, 3071]:
        assert images[2, k // 1024, (k % 1024) // 32, k % 32] == row[k]


def test_train_split_concatenates_five_batches(tmp_path):
    batches = [_batch(3, seed=i) for i in range(5)]
    for i, batch in enumerate(batches, start=1):
        _dump(tmp_path / f"data_batch_{i}", batch)
    images, labels = load_cifar10(tmp_path)
    assert images.shape == (15, 3, 32, 32)
    np.testing.assert_array_equal(images.reshape(15, -1),
                                  np.concatenate([b[b"data"] for b in batches]))
    np.testing.assert_array_equal(labels, sum((b[b"labels"] for b in batches), []))


def test_missing_batches_are_named(tmp_path):
    _dump(tmp_path / "data_batch_1", _batch(1, seed=0))
    with pytest.raises(FileNotFoundError,
                       match="data_batch_2.*data_batch_5.*not found in directory"):
        load_cifar10(tmp_path)


class _Exploit:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def test_pickle_referencing_os_system_is_refused_before_running(tmp_path):
    marker = tmp_path / "pwned"
    _dump(tmp_path / "test_batch", {b"data": _Exploit(marker), b"labels": []})
    with pytest.raises(pickle.UnpicklingError, match=r"refusing to load global .*system"):
        load_cifar10(tmp_path, split="test")
    assert not marker.exists()


def test_codecs_encode_is_limited_to_latin1(tmp_path):
    class _OtherCodec:
        def __reduce__(self):
            return (codecs.encode, ("abc", "rot13"))

    _dump(tmp_path / "test_batch", {b"data": _OtherCodec(), b"labels": []})
    with pytest.raises(pickle.UnpicklingError, match="only 'latin1'"):
        load_cifar10(tmp_path, split="test")


def test_wrong_data_shape_is_reported(tmp_path):
    _dump(tmp_path / "test_batch", {b"data": np.zeros((2, 100), np.uint8), b"labels": [0, 1]})
    with pytest.raises(ValueError, match=r"uint8 \(N, 3072\)"):
        load_cifar10(tmp_path, split="test")
