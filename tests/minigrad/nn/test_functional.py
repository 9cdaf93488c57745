"""minigrad.nn.functional: first and second derivatives of its composites (batch norm, the
losses, the LSTM cell) against finite differences on both devices, and the properties that
matter beyond derivatives (numerical stability of the loss, batch norm's eval-mode affinity and
its running statistics). The functions that are one primitive are tested with their op family:
linear in tests/minigrad/ops/test_linalg.py, relu and leaky_relu in test_elementwise_unary.py."""

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import minigrad as mg
import minigrad.nn.functional as F
from minigrad.testing import gradcheck
from strategies import DEVICES, arrays, check_derivatives, leaf, positive_arrays

try:
    import torch
except ImportError:
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="PyTorch is not installed")

# Each composite is checked by check_derivatives (first and second derivatives against finite
# differences, and its compiled program against eager), and the strict device is several times
# slower than numpy: keep the examples few and small, so that the whole file runs in seconds.
some_examples = settings(max_examples=10)
sides = st.integers(1, 3)
reductions = st.sampled_from(["mean", "sum", "none"])


# -- batch norm -----------------------------------------------------------------------------------

@st.composite
def batch_norm_inputs(draw, device, ndim):
    """x (N, C) or (N, C, H, W) with at least two values per channel and a per-channel spread
    large enough that 1 / sqrt(var + eps) is well conditioned; weight and bias (C,)."""
    channels = draw(sides)
    if ndim == 2:
        shape = (draw(st.integers(2, 4)), channels)
    else:
        shape = (draw(st.integers(1, 2)), channels, draw(sides), draw(sides))
        assume(shape[0] * shape[2] * shape[3] >= 2)
    x = draw(arrays(shape))
    axes = (0,) if ndim == 2 else (0, 2, 3)
    assume(np.all(x.var(axis=axes) > 0.05))
    weight = draw(arrays((channels,)))
    bias = draw(arrays((channels,)))
    return leaf(x, device), leaf(weight, device), leaf(bias, device)


def _batch_norm_training(x, weight, bias):
    channels = x.shape[1]
    running_mean = mg.zeros(channels, dtype="float64", device=x.device)
    running_var = mg.ones(channels, dtype="float64", device=x.device)
    return F.batch_norm(x, running_mean, running_var, weight, bias, training=True)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("ndim", [2, 4])
@some_examples
@given(data=st.data())
def test_batch_norm_training_derivatives(device, ndim, data):
    check_derivatives(_batch_norm_training, *data.draw(batch_norm_inputs(device, ndim)))


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("shape", [(6, 3), (2, 3, 4, 5)])
def test_batch_norm_training_values_and_running_statistics(device, shape):
    rng = np.random.default_rng(1)
    x, weight, bias = rng.standard_normal(shape) * 3 + 1, rng.standard_normal(3), rng.standard_normal(3)
    axes = (0,) if len(shape) == 2 else (0, 2, 3)
    kept = (1, 3) + (1,) * (len(shape) - 2)
    running_mean = mg.tensor(np.full(3, 0.5), device=device)
    running_var = mg.tensor(np.full(3, 2.0), device=device)
    y = F.batch_norm(leaf(x, device), running_mean, running_var, leaf(weight, device),
                     leaf(bias, device), training=True, momentum=0.2, eps=1e-3)
    mean, var = x.mean(axis=axes), x.var(axis=axes)
    expected = ((x - mean.reshape(kept)) / np.sqrt(var.reshape(kept) + 1e-3) * weight.reshape(kept)
                + bias.reshape(kept))
    np.testing.assert_allclose(y.numpy(), expected, rtol=1e-12, atol=1e-12)
    count = x.size // 3
    np.testing.assert_allclose(running_mean.numpy(), 0.8 * 0.5 + 0.2 * mean, rtol=1e-12)
    np.testing.assert_allclose(running_var.numpy(), 0.8 * 2.0 + 0.2 * var * count / (count - 1),
                               rtol=1e-12)


@pytest.mark.parametrize("device", DEVICES)
def test_batch_norm_training_without_running_statistics(device):
    x = leaf(np.random.default_rng(0).standard_normal((5, 3)), device)
    assert gradcheck(lambda x: F.batch_norm(x, None, None, training=True), (x,))


@st.composite
def batch_norm_eval_inputs(draw, device, ndim):
    """Eval mode's inputs, all differentiable: x, running mean, running var (> 0), weight, bias."""
    x, weight, bias = draw(batch_norm_inputs(device, ndim))
    channels = x.shape[1]
    running_mean = leaf(draw(arrays((channels,))), device)
    running_var = leaf(draw(positive_arrays((channels,))), device)
    return x, running_mean, running_var, weight, bias


def _batch_norm_eval(x, running_mean, running_var, weight, bias):
    return F.batch_norm(x, running_mean, running_var, weight, bias, training=False)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("ndim", [2, 4])
@some_examples
@given(data=st.data())
def test_batch_norm_eval_derivatives(device, ndim, data):
    check_derivatives(_batch_norm_eval, *data.draw(batch_norm_eval_inputs(device, ndim)))


@pytest.mark.parametrize("ndim", [2, 4])
@given(data=st.data(), a=st.floats(-2.0, 2.0))
def test_batch_norm_eval_is_an_affine_map(ndim, data, a):
    x1, weight, bias = data.draw(batch_norm_inputs("cpu", ndim))
    x2 = mg.tensor(data.draw(arrays(x1.shape)))
    channels = x1.shape[1]
    running_mean = mg.tensor(data.draw(arrays((channels,))))
    running_var = mg.tensor(data.draw(positive_arrays((channels,))))

    def f(x):
        return F.batch_norm(x, running_mean, running_var, weight, bias, training=False).numpy()

    mixed = f(mg.tensor(a * x1.numpy() + (1 - a) * x2.numpy()))
    np.testing.assert_allclose(mixed, a * f(x1) + (1 - a) * f(x2), rtol=1e-10, atol=1e-10)


def _batch_norm_by_hand(x, running_mean, running_var, weight, bias, momentum, eps):
    """Batch norm's training step computed with numpy: output with the biased batch variance,
    running statistics moved towards the batch mean and the unbiased batch variance."""
    axes = (0,) if x.ndim == 2 else (0, 2, 3)
    stat_shape = (1, -1) + (1,) * (x.ndim - 2)
    mean, var = x.mean(axis=axes), x.var(axis=axes)
    count = x.size // x.shape[1]
    y = (x - mean.reshape(stat_shape)) / np.sqrt(var.reshape(stat_shape) + eps)
    y = y * weight.reshape(stat_shape) + bias.reshape(stat_shape)
    new_mean = (1 - momentum) * running_mean + momentum * mean
    new_var = (1 - momentum) * running_var + momentum * var * count / (count - 1)
    return y, new_mean, new_var


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("shape", [(6, 3), (2, 3, 4, 5), (3, 2, 1, 1)])
@pytest.mark.parametrize("momentum", [0.1, 0.5])
def test_batch_norm_training_updates_running_statistics(device, shape, momentum):
    rng = np.random.default_rng(1)
    x = rng.standard_normal(shape) * 3 + 1
    channels = shape[1]
    weight, bias = rng.standard_normal(channels), rng.standard_normal(channels)
    running_mean, running_var = rng.standard_normal(channels), rng.uniform(0.5, 2, channels)
    eps = 1e-3
    expected = _batch_norm_by_hand(x, running_mean, running_var, weight, bias, momentum, eps)

    mean_buffer = mg.tensor(running_mean, device=device)
    var_buffer = mg.tensor(running_var, device=device)
    y = F.batch_norm(mg.tensor(x, device=device), mean_buffer, var_buffer,
                     mg.tensor(weight, device=device), mg.tensor(bias, device=device),
                     training=True, momentum=momentum, eps=eps)
    for actual, wanted in zip((y, mean_buffer, var_buffer), expected):
        np.testing.assert_allclose(actual.numpy(), wanted, rtol=1e-12, atol=1e-12)


@needs_torch
@pytest.mark.parametrize("shape", [(6, 3), (2, 3, 4, 5)])
@pytest.mark.parametrize("training", [True, False])
def test_batch_norm_matches_pytorch(shape, training):
    rng = np.random.default_rng(2)
    x = rng.standard_normal(shape) * 2 - 1
    channels = shape[1]
    weight, bias = rng.standard_normal(channels), rng.standard_normal(channels)
    running_mean, running_var = rng.standard_normal(channels), rng.uniform(0.5, 2, channels)

    torch_mean, torch_var = torch.tensor(running_mean), torch.tensor(running_var)
    expected = torch.nn.functional.batch_norm(
        torch.tensor(x), torch_mean, torch_var, torch.tensor(weight), torch.tensor(bias),
        training=training, momentum=0.3, eps=1e-4)
    mean_buffer, var_buffer = mg.tensor(running_mean), mg.tensor(running_var)
    y = F.batch_norm(mg.tensor(x), mean_buffer, var_buffer, mg.tensor(weight), mg.tensor(bias),
                     training=training, momentum=0.3, eps=1e-4)
    np.testing.assert_allclose(y.numpy(), expected.numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(mean_buffer.numpy(), torch_mean.numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(var_buffer.numpy(), torch_var.numpy(), rtol=1e-12, atol=1e-12)


def test_batch_norm_training_does_not_record_the_running_statistics():
    x = mg.tensor(np.random.default_rng(3).standard_normal((4, 2)), requires_grad=True)
    running_mean, running_var = mg.zeros(2, dtype="float64"), mg.ones(2, dtype="float64")
    F.batch_norm(x, running_mean, running_var, training=True)
    assert not running_mean.requires_grad and not running_var.requires_grad


# -- losses ---------------------------------------------------------------------------------------

@st.composite
def loss_inputs(draw, device, target_low=-2.0):
    shape = draw(st.lists(sides, max_size=3).map(tuple))
    prediction = leaf(draw(arrays(shape)), device)
    target = leaf(draw(arrays(shape, low=target_low, high=2.0 if target_low < 0 else 1.0)),
                  device)
    return prediction, target, draw(reductions)


@pytest.mark.parametrize("device", DEVICES)
@some_examples
@given(data=st.data())
def test_binary_cross_entropy_with_logits_derivatives(device, data):
    logits, target, reduction = data.draw(loss_inputs(device, target_low=0.0))
    check_derivatives(lambda x, t: F.binary_cross_entropy_with_logits(x, t, reduction=reduction),
                      logits, target)


def _bce_by_hand(logits, target):
    """softplus(x) - t x with softplus(x) = log(1 + exp(x)) = logaddexp(0, x), in float64."""
    return np.logaddexp(0.0, logits) - target * logits


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_binary_cross_entropy_with_logits_is_exact_for_huge_logits(device, reduction):
    host_logits = np.array([1e4, -1e4, 1e4, -1e4, 1e4, -1e4, 0.0, 30.0, -800.0])
    host_target = np.array([0.0, 1.0, 1.0, 0.0, 0.25, 0.75, 0.5, 1.0, 0.0])
    logits = mg.tensor(host_logits, requires_grad=True, device=device)
    loss = F.binary_cross_entropy_with_logits(logits, mg.tensor(host_target, device=device),
                                              reduction=reduction)
    per_element = _bce_by_hand(host_logits, host_target)
    expected = {"mean": per_element.mean(), "sum": per_element.sum(), "none": per_element}
    assert np.all(np.isfinite(loss.numpy()))
    np.testing.assert_allclose(loss.numpy(), expected[reduction], rtol=1e-15, atol=0)

    (gradient,) = mg.grad(loss.sum(), logits)
    sigmoid = np.exp(-np.logaddexp(0.0, -host_logits))  # 1 / (1 + exp(-x)) without overflow
    scale = 1.0 / host_logits.size if reduction == "mean" else 1.0
    assert np.all(np.isfinite(gradient.numpy()))
    # sigmoid(x) - t loses the digits of sigmoid(x) below 1 ulp of 1 (e.g. at x = 30)
    np.testing.assert_allclose(gradient.numpy(), scale * (sigmoid - host_target), rtol=1e-15,
                               atol=2.3e-16)


@pytest.mark.parametrize("device", DEVICES)
def test_binary_cross_entropy_with_logits_is_finite_for_huge_logits_in_float32(device):
    logits = mg.tensor(np.array([1e4, -1e4, 1e4, -1e4], dtype=np.float32), requires_grad=True,
                       device=device)
    target = mg.tensor(np.array([0.0, 1.0, 1.0, 0.0], dtype=np.float32), device=device)
    loss = F.binary_cross_entropy_with_logits(logits, target, reduction="none")
    np.testing.assert_array_equal(loss.numpy(), np.array([1e4, 1e4, 0.0, 0.0], np.float32))
    (gradient,) = mg.grad(loss.sum(), logits)
    np.testing.assert_array_equal(gradient.numpy(), np.array([1.0, -1.0, 0.0, 0.0], np.float32))


def test_binary_cross_entropy_with_logits_rejects_unknown_reduction():
    with pytest.raises(ValueError, match="reduction"):
        F.binary_cross_entropy_with_logits(mg.tensor([0.0]), mg.tensor([1.0]),
                                           reduction="average")


@pytest.mark.parametrize("device", DEVICES)
@some_examples
@given(data=st.data())
def test_mse_loss_derivatives(device, data):
    prediction, target, reduction = data.draw(loss_inputs(device))
    check_derivatives(lambda p, t: F.mse_loss(p, t, reduction), prediction, target)


@given(data=st.data())
def test_mse_loss_values(data):
    prediction, target, reduction = data.draw(loss_inputs("cpu"))
    squared = (prediction.numpy() - target.numpy()) ** 2
    expected = {"mean": squared.mean(), "sum": squared.sum(), "none": squared}[reduction]
    np.testing.assert_allclose(F.mse_loss(prediction, target, reduction).numpy(), expected,
                               rtol=1e-12)


# -- lstm cell ------------------------------------------------------------------------------------

@st.composite
def lstm_cell_inputs(draw, device):
    """x (N, I), h and c (N, H), W_ih (4H, I), W_hh (4H, H) and maybe b_ih, b_hh (4H,)."""
    batch, n_in, hidden = draw(sides), draw(sides), draw(st.integers(1, 2))
    tensors = [draw(arrays(shape)) for shape in
               [(batch, n_in), (batch, hidden), (batch, hidden), (4 * hidden, n_in),
                (4 * hidden, hidden)]]
    if draw(st.booleans()):
        tensors += [draw(arrays((4 * hidden,))), draw(arrays((4 * hidden,)))]
    return tuple(leaf(t, device) for t in tensors)


def _lstm_cell(x, h, c, weight_ih, weight_hh, *biases):
    return F.lstm_cell(x, (h, c), weight_ih, weight_hh, *biases)


@pytest.mark.parametrize("device", DEVICES)
@some_examples
@given(data=st.data())
def test_lstm_cell_derivatives(device, data):
    check_derivatives(_lstm_cell, *data.draw(lstm_cell_inputs(device)))


