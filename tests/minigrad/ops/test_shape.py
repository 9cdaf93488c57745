"""Shape ops (reshape, permute/transpose/.T/.mT, broadcast_to, sum_to_shape, astype,
concatenate, stack) and indexing x[key] (basic keys: ints, negative ints, slices with any step,
None, ...; and one integer array: repeats, negative entries, any position): values against numpy,
first and second derivatives against central finite differences, on every device."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import minigrad as mg
import strategies as S
from strategies import check_derivatives

SHAPES = S.shapes(max_side=3)


@pytest.mark.parametrize("device", S.DEVICES)
@given(data=st.data())
def test_reshape(device, data):
    x = data.draw(S.arrays(SHAPES))
    target = data.draw(S.reshape_targets(x.shape))
    leaf = S.leaf(x, device)
    y = leaf.reshape(target)
    np.testing.assert_array_equal(y.numpy(), x.reshape(target))
    assert mg.reshape(leaf, *target).shape == y.shape
    check_derivatives(lambda t: t.reshape(target), leaf)


@pytest.mark.parametrize("device", S.DEVICES)
@given(data=st.data())
def test_permute(device, data):
    x = data.draw(S.arrays(S.shapes(min_dims=1, max_side=3)))
    axes = data.draw(st.permutations(range(x.ndim)))
    leaf = S.leaf(x, device)
    y = leaf.permute(*axes)
    np.testing.assert_array_equal(y.numpy(), np.transpose(x, axes))
    np.testing.assert_array_equal(mg.permute(leaf, axes).numpy(), y.numpy())
    check_derivatives(lambda t: t.permute(*axes), leaf)


@pytest.mark.parametrize("device", S.DEVICES)
@given(data=st.data())
def test_transpose_T_and_mT(device, data):
    x = data.draw(S.arrays(S.shapes(min_dims=2, max_side=3)))
    dim0, dim1 = data.draw(st.lists(st.integers(-x.ndim, x.ndim - 1), min_size=2, max_size=2))
    leaf = S.leaf(x, device)
    np.testing.assert_array_equal(leaf.transpose(dim0, dim1).numpy(), np.swapaxes(x, dim0, dim1))
    np.testing.assert_array_equal(leaf.T.numpy(), x.T)
    np.testing.assert_array_equal(leaf.mT.numpy(), np.swapaxes(x, -1, -2))
    check_derivatives(lambda t: (t.transpose(dim0, dim1), t.T, t.mT), leaf)


@pytest.mark.parametrize("device", S.DEVICES)
@given(shapes=S.broadcastable_pair(max_dims=3, max_side=3), data=st.data())
def test_broadcast_to(device, shapes, data):
    target = np.broadcast_shapes(*shapes)
    x = data.draw(S.arrays(shapes[0]))
    leaf = S.leaf(x, device)
    np.testing.assert_array_equal(leaf.broadcast_to(target).numpy(), np.broadcast_to(x, target))
    check_derivatives(lambda t: mg.broadcast_to(t, target), leaf)


def _sum_to_shape(x, shape):
    leading = x.ndim - len(shape)
    summed = x.sum(axis=tuple(range(leading)))
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and summed.shape[i] != 1)
    return summed.sum(axis=stretched, keepdims=True)


@pytest.mark.parametrize("device", S.DEVICES)
@given(shapes=S.broadcastable_pair(max_dims=3, max_side=3), data=st.data())
def test_sum_to_shape(device, shapes, data):
    target = shapes[0]
    x = data.draw(S.arrays(np.broadcast_shapes(*shapes)))
    leaf = S.leaf(x, device)
    y = mg.sum_to_shape(leaf, target)
    assert y.shape == target
    np.testing.assert_allclose(y.numpy(), _sum_to_shape(x, target), rtol=1e-12, atol=1e-15)
    check_derivatives(lambda t: mg.sum_to_shape(t, target), leaf)


def test_sum_to_shape_rejects_a_shape_that_does_not_broadcast():
    x = mg.tensor(np.ones((3, 2)))
    with pytest.raises(ValueError, match=r"sum_to_shape.*\(2, 3\).*\(3, 2\)"):
        mg.sum_to_shape(x, (2, 3))


@pytest.mark.parametrize("device", S.DEVICES)
@given(x=S.arrays(SHAPES))
def test_astype_between_float32_and_float64(device, x):
    x64 = S.leaf(x, device)
    x32 = mg.tensor(x.astype(np.float32), requires_grad=True, device=device)
    down, up = x64.astype("float32"), x32.astype(mg.float64)
    assert (mg.backend.dtype_name(down.dtype), mg.backend.dtype_name(up.dtype)) == \
        ("float32", "float64")
    np.testing.assert_array_equal(down.numpy(), x.astype(np.float32))
    np.testing.assert_array_equal(up.numpy(), x.astype(np.float32).astype(np.float64))
    assert x64.astype("float64") is x64
    # the VJP converts the gradient back to the input's dtype, at every order
    for source, result, other in ((x64, down, "float32"), (x32, up, "float64")):
        v = mg.tensor(np.cos(x).astype(other), requires_grad=True, device=device)
        (g,) = mg.grad(result, source, v, create_graph=True)
        assert g.dtype == source.dtype
        np.testing.assert_array_equal(g.numpy(), v.numpy().astype(g.numpy().dtype))
        w = mg.tensor(np.sin(x), dtype=mg.backend.dtype_name(source.dtype),
                      device=device)
        (gv,) = mg.grad(g, v, w)
        assert gv.dtype == v.dtype
        np.testing.assert_array_equal(gv.numpy(), w.numpy().astype(gv.numpy().dtype))
    # float64 -> float32 -> float64 is the identity up to rounding; only float64 is gradchecked
    check_derivatives(lambda t: t.astype("float64") * t, x64)


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


# -- indexing -----------------------------------------------------------------------------------

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
