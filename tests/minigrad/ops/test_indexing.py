"""Joining (concatenate, stack) and indexing x[key] (basic keys: ints, negative ints, slices with
any step, None, ...; and one integer array: repeats, negative entries, any position): values
against numpy, first and second derivatives against central finite differences, on every
device."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import minigrad as mg
import strategies as S
from strategies import check_derivatives


@st.composite
def joinable(draw, count, same_shape):
    """``count`` float64 arrays that can be concatenated (or stacked) along ``axis``."""
    shape = list(draw(S.shapes(min_dims=1, max_dims=3, max_side=3)))
    axis = draw(st.integers(-len(shape), len(shape) - 1))
    arrays = []
    for _ in range(count):
        if not same_shape:
            shape[axis] = draw(st.integers(1, 3))
        arrays.append(draw(S.arrays(tuple(shape))))
    return arrays, axis


@pytest.mark.parametrize("device", S.DEVICES)
@given(case=st.integers(1, 3).flatmap(lambda n: joinable(n, same_shape=False)))
def test_concatenate(device, case):
    arrays, axis = case
    leaves = [S.leaf(a, device) for a in arrays]
    y = mg.concatenate(leaves, axis=axis)
    np.testing.assert_array_equal(y.numpy(), np.concatenate(arrays, axis=axis))
    check_derivatives(lambda *ts: mg.concatenate(ts, axis=axis), *leaves)


@pytest.mark.parametrize("device", S.DEVICES)
@given(case=st.integers(1, 3).flatmap(lambda n: joinable(n, same_shape=True)),
       data=st.data())
def test_stack(device, case, data):
    arrays, _ = case
    axis = data.draw(st.integers(-arrays[0].ndim - 1, arrays[0].ndim))
    leaves = [S.leaf(a, device) for a in arrays]
    y = mg.stack(leaves, axis=axis)
    np.testing.assert_array_equal(y.numpy(), np.stack(arrays, axis=axis))
    check_derivatives(lambda *ts: mg.stack(ts, axis=axis), *leaves)


def test_join_errors_name_the_op_and_shapes():
    a, b = mg.tensor(np.ones((2, 3))), mg.tensor(np.ones((2, 4)))
    with pytest.raises(ValueError, match=r"concatenate: tensor 1 has shape \(2, 4\)"):
        mg.concatenate([a, b], axis=0)
    with pytest.raises(ValueError, match=r"stack: tensor 1 has shape \(2, 4\)"):
        mg.stack([a, b])


@pytest.mark.parametrize("device", S.DEVICES)
@given(data=st.data())
def test_basic_index(device, data):
    x = data.draw(S.arrays(S.shapes(min_dims=1, max_side=4)))
    key = data.draw(hnp.basic_indices(x.shape, allow_newaxis=True, allow_ellipsis=True))
    leaf = S.leaf(x, device)
    y = leaf[key]
    np.testing.assert_array_equal(y.numpy(), x[key])
    check_derivatives(lambda t: t[key], leaf)


# x[k] for each of these keys, on an array of shape (3, 4, 2)
KEYS = {
    "int": 1,
    "negative int": -1,
    "negative step": slice(None, None, -1),
    "step 2 from the end": (slice(None), slice(-1, None, -2)),
    "mixed": (-2, slice(3, 0, -2), None),
    "ellipsis": (Ellipsis, 1),
    "newaxis around ellipsis": (None, Ellipsis, None, slice(1, None)),
    "all ints": (2, -3, 0),
}


@pytest.mark.parametrize("device", S.DEVICES)
@pytest.mark.parametrize("name", sorted(KEYS))
def test_basic_index_examples(device, name):
    x = np.linspace(-2.0, 2.0, 24).reshape(3, 4, 2)
    key = KEYS[name]
    leaf = S.leaf(x, device)
    np.testing.assert_array_equal(leaf[key].numpy(), x[key])
    check_derivatives(lambda t: t[key], leaf)


@st.composite
def integer_array_key(draw, shape):
    """(before, index, after, axis): the key before + (index,) + after picks ``index`` along
    ``axis``, with full slices or ``...`` around it."""
    axis = draw(st.integers(0, len(shape) - 1))
    index = draw(S.integer_indices(shape[axis], max_len=4))
    style = draw(st.sampled_from(["slices", "ellipsis before", "ellipsis after"]))
    if style == "slices":
        return (slice(None),) * axis, index, (), axis
    if style == "ellipsis before":
        return (Ellipsis,), index, (slice(None),) * (len(shape) - 1 - axis), axis
    return (slice(None),) * axis, index, (Ellipsis,), axis


@pytest.mark.parametrize("device", S.DEVICES)
@given(data=st.data(), container=st.sampled_from(["numpy", "list", "tensor"]))
def test_integer_array_index(device, data, container):
    x = data.draw(S.arrays(S.shapes(min_dims=1, max_side=3)))
    before, index, after, axis = data.draw(integer_array_key(x.shape))
    given_as = {"numpy": index, "list": index.tolist(),
                "tensor": mg.tensor(index, device=device)}[container]
    key = before + (given_as,) + after
    leaf = S.leaf(x, device)
    y = leaf[key]
    np.testing.assert_array_equal(y.numpy(), x[before + (index,) + after])
    np.testing.assert_array_equal(y.numpy(), np.take(x, index, axis=axis))
    if container == "tensor":  # an index tensor is an input (compile refuses a captured one)
        check_derivatives(lambda t, i: t[before + (i,) + after], leaf, given_as)
    else:
        check_derivatives(lambda t: t[key], leaf)


@pytest.mark.parametrize("device", S.DEVICES)
def test_repeated_indices_add_up(device):
    x = mg.tensor(np.zeros((3, 2)), requires_grad=True, device=device)
    (g,) = mg.grad(x[[0, 2, 2, -1, 0]].sum(), x)
    np.testing.assert_array_equal(g.numpy(), [[2.0, 2.0], [0.0, 0.0], [3.0, 3.0]])
    (g,) = mg.grad(x[:, np.array([[1, 1], [0, 1]])].sum(), x)
    np.testing.assert_array_equal(g.numpy(), [[1.0, 3.0]] * 3)


@pytest.mark.parametrize("device", S.DEVICES)
def test_index_of_a_gradient_is_differentiable_again(device):
    """getitem's VJP is a scatter (IndexPut / IndexAdd) whose VJP is getitem again."""
    x_np = np.array([0.5, -1.0, 2.0, 1.5])
    x = mg.tensor(x_np, requires_grad=True, device=device)
    (g,) = mg.grad((x[[0, 0, 3]] ** 3).sum() + (x[1:3] ** 3).sum(), x, create_graph=True)
    np.testing.assert_allclose(g.numpy(), 3 * x_np ** 2 * [2, 1, 1, 1])
    (h,) = mg.grad(g.sum(), x)
    np.testing.assert_allclose(h.numpy(), 6 * x_np * [2, 1, 1, 1])
