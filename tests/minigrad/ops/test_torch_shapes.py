"""PyTorch's shape names (view, view_as, squeeze, unsqueeze, flatten, t, narrow, contiguous,
new_zeros): shapes and values against numpy, first and second derivatives against central finite
differences, on every device; and the errors for dims out of range. (The same computations
against PyTorch itself: tests/minigrad/test_against_torch.py.)"""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad as mg
import strategies as S
from strategies import check_derivatives


@pytest.mark.parametrize("device", S.DEVICES)
@given(data=st.data())
def test_squeeze_and_unsqueeze(device, data):
    x = data.draw(S.arrays(S.shapes(min_dims=1, max_dims=4, max_side=2)))
    leaf = S.leaf(x, device)
    np.testing.assert_array_equal(leaf.squeeze().numpy(), np.squeeze(x))
    dim = data.draw(st.integers(-x.ndim, x.ndim - 1))
    expected = np.squeeze(x, dim) if x.shape[dim] == 1 else x  # PyTorch keeps other sizes
    np.testing.assert_array_equal(leaf.squeeze(dim).numpy(), expected)
    new = data.draw(st.integers(-x.ndim - 1, x.ndim))
    np.testing.assert_array_equal(leaf.unsqueeze(new).numpy(), np.expand_dims(x, new))
    check_derivatives(lambda t: t.squeeze(dim), leaf)
    check_derivatives(lambda t: t.unsqueeze(new), leaf)


@pytest.mark.parametrize("device", S.DEVICES)
@given(data=st.data())
def test_flatten_view_and_view_as(device, data):
    x = data.draw(S.arrays(S.shapes(min_dims=1, max_dims=4, max_side=3)))
    start = data.draw(st.integers(0, x.ndim - 1))
    end = data.draw(st.integers(start, x.ndim - 1))
    leaf = S.leaf(x, device)
    merged = x.reshape(x.shape[:start] + (-1,) + x.shape[end + 1:])
    np.testing.assert_array_equal(leaf.flatten(start, end).numpy(), merged)
    np.testing.assert_array_equal(leaf.view(-1).numpy(), x.ravel())
    assert leaf.view_as(mg.tensor(merged)).shape == merged.shape
    check_derivatives(lambda t: mg.flatten(t, start, end), leaf)


@pytest.mark.parametrize("device", S.DEVICES)
@given(data=st.data())
def test_narrow(device, data):
    x = data.draw(S.arrays(S.shapes(min_dims=1, max_dims=3, max_side=4)))
    dim = data.draw(st.integers(-x.ndim, x.ndim - 1))
    size = x.shape[dim]
    start = data.draw(st.integers(-size, size - 1))
    length = data.draw(st.integers(0, size - start % size))
    leaf = S.leaf(x, device)
    begin = start % size
    expected = np.take(x, np.arange(begin, begin + length), axis=dim)
    np.testing.assert_array_equal(leaf.narrow(dim, start, length).numpy(), expected)
    check_derivatives(lambda t: mg.narrow(t, dim, start, length), leaf)


@pytest.mark.parametrize("device", S.DEVICES)
def test_t_contiguous_and_new_zeros(device):
    x = S.leaf(np.arange(6.0).reshape(2, 3), device)
    np.testing.assert_array_equal(x.t().numpy(), np.arange(6.0).reshape(2, 3).T)
    vector = S.leaf(np.arange(3.0), device)
    assert vector.t() is vector and x.contiguous() is x
    check_derivatives(lambda t: t.t() * t.t(), x)
    zeros = x.new_zeros(4, 5)
    assert zeros.shape == (4, 5) and zeros.device == x.device and zeros.dtype == x.dtype
    assert not zeros.numpy().any()
    assert mg.backend.dtype_name(x.new_zeros((2,), dtype="float32").dtype) == "float32"


@pytest.mark.parametrize("call, message", [
    (lambda x: x.squeeze(3), "squeeze: dim 3 is out of range"),
    (lambda x: x.unsqueeze(-5), "unsqueeze: dim -5 is out of range"),
    (lambda x: x.flatten(2, 0), "flatten: start_dim 2 comes after end_dim 0"),
    (lambda x: x.narrow(1, 2, 3), "narrow: start 2 and length 3 do not fit in dim 1 of size 3"),
    (lambda x: x.t(), "t: expects a tensor of at most 2 dimensions"),
])
def test_out_of_range_dims_are_named(call, message):
    with pytest.raises((IndexError, ValueError), match=message):
        call(mg.zeros(2, 3, 4))
