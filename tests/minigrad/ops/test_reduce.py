"""Reductions (sum, mean, var, amax, amin, logsumexp) over any axes, with and without keepdims:
values against numpy, first and second derivatives against central finite differences."""

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import minigrad as mg
import strategies as S
from strategies import check_derivatives

SHAPES = S.shapes(max_side=3)


def _logsumexp(x, axis, keepdims):
    return np.log(np.sum(np.exp(x), axis=axis, keepdims=keepdims))


# name: (op, numpy reference, values without ties?)
REDUCTIONS = {
    "sum": (mg.sum, np.sum, False),
    "mean": (mg.mean, np.mean, False),
    "amax": (mg.amax, np.max, True),
    "amin": (mg.amin, np.min, True),
    "logsumexp": (mg.logsumexp, _logsumexp, False),
}


@pytest.mark.parametrize("device", S.DEVICES)
@pytest.mark.parametrize("name", sorted(REDUCTIONS))
@given(data=st.data(), keepdims=st.booleans())
def test_reduction(name, device, data, keepdims):
    op, reference, no_ties = REDUCTIONS[name]
    shape = data.draw(SHAPES)
    x = data.draw(S.distinct_arrays(shape) if no_ties else S.arrays(shape))
    axis = data.draw(S.axes(len(shape)))
    leaf = S.leaf(x, device)
    y = op(leaf, axis=axis, keepdims=keepdims)
    expected = reference(x, axis=axis, keepdims=keepdims)
    assert y.shape == np.shape(expected) and y.device == device
    np.testing.assert_allclose(y.numpy(), expected, rtol=1e-12, atol=1e-15)
    check_derivatives(lambda t: op(t, axis=axis, keepdims=keepdims), leaf)


@pytest.mark.parametrize("device", S.DEVICES)
@given(data=st.data(), keepdims=st.booleans(), correction=st.sampled_from([0, 1]))
def test_var(device, data, keepdims, correction):
    shape = data.draw(SHAPES)
    x = data.draw(S.arrays(shape))
    axis = data.draw(S.axes(len(shape)))
    axes = range(len(shape)) if axis is None else np.atleast_1d(axis)
    count = int(np.prod([shape[a] for a in axes]))
    assume(count > correction)
    leaf = S.leaf(x, device)
    y = mg.var(leaf, axis=axis, keepdims=keepdims, correction=correction)
    np.testing.assert_allclose(y.numpy(), np.var(x, axis=axis, keepdims=keepdims, ddof=correction),
                               rtol=1e-10, atol=1e-14)
    check_derivatives(lambda t: t.var(axis=axis, keepdims=keepdims, correction=correction), leaf)


@pytest.mark.parametrize("device", S.DEVICES)
def test_max_shares_the_gradient_between_ties(device):
    x = mg.tensor(np.array([[1.0, 3.0, 3.0], [2.0, 0.0, 1.0]]), requires_grad=True, device=device)
    (g,) = mg.grad(x.amax(axis=1).sum(), x)
    np.testing.assert_array_equal(g.numpy(), [[0.0, 0.5, 0.5], [1.0, 0.0, 0.0]])
    (g,) = mg.grad(x.min(), x)
    np.testing.assert_array_equal(g.numpy(), [[0.0, 0.0, 0.0], [0.0, 1.0, 0.0]])


@pytest.mark.parametrize("device", S.DEVICES)
def test_logsumexp_does_not_overflow(device):
    x = mg.tensor(np.array([[1000.0, 1000.0], [-1000.0, 0.0]]), requires_grad=True, device=device)
    y = x.logsumexp(axis=1)
    np.testing.assert_allclose(y.numpy(), [1000.0 + np.log(2.0), 0.0], atol=1e-12)
    (g,) = mg.grad(y.sum(), x)
    np.testing.assert_allclose(g.numpy(), [[0.5, 0.5], [0.0, 1.0]], atol=1e-12)


@pytest.mark.parametrize("device", S.DEVICES)
def test_logsumexp_of_infinities(device):
    x = mg.tensor(np.array([[-np.inf, -np.inf], [1.0, np.inf], [0.0, -np.inf]]), device=device)
    with np.errstate(divide="ignore"):
        y = x.logsumexp(axis=1).numpy()
    np.testing.assert_array_equal(y, [-np.inf, np.inf, 0.0])


def test_reductions_reject_bad_axes():
    x = mg.tensor(np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"axis 2 is out of range .*\(2, 3\)"):
        x.sum(axis=2)
    empty = mg.tensor(np.ones((0, 2)))
    with pytest.raises(ValueError, match=r"^max: the tensor of shape \(0, 2\) is empty"):
        empty.max()
    with pytest.raises(ValueError, match=r"^amin: the tensor of shape \(0, 2\) is empty"):
        empty.amin()


@pytest.mark.parametrize("device", S.DEVICES)
@given(data=st.data(), keepdims=st.booleans(), unbiased=st.booleans())
def test_std_is_the_root_of_var_with_torch_s_default_correction(device, data, keepdims,
                                                                 unbiased):
    shape = data.draw(S.shapes(min_dims=1, max_side=3))
    x = data.draw(S.distinct_arrays(shape))
    axis = data.draw(st.integers(-len(shape), len(shape) - 1))
    assume(shape[axis] > 1)
    leaf = S.leaf(x, device)
    y = mg.std(leaf, axis, unbiased, keepdims)
    np.testing.assert_allclose(y.numpy(), np.std(x, axis=axis, keepdims=keepdims,
                                                 ddof=int(unbiased)), rtol=1e-10, atol=1e-14)
    check_derivatives(lambda t: t.std(axis, unbiased, keepdims), leaf)
