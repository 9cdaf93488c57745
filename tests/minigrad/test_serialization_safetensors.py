"""mg.save / mg.load of .safetensors files (issue 35; PyTorch's checkpoints through them:
test_torch_checkpoints.py). Skipped without the safetensors package."""

import numpy as np
import pytest

import minigrad as mg

safetensors = pytest.importorskip("safetensors")


def test_a_state_dict_round_trips_with_names_dtypes_and_values(tmp_path):
    state = {"w": mg.tensor(np.arange(6.0).reshape(2, 3), dtype="float64"),
             "steps": mg.tensor([3, 4]), "half": mg.ones(2, dtype="float16"),
             "t": mg.tensor(np.arange(6.0).reshape(2, 3)).T}  # not contiguous
    path = tmp_path / "state.safetensors"
    mg.save(state, path)
    loaded = mg.load(path)
    assert sorted(loaded) == sorted(state)
    for name, tensor in state.items():
        assert loaded[name].dtype == tensor.dtype
        np.testing.assert_array_equal(loaded[name].numpy(), tensor.numpy())
    assert safetensors.safe_open(str(path), "np").keys()  # a file safetensors reads


def test_other_names_stay_npz(tmp_path):
    mg.save({"w": mg.ones(2)}, tmp_path / "state.bin")
    assert (tmp_path / "state.bin").read_bytes()[:2] == b"PK"  # a zip: npz
