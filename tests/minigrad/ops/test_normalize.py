"""standardize, batch norm's (x - mean) / sqrt(var + eps) as the pair of primitives Standardize and
InverseStd: values and statistics against numpy, first and second derivatives against central
finite differences (and compiled), and the third order, where each primitive's VJP runs the
other's, on every device."""

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import strategies as S
from minigrad.ops.normalize import standardize
from minigrad.testing import gradcheck

EPS = 1e-5
AXES = {2: (0,), 4: (0, 2, 3)}  # batch norm's: all axes but the channels'


@st.composite
def batches(draw, ndim):
    """(N, C) or (N, C, H, W) with at least two values per channel, spread enough that
    1 / sqrt(var + eps) is well conditioned."""
    channels = draw(st.integers(1, 3))
    if ndim == 2:
        shape = (draw(st.integers(2, 4)), channels)
    else:
        shape = (draw(st.integers(1, 2)), channels, draw(st.integers(1, 3)),
                 draw(st.integers(1, 3)))
        assume(shape[0] * shape[2] * shape[3] >= 2)
    x = draw(S.arrays(shape))
    assume(np.all(x.var(axis=AXES[ndim]) > 0.05))
    return x


@pytest.mark.parametrize("device", S.DEVICES)
@pytest.mark.parametrize("ndim", [2, 4])
@settings(max_examples=10)
@given(data=st.data())
def test_standardize(device, ndim, data):
    x, axes = data.draw(batches(ndim)), AXES[ndim]
    leaf = S.leaf(x, device)
    x_hat, mean, var = standardize(leaf, axes, EPS)
    expected_mean, expected_var = x.mean(axis=axes, keepdims=True), x.var(axis=axes, keepdims=True)
    np.testing.assert_allclose(mean.numpy(), expected_mean, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(var.numpy(), expected_var, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(x_hat.numpy(), (x - expected_mean) / np.sqrt(expected_var + EPS),
                               rtol=1e-10, atol=1e-12)
    assert x_hat.device == device and not mean.requires_grad and not var.requires_grad
    S.check_derivatives(lambda t: standardize(t, axes, EPS)[0], leaf)


@pytest.mark.parametrize("device", S.DEVICES)
def test_standardize_to_order_3(device):
    """Standardize's VJP runs InverseStd, whose VJP runs Standardize: order 3 crosses both."""
    x = np.random.default_rng(5).standard_normal((4, 2))
    assert gradcheck(lambda t: standardize(t, (0,), EPS)[0], S.leaf(x, device), order=3)
