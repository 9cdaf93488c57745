"""The data readers under random damage: byte flips and truncations of small IDX files (raw
and gzip) and a CIFAR-10 batch, each written here. Whatever the damage, a reader either returns
arrays or refuses the file with its own one-line error naming it; no other exception escapes."""

import gzip
import pickle

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ugan.data import load_cifar10, read_idx


def _idx_bytes(array):
    """A uint8 IDX file's bytes (type code 0x08)."""
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(
        int(n).to_bytes(4, "big") for n in array.shape)
    return header + array.tobytes()


def _cifar_bytes():
    rng = np.random.default_rng(0)
    batch = {b"data": rng.integers(0, 256, size=(2, 3072), dtype=np.uint8),
             b"labels": [3, 7], b"batch_label": b"fuzz"}
    return pickle.dumps(batch, protocol=2)


IMAGES = np.arange(2 * 4 * 4, dtype=np.uint8).reshape(2, 4, 4)
ORIGINALS = {
    "raw idx": _idx_bytes(IMAGES),
    "gzip idx": gzip.compress(_idx_bytes(IMAGES), mtime=0),
    "cifar": _cifar_bytes(),
}


@st.composite
def damaged(draw, original):
    """``original`` with a few bytes replaced, then possibly cut short."""
    data = bytearray(original)
    for _ in range(draw(st.integers(0, 4))):
        data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
    return bytes(data[:draw(st.integers(0, len(data)))])


def _read(kind, directory, data):
    if kind == "cifar":
        path = directory / "test_batch"
        path.write_bytes(data)
        return path, lambda: load_cifar10(directory, split="test")
    path = directory / ("images.gz" if kind == "gzip idx" else "images")
    path.write_bytes(data)
    return path, lambda: read_idx(path)


@pytest.mark.parametrize("kind", sorted(ORIGINALS))
@settings(derandomize=True, max_examples=300, deadline=None)
@given(data=st.data())
def test_damaged_files_are_read_or_refused_by_name(tmp_path_factory, kind, data):
    directory = tmp_path_factory.mktemp("fuzz")
    path, read = _read(kind, directory, data.draw(damaged(ORIGINALS[kind])))
    try:
        read()
    except (ValueError, pickle.UnpicklingError) as error:
        message = str(error)
        assert str(path) in message and "\n" not in message, message
