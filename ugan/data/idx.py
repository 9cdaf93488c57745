"""IDX files, the container format of MNIST and Fashion-MNIST. Their layout (integers
big-endian):

    bytes 0-1   zero
    byte  2     the elements' type (0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32,
                0x0D float32, 0x0E float64)
    byte  3     the number of dimensions d
    4d bytes    the d sizes, uint32
    the rest    prod(sizes) elements, C order, big-endian

Files are often gzip-compressed; compression is told from gzip's magic bytes, not from the
file's name."""

import gzip
import math
import struct
import zlib
from pathlib import Path

import numpy as np

_IDX_DTYPES = {
    0x08: np.dtype("u1"),
    0x09: np.dtype("i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_GZIP_MAGIC = b"\x1f\x8b"

_SPLIT_PREFIXES = {"train": "train", "test": "t10k"}
_N_CLASSES = 10  # MNIST's digits, Fashion-MNIST's garments

# Where Debian's dataset-fashion-mnist package installs the four .gz files.
_DEBIAN_FASHION_MNIST = Path("/usr/share/datasets/fashion-mnist")


def _read_bytes(path):
    """The file's bytes, decompressed if it is a gzip file."""
    with open(path, "rb") as f:
        raw = f.read()
    if not raw.startswith(_GZIP_MAGIC):
        return raw
    try:
        return gzip.decompress(raw)
    except (EOFError, gzip.BadGzipFile, zlib.error) as err:
        raise ValueError(f"{path}: corrupt or truncated gzip stream ({err})") from err


def read_idx(path):
    """The array of an IDX file (raw or gzip), in the machine's byte order."""
    path = Path(path)
    raw = _read_bytes(path)
    if len(raw) < 4:
        raise ValueError(f"{path}: file has {len(raw)} bytes, too short for the 4-byte IDX magic "
                         "number")
    zero, code, ndim = struct.unpack(">HBB", raw[:4])
    if zero != 0 or code not in _IDX_DTYPES:
        codes = ", ".join(f"0x{c:02X}" for c in _IDX_DTYPES)
        raise ValueError(f"{path}: bad IDX magic number 0x{raw[:4].hex()}; expected 0x0000 "
                         f"followed by a type code in {{{codes}}} and the dimension count")
    header_len = 4 + 4 * ndim
    if len(raw) < header_len:
        raise ValueError(f"{path}: truncated header: {ndim} dimensions need {header_len} header "
                         f"bytes, file has {len(raw)}")
    shape = struct.unpack(f">{ndim}I", raw[4:header_len])
    dtype = _IDX_DTYPES[code]
    expected = math.prod(shape) * dtype.itemsize  # Python ints: no overflow
    actual = len(raw) - header_len
    if actual != expected:
        problem = "truncated file" if actual < expected else "trailing bytes after the data"
        raise ValueError(f"{path}: {problem}: header shape {shape} of {dtype.name} needs "
                         f"{expected} data bytes, found {actual}")
    data = np.frombuffer(raw, dtype=dtype, offset=header_len)
    # astype copies, giving a writable array in the machine's byte order.
    return data.astype(dtype.newbyteorder("=")).reshape(shape)


def _find_file(directory, stem):
    """``stem`` or ``stem.gz`` in ``directory``."""
    candidates = [stem, stem + ".gz"]
    for name in candidates:
        if (directory / name).is_file():
            return directory / name
    raise FileNotFoundError(f"none of {candidates} found in directory {directory}")


def load_mnist(directory, split="train"):
    """(images uint8 (N, H, W), labels uint8 (N,)) of MNIST or Fashion-MNIST in ``directory``:
    the files ``PREFIX-images-idx3-ubyte[.gz]`` and ``PREFIX-labels-idx1-ubyte[.gz]``, PREFIX
    being "train", or "t10k" for ``split="test"``."""
    if split not in _SPLIT_PREFIXES:
        raise ValueError(f"load_mnist: split must be one of {sorted(_SPLIT_PREFIXES)}, got "
                         f"{split!r}")
    directory = Path(directory)
    prefix = _SPLIT_PREFIXES[split]
    images_path = _find_file(directory, f"{prefix}-images-idx3-ubyte")
    labels_path = _find_file(directory, f"{prefix}-labels-idx1-ubyte")
    images = read_idx(images_path)
    labels = read_idx(labels_path)
    if images.dtype != np.uint8 or images.ndim != 3:
        raise ValueError(f"{images_path}: expected uint8 images of shape (N, H, W), got "
                         f"{images.dtype} {images.shape}")
    if labels.dtype != np.uint8 or labels.shape != images.shape[:1]:
        raise ValueError(f"{labels_path}: expected uint8 labels of shape ({images.shape[0]},) to "
                         f"match the images, got {labels.dtype} {labels.shape}")
    if len(images) == 0:
        raise ValueError(f"{images_path}: holds no images; expected at least one")
    if labels.max() >= _N_CLASSES:
        raise ValueError(f"{labels_path}: labels must lie in 0..{_N_CLASSES - 1}, got "
                         f"{labels.max()}")
    return images, labels


def fashion_mnist_dir():
    """The folder of Debian's ``dataset-fashion-mnist`` IDX files, or None where it is not
    installed."""
    return _DEBIAN_FASHION_MNIST if _DEBIAN_FASHION_MNIST.is_dir() else None
