"""Binary elementwise ops over broadcastable shape pairs, and power with a constant exponent:
values against numpy, first and second derivatives against central finite differences (float64,
default tolerances), on every device."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import minigrad as mg
import strategies as S
from strategies import check_derivatives

PAIRS = S.broadcastable_pair(max_dims=3, max_side=3)


def nonzero(data, shape, low=0.5):
    """Values with |x| in [low, 2] and either sign (divisors)."""
    magnitude = data.draw(S.positive_arrays(shape, low))
    return np.where(data.draw(hnp.arrays(bool, shape)), -magnitude, magnitude)


# name: (op, numpy reference, how to draw a, how to draw b)
def _any(data, shape):
    return data.draw(S.arrays(shape))


def _positive(data, shape):
    return data.draw(S.positive_arrays(shape, 0.5))


BINARY = {
    "add": (lambda a, b: a + b, np.add, _any, _any),
    "sub": (lambda a, b: a - b, np.subtract, _any, _any),
    "mul": (lambda a, b: a * b, np.multiply, _any, _any),
    "div": (lambda a, b: a / b, np.divide, _any, nonzero),
    "pow": (lambda a, b: a ** b, np.power, _positive, _any),
    "maximum": (mg.maximum, np.maximum, _any, _any),
    "minimum": (mg.minimum, np.minimum, _any, _any),
}


@pytest.mark.parametrize("device", S.DEVICES)
@pytest.mark.parametrize("name", sorted(BINARY))
@given(data=st.data(), shapes=PAIRS)
def test_binary_op(name, device, data, shapes):
    op, reference, draw_a, draw_b = BINARY[name]
    a, b = draw_a(data, shapes[0]), draw_b(data, shapes[1])
    if name in ("maximum", "minimum"):
        S.away_from(a - b)  # no ties: the derivative jumps there
    ta, tb = S.leaf(a, device), S.leaf(b, device)
    y = op(ta, tb)
    assert y.shape == np.broadcast_shapes(a.shape, b.shape) and y.device == device
    np.testing.assert_allclose(y.numpy(), reference(a, b), rtol=1e-12, atol=1e-15)
    check_derivatives(op, ta, tb)


@pytest.mark.parametrize("device", S.DEVICES)
@given(data=st.data(), exponent=st.sampled_from([0, 1, 2, 3, -1, 0.5, 1.5, -2.5]))
def test_pow_constant_exponent(device, data, exponent):
    # x^p for a non-integer or negative p needs x > 0
    positive = not (isinstance(exponent, int) and exponent >= 0)
    low = 0.3 if positive else -2.0
    x = data.draw(S.arrays(S.shapes(max_side=3), low, 2.0))
    leaf = S.leaf(x, device)
    y = leaf ** exponent
    np.testing.assert_allclose(y.numpy(), x ** exponent, rtol=1e-12)
    assert mg.power(leaf, exponent).numpy().tolist() == y.numpy().tolist()
    check_derivatives(lambda t: t ** exponent, leaf)


@pytest.mark.parametrize("device", S.DEVICES)
@given(data=st.data(),
       shapes=hnp.mutually_broadcastable_shapes(num_shapes=3, max_dims=3, max_side=3))
def test_where(device, data, shapes):
    condition_shape, a_shape, b_shape = shapes.input_shapes
    condition = data.draw(hnp.arrays(bool, condition_shape))
    a, b = data.draw(S.arrays(a_shape)), data.draw(S.arrays(b_shape))
    mask = mg.tensor(condition, device=device)
    ta, tb = S.leaf(a, device), S.leaf(b, device)
    y = mg.where(mask, ta, tb)
    np.testing.assert_array_equal(y.numpy(), np.where(condition, a, b))
    check_derivatives(lambda a_, b_: mg.where(mask, a_, b_), ta, tb)


@pytest.mark.parametrize("device", S.DEVICES)
def test_ties_share_the_gradient(device):
    a = mg.tensor(np.array([1.0, 2.0, 3.0]), requires_grad=True, device=device)
    b = mg.tensor(np.array([1.0, 0.0, 3.0]), requires_grad=True, device=device)
    ga, gb = mg.grad(mg.maximum(a, b).sum(), [a, b])
    np.testing.assert_array_equal(ga.numpy(), [0.5, 1.0, 0.5])
    np.testing.assert_array_equal(gb.numpy(), [0.5, 0.0, 0.5])


@pytest.mark.parametrize("device", S.DEVICES)
def test_python_numbers_on_either_side(device):
    x_np = np.array([0.5, 1.0, 1.5])
    x = mg.tensor(x_np, requires_grad=True, device=device)
    cases = {  # expression: (value, derivative)
        lambda t: 2.0 - t: (2.0 - x_np, -np.ones(3)),
        lambda t: 3.0 / t: (3.0 / x_np, -3.0 / x_np ** 2),
        lambda t: 2.0 ** t: (2.0 ** x_np, np.log(2.0) * 2.0 ** x_np),
        lambda t: 4 * t + 1: (4 * x_np + 1, 4 * np.ones(3)),
    }
    for expression, (value, derivative) in cases.items():
        y = expression(x)
        assert y.dtype == x.dtype and y.device == device
        np.testing.assert_allclose(y.numpy(), value, rtol=1e-12)
        (g,) = mg.grad(y.sum(), x)
        np.testing.assert_allclose(g.numpy(), derivative, rtol=1e-12)


def test_python_float_keeps_float32():
    x = mg.tensor([1.0, 2.0])
    assert mg.backend.dtype_name((x * 2.5 + 1.0).dtype) == "float32"


def test_comparisons_are_not_differentiable():
    x = mg.tensor(np.array([-1.0, 2.0]), requires_grad=True)
    for result in (x > 0, x >= 0, x < 0, x <= 0, x == 2.0, x != 2.0):
        assert not result.requires_grad
    assert (x > 0).tolist() == [False, True]
