"""erf (a primitive: numpy through the C library's erf, cupy through cupyx) and GELU (exact and
tanh forms, composites): values against math.erf and PyTorch, first and second derivatives
against central differences, and the refusal on a namespace without erf."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad as mg
import strategies as S
from strategies import check_derivatives

try:
    import torch
except ImportError:
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="PyTorch is not installed")
HOST_DEVICES = [d for d in S.DEVICES if not d.startswith("strict")]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_erf_values_are_the_c_librarys_in_the_tensors_dtype(dtype):
    x = np.array([-30.0, -2.5, -1e-300, 0.0, 1e-8, 0.4, 3.0, np.inf, -np.inf, np.nan])
    y = mg.erf(mg.tensor(x, dtype=dtype)).numpy()
    assert y.dtype == np.dtype(dtype)
    expected = np.array([math.erf(v) for v in x.astype(dtype).astype(np.float64)]).astype(dtype)
    np.testing.assert_array_equal(y, expected)


@pytest.mark.parametrize("device", HOST_DEVICES)
@given(data=st.data())
def test_erf_first_and_second_derivatives(device, data):
    x = data.draw(S.arrays(S.shapes(max_side=3), -2.5, 2.5))
    check_derivatives(mg.erf, S.leaf(x, device))


def test_erf_gradient_is_the_gaussian_density_times_two_over_sqrt_pi():
    x = mg.tensor([-1.5, 0.0, 0.7], dtype="float64", requires_grad=True)
    (g,) = mg.grad(mg.erf(x).sum(), [x])
    np.testing.assert_allclose(g.numpy(), 2 / math.sqrt(math.pi) * np.exp(-x.numpy() ** 2),
                               rtol=1e-15)


def test_erf_on_a_namespace_without_erf_names_it_and_the_device():
    strict = [d for d in S.DEVICES if d.startswith("strict")]
    if not strict:
        pytest.skip("no strict device among MINIGRAD_TEST_DEVICES")
    with pytest.raises(TypeError, match=r"erf: needs a numpy or cupy array.*array_api_strict.*"
                                        + strict[0]):
        mg.erf(mg.zeros(3, device=strict[0]))


@pytest.mark.parametrize("device", HOST_DEVICES)
@pytest.mark.parametrize("approximate", ["none", "tanh"])
@given(data=st.data())
def test_gelu_first_and_second_derivatives(device, approximate, data):
    x = data.draw(S.arrays(S.shapes(max_side=3), -3.0, 3.0))
    check_derivatives(lambda v: mg.nn.functional.gelu(v, approximate), S.leaf(x, device))


@needs_torch
@pytest.mark.parametrize("approximate", ["none", "tanh"])
def test_gelu_and_erf_equal_pytorchs_values_and_two_derivatives(approximate):
    x = np.linspace(-6.0, 6.0, 41)
    # For x << 0 both compute 1 + tanh(u) (or 1 + erf) with u near -1: the cancellation leaves
    # them agreeing to a few ulps of |x| (absolute), not of the tiny result (relative).
    atol = 8 * np.finfo(np.float64).eps * np.abs(x).max()
    ours = mg.tensor(x, requires_grad=True)
    theirs = torch.tensor(x, requires_grad=True)
    for op, reference in [(lambda v: mg.nn.GELU(approximate)(v),
                           lambda v: torch.nn.GELU(approximate)(v)),
                          (mg.erf, torch.erf)]:
        y, y_ref = op(ours), reference(theirs)
        np.testing.assert_allclose(y.numpy(), y_ref.detach().numpy(), rtol=1e-14, atol=atol)
        (g,) = mg.grad(y.sum(), [ours], create_graph=True)
        (g_ref,) = torch.autograd.grad(y_ref.sum(), [theirs], create_graph=True)
        np.testing.assert_allclose(g.numpy(), g_ref.detach().numpy(), rtol=1e-13, atol=atol)
        (h,) = mg.grad(g.sum(), [ours])
        (h_ref,) = torch.autograd.grad(g_ref.sum(), [theirs])
        np.testing.assert_allclose(h.numpy(), h_ref.numpy(), rtol=1e-12, atol=atol)


def test_gelu_refuses_an_unknown_approximation_by_name():
    with pytest.raises(ValueError, match="GELU: approximate must be 'none' or 'tanh', got 'fast'"):
        mg.nn.GELU("fast")
    with pytest.raises(ValueError, match="gelu: approximate must be 'none' or 'tanh', got 'fast'"):
        mg.nn.functional.gelu(mg.zeros(2), "fast")
    assert repr(mg.nn.GELU("tanh")) == "GELU(approximate='tanh')"
