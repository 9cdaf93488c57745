"""A PyTorch model's checkpoint moves into the same minigrad model and back, through a
safetensors file, with equal outputs; load_state_dict(strict=False) answers as PyTorch's
(issue 35). Skipped without torch or safetensors."""

import numpy as np
import pytest

import minigrad as mg
from minigrad import nn

torch = pytest.importorskip("torch")


class _Theirs(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.features = torch.nn.Sequential(torch.nn.Conv2d(2, 3, 3, padding=1),
                                            torch.nn.BatchNorm2d(3), torch.nn.ReLU(),
                                            torch.nn.Flatten(), torch.nn.Linear(3 * 4 * 4, 5))
        self.lstm = torch.nn.LSTM(5, 4, num_layers=2)

    def forward(self, x):
        out, _ = self.lstm(self.features(x).unsqueeze(1))
        return out


class _Ours(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(2, 3, 3, padding=1), nn.BatchNorm2d(3),
                                      nn.ReLU(), nn.Flatten(), nn.Linear(3 * 4 * 4, 5))
        self.lstm = nn.LSTM(5, 4, num_layers=2)

    def forward(self, x):
        out, _ = self.lstm(self.features(x).unsqueeze(1))
        return out


def test_a_torch_model_moves_to_minigrad_and_back_with_equal_outputs(tmp_path):
    pytest.importorskip("safetensors")
    from safetensors.torch import load_file, save_file

    torch.manual_seed(0)
    theirs = _Theirs()
    x = np.random.default_rng(0).standard_normal((6, 2, 4, 4)).astype("float32")
    theirs(torch.tensor(x))  # a training step moves the running statistics
    theirs.eval()
    save_file(theirs.state_dict(), tmp_path / "torch.safetensors")

    ours = _Ours().eval()
    assert ours.load_state_dict(mg.load(tmp_path / "torch.safetensors")) == ([], [])
    np.testing.assert_allclose(ours(mg.tensor(x)).numpy(),
                               theirs(torch.tensor(x)).detach().numpy(), rtol=1e-5, atol=1e-6)

    mg.save(ours.state_dict(), tmp_path / "minigrad.safetensors")
    back = _Theirs().eval()
    back.load_state_dict(load_file(tmp_path / "minigrad.safetensors"))  # fills its own count
    np.testing.assert_array_equal(back(torch.tensor(x)).detach().numpy(),
                                  theirs(torch.tensor(x)).detach().numpy())


def test_load_state_dict_strict_false_reports_keys_as_torch():
    state = {"weight": np.zeros((2, 3), "float32"), "extra": np.zeros(1, "float32")}
    theirs = torch.nn.Linear(3, 2).load_state_dict(
        {k: torch.tensor(v) for k, v in state.items()}, strict=False)
    layer = nn.Linear(3, 2)
    ours = layer.load_state_dict(state, strict=False)
    assert ours == (theirs.missing_keys, theirs.unexpected_keys) == (["bias"], ["extra"])
    assert ours.missing_keys == ["bias"] and np.all(layer.weight.numpy() == 0)
    with pytest.raises(KeyError, match=r"missing keys \['bias'\].*strict=False"):
        layer.load_state_dict(state)
