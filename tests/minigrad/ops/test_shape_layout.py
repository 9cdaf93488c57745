"""Layout ops (reshape, permute/transpose/.T/.mT, broadcast_to, sum_to_shape, astype): values
against numpy, first and second derivatives against central finite differences, on every
device."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

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
