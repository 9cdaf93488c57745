"""Devices: a tensor keeps its device through ops and gradients; .numpy() works from any device;
.to() moves a tensor and its gradient moves back; the strict test device computes what numpy
computes."""

import numpy as np
import pytest

import minigrad as mg
import strategies as S

STRICT = "strict:device1"


def model(x, w, idx):
    """A computation that touches every family of ops."""
    h = mg.tanh(x @ w) + mg.sigmoid(x[:, idx] * 2.0).sum(axis=1, keepdims=True)
    h = mg.concatenate([h, mg.relu(h) - h.exp().log1p()], axis=1)
    pooled = mg.stack([h.amax(axis=0), h.mean(axis=0), h.var(axis=0)], axis=0)
    joined = mg.where(pooled > 0, pooled, 0.1 * pooled).reshape(-1)[::-2]
    return (joined ** 2).sum() + h.logsumexp(axis=1).mean() + mg.maximum(h, 0.3).T[1, 2:4].sum()


def inputs(device, rng=None):
    rng = rng or np.random.default_rng(0)
    x = mg.tensor(rng.uniform(-1, 1, (5, 3)), requires_grad=True, device=device)
    w = mg.tensor(rng.uniform(-1, 1, (3, 2)), requires_grad=True, device=device)
    return x, w, [2, 0, 0]


def test_strict_results_and_gradients_equal_numpys():
    results = {}
    for device in S.DEVICES:
        x, w, idx = inputs(device)
        loss = model(x, w, idx)
        assert loss.device == device
        gx, gw = mg.grad(loss, [x, w], create_graph=True)
        (hw,) = mg.grad((gx * gx).sum(), w)
        results[device] = [t.numpy() for t in (loss, gx, gw, hw)]
    for on_cpu, on_strict in zip(results["cpu"], results[STRICT]):
        assert type(on_strict) is np.ndarray
        np.testing.assert_allclose(on_strict, on_cpu, rtol=1e-12, atol=1e-14)


def test_tensors_keep_their_device_through_ops_and_gradients():
    x, w, idx = inputs(STRICT)
    h = x @ w
    assert all(t.device == STRICT for t in (h, h.sum(), h.T, h[0], x[:, idx], h.exp()))
    loss = model(x, w, idx)
    loss.backward(create_graph=True)
    assert x.grad.device == STRICT and w.grad.device == STRICT
    (second,) = mg.grad(w.grad.sum(), w)
    assert second.device == STRICT
    assert type(x.array).__module__.startswith("array_api_strict")


@pytest.mark.parametrize("device", S.DEVICES)
def test_numpy_works_from_any_device_and_copies(device):
    values = np.arange(6.0).reshape(2, 3)
    x = mg.tensor(values, device=device)
    copy = x.numpy()
    assert type(copy) is np.ndarray and copy.dtype == np.float64
    np.testing.assert_array_equal(copy, values)
    copy[0, 0] = 100.0
    assert x.numpy()[0, 0] == 0.0
    assert x[1, 2].item() == 5.0
    assert x.tolist() == values.tolist()


def test_tensor_copies_but_as_tensor_shares_a_matching_array():
    values = np.arange(4.0)
    copied, shared = mg.tensor(values), mg.as_tensor(values)
    values[0] = 10.0
    assert copied.numpy()[0] == 0.0 and shared.numpy()[0] == 10.0
    assert not shared.requires_grad and shared.is_leaf
    strict = mg.tensor(values, device=STRICT)
    assert mg.as_tensor(strict).array is strict.array
    assert mg.tensor(strict).array is not strict.array


@pytest.mark.parametrize("dtype, device", [("float32", None), (None, STRICT), ("float32", STRICT)])
def test_as_tensor_converts_when_dtype_or_device_differ(dtype, device):
    values = np.arange(4.0)
    x = mg.as_tensor(values, dtype=dtype, device=device)
    values[0] = 10.0
    assert x.numpy()[0] == 0.0
    assert mg.backend.dtype_name(x.dtype) == (dtype or "float64")
    assert x.device == (device or "cpu")


@pytest.mark.parametrize("source, target", [("cpu", STRICT), (STRICT, "cpu")])
def test_to_moves_and_the_gradient_moves_back(source, target):
    x_np = np.array([0.5, -1.0, 2.0])
    x = mg.tensor(x_np, requires_grad=True, device=source)
    moved = x.to(target)
    assert moved.device == target and moved.requires_grad
    np.testing.assert_array_equal(moved.numpy(), x_np)
    loss = (moved ** 3).sum()
    assert loss.device == target
    (g,) = mg.grad(loss, x, create_graph=True)
    assert g.device == source
    np.testing.assert_allclose(g.numpy(), 3 * x_np ** 2)
    (h,) = mg.grad(g.sum(), x)
    assert h.device == source
    np.testing.assert_allclose(h.numpy(), 6 * x_np)
    assert x.to(source) is x


def test_to_and_back_round_trips_the_values_and_dtype():
    x = mg.tensor(np.array([1.5, 2.5], dtype=np.float32))
    back = x.to(STRICT).to("cpu")
    assert back.dtype == np.float32 and back.numpy().tolist() == [1.5, 2.5]
    assert x.to(STRICT).cpu().device == "cpu"


def test_device_argument_and_default_device():
    assert mg.tensor([1.0], device=STRICT).device == STRICT
    strict_array = mg.tensor([1.0, 2.0], device=STRICT).array
    assert mg.tensor(strict_array).device == STRICT  # a device array stays where it is
    assert mg.tensor(strict_array, device="cpu").device == "cpu"
    previous = mg.default_device()
    try:
        mg.set_default_device(STRICT)
        assert mg.tensor([1.0]).device == STRICT
        assert mg.zeros(2).device == STRICT and mg.ones(2, 2).device == STRICT
    finally:
        mg.set_default_device(previous)
    assert mg.tensor([1.0]).device == previous
    with pytest.raises(ValueError, match="unknown device 'tpu'"):
        mg.tensor([1.0], device="tpu")


def test_constants_follow_the_tensor_they_meet():
    x = mg.tensor(np.array([1.0, 2.0]), requires_grad=True, device=STRICT)
    for result in (x + 1.0, 2.0 * x, x / 2, 1.0 - x, x @ [1.0, 1.0], mg.maximum(x, 1.5)):
        assert result.device == STRICT


def test_repr_names_the_device():
    assert f"device='{STRICT}'" in repr(mg.tensor([1.0], device=STRICT))
    assert "device" not in repr(mg.tensor([1.0]))
