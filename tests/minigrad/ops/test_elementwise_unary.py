"""Unary elementwise ops: values against numpy, first and second derivatives against central
finite differences (float64, default tolerances), on every device."""

import warnings

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import minigrad as mg
from minigrad import backend
import strategies as S
from strategies import check_derivatives


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


# name: (op, numpy reference, low, high, kinks kept at a distance)
UNARY = {
    "neg": (lambda x: -x, np.negative, -2.0, 2.0, ()),
    "exp": (mg.exp, np.exp, -2.0, 2.0, ()),
    "log": (mg.log, np.log, 0.2, 2.0, ()),
    "log1p": (mg.log1p, np.log1p, -0.7, 2.0, ()),
    "sqrt": (mg.sqrt, np.sqrt, 0.2, 2.0, ()),
    "abs": (mg.abs, np.abs, -2.0, 2.0, (0.0,)),
    "tanh": (mg.tanh, np.tanh, -2.0, 2.0, ()),
    "sigmoid": (mg.sigmoid, _sigmoid, -2.0, 2.0, ()),
    "softplus": (mg.softplus, lambda x: np.logaddexp(0.0, x), -2.0, 2.0, ()),
    "relu": (mg.relu, lambda x: np.maximum(x, 0.0), -2.0, 2.0, (0.0,)),
}


@pytest.mark.parametrize("device", S.DEVICES)
@pytest.mark.parametrize("name", sorted(UNARY))
@given(data=st.data())
def test_unary_op(name, device, data):
    op, reference, low, high, kinks = UNARY[name]
    x = S.away_from(data.draw(S.arrays(S.shapes(max_side=3), low, high)), kinks)
    leaf = S.leaf(x, device)
    y = op(leaf)
    assert y.shape == x.shape and y.device == device
    np.testing.assert_allclose(y.numpy(), reference(x), rtol=1e-12, atol=1e-15)
    check_derivatives(op, leaf)


def test_method_forms_match_functions():
    x = mg.tensor(np.linspace(0.3, 1.7, 6), requires_grad=True)
    for name in ("exp", "log", "log1p", "sqrt", "abs", "tanh", "sigmoid", "relu", "softplus"):
        np.testing.assert_array_equal(getattr(x, name)().numpy(), getattr(mg, name)(x).numpy())


@pytest.mark.parametrize("device", S.DEVICES)
@given(data=st.data(), slope=st.one_of(st.sampled_from([0.0, 0.01, 1.5]), st.floats(0.0, 0.5)))
def test_leaky_relu(device, data, slope):
    """Exactly a select (a multiply by 1 or the slope), and derivatives of both orders."""
    x = S.away_from(data.draw(S.arrays(S.shapes(max_side=3))))
    leaf = S.leaf(x, device)
    y = mg.leaky_relu(leaf, slope)
    np.testing.assert_array_equal(y.numpy(), np.where(x > 0, x, slope * x))
    check_derivatives(lambda t: mg.leaky_relu(t, slope), leaf)


@st.composite
def clip_bounds(draw):
    low, high = sorted(draw(st.lists(st.floats(-1.5, 1.5), min_size=2, max_size=2)))
    assume(high - low > 0.1)
    which = draw(st.sampled_from(["both", "low", "high"]))
    return (low if which != "high" else None), (high if which != "low" else None)


@pytest.mark.parametrize("device", S.DEVICES)
@given(data=st.data(), bounds=clip_bounds())
def test_clip(device, data, bounds):
    low, high = bounds
    x = S.away_from(data.draw(S.arrays(S.shapes(max_side=3))), [b for b in bounds if b is not None])
    leaf = S.leaf(x, device)
    y = leaf.clip(low, high)
    np.testing.assert_array_equal(y.numpy(), np.clip(x, low, high))
    check_derivatives(lambda t: mg.clip(t, low, high), leaf)


def test_clip_needs_a_bound():
    with pytest.raises(ValueError, match="clip"):
        mg.clip(mg.tensor([1.0]))


@pytest.mark.parametrize("device", S.DEVICES)
def test_sigmoid_and_softplus_do_not_overflow(device):
    x = mg.tensor(np.array([-800.0, -30.0, 0.0, 30.0, 800.0]), requires_grad=True, device=device)
    s, sp = mg.sigmoid(x), mg.softplus(x)
    assert np.all(np.isfinite(s.numpy())) and np.all(np.isfinite(sp.numpy()))
    np.testing.assert_allclose(sp.numpy()[[0, 4]], [0.0, 800.0])
    (g,) = mg.grad(sp.sum(), x)
    np.testing.assert_allclose(g.numpy(), s.numpy())



@pytest.mark.parametrize("device", S.DEVICES)
def test_relu_at_infinities_and_nan_as_torch(device):
    """relu(-inf) = 0 (not -inf * 0 = nan), relu(inf) = inf, relu(nan) = nan, and the
    gradient [x > 0], as PyTorch's."""
    x = np.array([-np.inf, np.inf, np.nan, -1.5, 2.5])
    leaf = S.leaf(x, device)
    y = mg.relu(leaf)
    np.testing.assert_array_equal(y.numpy(), [0.0, np.inf, np.nan, 0.0, 2.5])
    y.sum().backward()
    np.testing.assert_array_equal(leaf.grad.numpy(), [0.0, 1.0, 0.0, 0.0, 1.0])
    torch = pytest.importorskip("torch")
    np.testing.assert_array_equal(y.numpy(), torch.relu(torch.tensor(x)).numpy())


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("device", S.DEVICES)
def test_relu_s_quick_product_is_the_select_s_bits_and_warns_of_nothing(device, dtype):
    """backend.times_mask (numpy: the product, then -inf entries set to 0) gives the bits of
    where(x == -inf, 0, x) * mask, signs of zero included, and the nan of -inf * 0 that it
    replaces raises no warning."""
    values = np.array([-np.inf, np.inf, np.nan, -0.0, 0.0, -1.5, 2.5, -1e-30], dtype=dtype)
    x = mg.tensor(values, device=device).array
    xp = backend.namespace_of(x)
    mask = xp.astype(x > 0, x.dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        quick = backend.to_numpy(backend.times_mask(x, mask))
    select = backend.to_numpy(xp.where(x == -xp.inf, 0.0, x) * mask)
    assert quick.dtype == select.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(quick, select)
    np.testing.assert_array_equal(np.signbit(quick), np.signbit(select))


@given(x=S.arrays(S.shapes(max_side=5), -1e300, 1e300))
def test_relu_of_finite_inputs_keeps_the_bits_of_x_times_the_mask(x):
    """On finite inputs the bits of x * [x > 0] (-0.0 for negative x), which the pinned
    training runs were made with."""
    expected = x * (x > 0)
    np.testing.assert_array_equal(np.signbit(mg.relu(mg.tensor(x)).numpy()), np.signbit(expected))
    np.testing.assert_array_equal(mg.relu(mg.tensor(x)).numpy(), expected)
