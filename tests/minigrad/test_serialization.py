"""mg.save and mg.load: a state dict round-trips (names, order, values, dtypes), loads into a
Module with load_state_dict, and anything else is refused with a message; loading never
unpickles."""

import io
import zipfile

import numpy as np
import pytest

import minigrad as mg
import strategies as S
from minigrad import nn


class _Model(nn.Module):
    """Parameters and buffers of two dtypes."""

    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4))
        self.table = nn.Embedding(5, 2).double()

    def forward(self, x):
        return self.body(x)


@pytest.mark.parametrize("device", S.DEVICES)
def test_a_state_dict_round_trips_and_loads_into_a_module(tmp_path, device):
    mg.manual_seed(0)
    model = _Model().to(device)
    model(mg.randn(6, 3, device=device))  # batch norm's running statistics move
    path = tmp_path / "model.pt"  # any name: no ".npz" is appended
    mg.save(model.state_dict(), path)
    state = mg.load(path, map_location=device)
    assert list(state) == list(model.state_dict())
    for name, tensor in model.state_dict().items():
        assert state[name].dtype == tensor.dtype and state[name].device == device
        np.testing.assert_array_equal(state[name].numpy(), tensor.numpy())
    assert all(t.device == "cpu" for t in mg.load(path, map_location="cpu").values())
    mg.manual_seed(1)
    other = _Model().to(device)
    other.load_state_dict(state)
    x = mg.randn(2, 3, device=device)
    np.testing.assert_array_equal(other.eval()(x).numpy(), model.eval()(x).numpy())


def test_arrays_save_too_and_other_values_are_refused(tmp_path):
    path = tmp_path / "state"
    mg.save({"a": np.arange(3)}, path)
    assert mg.load(path)["a"].tolist() == [0, 1, 2]
    with pytest.raises(TypeError, match="save: 'step' holds a int; the file holds only tensors"):
        mg.save({"w": mg.zeros(2), "step": 3}, path)
    with pytest.raises(TypeError, match="save: expected a mapping of names to tensors"):
        mg.save([mg.zeros(2)], path)
    with pytest.raises(TypeError, match="save: the names must be strings, got 0"):
        mg.save({0: mg.zeros(2)}, path)


def test_load_refuses_what_save_did_not_write_without_unpickling(tmp_path):
    text, single, objects = tmp_path / "notes.txt", tmp_path / "one.npy", tmp_path / "obj.npz"
    text.write_text("not an archive")
    np.save(single, np.zeros(2))
    np.savez(objects, a=np.array([{"x": 1}], dtype=object))
    pickled = tmp_path / "torch.pt"  # what torch.save writes: a zip with a pickle inside
    with zipfile.ZipFile(pickled, "w") as archive:
        archive.writestr("torch/data.pkl", b"\x80\x04N.")
    for path, reason in ((text, "pickled"), (single, "a single array"),
                         (objects, "Object arrays cannot be loaded"),
                         (pickled, "a PyTorch file\\? load it with torch.load")):
        with pytest.raises(ValueError, match=f"load: .* is not a state dict written by "
                           f"minigrad.save .*{reason}"):
            mg.load(path)
    with pytest.raises(FileNotFoundError):
        mg.load(tmp_path / "missing.npz")


def _npz_with(path, members, compression=zipfile.ZIP_STORED):
    """An .npz written by hand: ``members`` is a list of (entry name, .npy bytes)."""
    with zipfile.ZipFile(path, "w", compression=compression) as archive:
        for name, data in members:
            archive.writestr(name, data)


def _npy_header(shape, dtype="<f8"):
    """The .npy magic and header (version 1.0) declaring an array of ``shape``, no data."""
    header = {"descr": dtype, "fortran_order": False, "shape": shape}
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(buffer, header)
    return buffer.getvalue()


@pytest.mark.parametrize("compression", [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED])
def test_load_refuses_a_header_declaring_more_than_the_file_holds(tmp_path, compression):
    path = tmp_path / "huge.npz"
    _npz_with(path, [("w.npy", _npy_header((10**6, 10**6)) + bytes(64))], compression)
    assert path.stat().st_size < 1000
    with pytest.raises(ValueError) as refused:
        mg.load(path)
    message = str(refused.value)
    assert str(path) in message and "'w'" in message and "\n" not in message
    assert f"declares {8 * 10**12} bytes" in message
    assert f"{path.stat().st_size} bytes in the file" in message


def test_load_still_reads_a_compressed_archive_of_zeros(tmp_path):
    path = tmp_path / "zeros.npz"
    np.savez_compressed(path, w=np.zeros((300, 300)))
    assert path.stat().st_size * 100 < 300 * 300 * 8
    np.testing.assert_array_equal(mg.load(path)["w"].numpy(), np.zeros((300, 300)))


def test_load_refuses_an_entry_held_twice(tmp_path):
    path = tmp_path / "twice.npz"
    first, second = io.BytesIO(), io.BytesIO()
    np.save(first, np.zeros(2))
    np.save(second, np.ones(2))
    with pytest.warns(UserWarning, match="Duplicate name"):
        _npz_with(path, [("w.npy", first.getvalue()), ("w.npy", second.getvalue())])
    with pytest.raises(ValueError, match=f"load: {path} .*the entry 'w' 2 times"):
        mg.load(path)
