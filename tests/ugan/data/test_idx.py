import gzip
import struct

import numpy as np
import pytest

from ugan.data import fashion_mnist_dir, load_mnist, read_idx


def _idx_bytes(array: np.ndarray, code: int) -> bytes:
    header = struct.pack(">HBB", 0, code, array.ndim) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(array.dtype.newbyteorder(">")).tobytes()


def _write(path, payload: bytes, compress: bool = False):
    path.write_bytes(gzip.compress(payload) if compress else payload)
    return path


@pytest.mark.parametrize("compress", [False, True], ids=["raw", "gzip"])
@pytest.mark.parametrize(
    "array, code",
    [
        (np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4), 0x08),
        (np.array([-70000, 1, 2**30], dtype=np.int32), 0x0C),
        (np.array([[1.5, -2.25]], dtype=np.float32), 0x0D),
    ],
    ids=["uint8", "int32", "float32"],
)
def test_round_trip(tmp_path, array, code, compress):
    path = _write(tmp_path / "x.idx", _idx_bytes(array, code), compress)
    out = read_idx(path)
    assert out.dtype == array.dtype.newbyteorder("=") and out.dtype.isnative
    np.testing.assert_array_equal(out, array)


@pytest.mark.parametrize("compress", [False, True], ids=["raw", "gzip"])
def test_truncated_data_is_reported(tmp_path, compress):
    payload = _idx_bytes(np.zeros((4, 5), np.uint8), 0x08)[:-3]
    with pytest.raises(ValueError, match="truncated file.*needs 20 data bytes, found 17"):
        read_idx(_write(tmp_path / "t.idx", payload, compress))


def test_truncated_gzip_stream_is_reported(tmp_path):
    path = tmp_path / "t.idx.gz"
    path.write_bytes(gzip.compress(_idx_bytes(np.zeros(100, np.uint8), 0x08))[:-10])
    with pytest.raises(ValueError, match="truncated gzip"):
        read_idx(path)


@pytest.mark.parametrize("magic", [b"\x01\x00\x08\x01", b"\x00\x00\x07\x01"],
                         ids=["nonzero", "bad-type"])
def test_bad_magic_is_reported(tmp_path, magic):
    path = _write(tmp_path / "m.idx", magic + struct.pack(">I", 1) + b"\x00")
    with pytest.raises(ValueError, match="bad IDX magic number"):
        read_idx(path)


def test_load_mnist_finds_standard_names(tmp_path):
    images = np.random.default_rng(0).integers(0, 256, size=(6, 28, 28), dtype=np.uint8)
    labels = np.arange(6, dtype=np.uint8)
    _write(tmp_path / "t10k-images-idx3-ubyte.gz", _idx_bytes(images, 0x08), compress=True)
    _write(tmp_path / "t10k-labels-idx1-ubyte", _idx_bytes(labels, 0x08))
    out_images, out_labels = load_mnist(tmp_path, split="test")
    np.testing.assert_array_equal(out_images, images)
    np.testing.assert_array_equal(out_labels, labels)


def test_load_mnist_names_missing_files_and_directory(tmp_path):
    with pytest.raises(FileNotFoundError) as info:
        load_mnist(tmp_path, split="train")
    message = str(info.value)
    assert "train-images-idx3-ubyte" in message and "train-images-idx3-ubyte.gz" in message
    assert str(tmp_path) in message


def test_load_mnist_rejects_mismatched_label_count(tmp_path):
    _write(tmp_path / "train-images-idx3-ubyte", _idx_bytes(np.zeros((3, 2, 2), np.uint8), 0x08))
    _write(tmp_path / "train-labels-idx1-ubyte", _idx_bytes(np.zeros(4, np.uint8), 0x08))
    with pytest.raises(ValueError, match=r"labels of shape \(3,\)"):
        load_mnist(tmp_path)


def test_fashion_mnist_dir_is_none_or_holds_the_idx_files():
    directory = fashion_mnist_dir()
    if directory is not None:
        assert (directory / "t10k-labels-idx1-ubyte.gz").is_file()


def test_a_deflate_stream_corrupt_at_its_start_is_reported_by_name(tmp_path):
    """gzip.decompress raises zlib.error (not BadGzipFile) for a bad deflate block type."""
    path = tmp_path / "images-idx1-ubyte.gz"
    data = bytearray(gzip.compress(_idx_bytes(np.zeros(100, np.uint8), 0x08)))
    data[10] = 0xFF  # the first deflate block header: block type 3, which does not exist
    path.write_bytes(bytes(data))
    with pytest.raises(ValueError, match=f"{path}: corrupt or truncated gzip stream"):
        read_idx(path)
