"""The everyday PyTorch names of issue 35 (sin, cos, rsqrt, reciprocal, softmax and
log_softmax methods, expand, repeat, flip, split, chunk, unbind, gather, masked_fill, cumsum,
sort, topk, mm, bmm, dot, outer, prod, boolean masks, item assignment):
values against numpy, first and second derivatives against central differences with the
compiled program equal to eager, on every device; and their errors. (The same computations
against PyTorch itself: tests/minigrad/test_against_torch.py.)"""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import minigrad as mg
import strategies as S
from minigrad.testing import gradcheck
from strategies import check_derivatives

_ELEMENTWISE = {
    "sin": (lambda t: t.sin(), np.sin, S.arrays),
    "cos": (lambda t: mg.cos(t), np.cos, S.arrays),
    "rsqrt": (lambda t: t.rsqrt(), lambda a: 1.0 / np.sqrt(a), S.positive_arrays),
    "reciprocal": (lambda t: mg.reciprocal(t), lambda a: 1.0 / a, S.positive_arrays),
}


@pytest.mark.parametrize("device", S.DEVICES)
@pytest.mark.parametrize("name", sorted(_ELEMENTWISE))
@given(data=st.data())
def test_elementwise(device, name, data):
    op, reference, values = _ELEMENTWISE[name]
    x = data.draw(values(S.shapes()))
    leaf = S.leaf(x, device)
    np.testing.assert_allclose(op(leaf).numpy(), reference(x), rtol=1e-14)
    check_derivatives(op, leaf)


@pytest.mark.parametrize("device", S.DEVICES)
@given(data=st.data())
def test_softmax_and_log_softmax_methods(device, data):
    x = data.draw(S.arrays(S.shapes(min_dims=1)))
    dim = data.draw(st.integers(-x.ndim, x.ndim - 1))
    leaf = S.leaf(x, device)
    e = np.exp(x - x.max(axis=dim, keepdims=True))
    expected = e / e.sum(axis=dim, keepdims=True)
    np.testing.assert_allclose(leaf.softmax(dim).numpy(), expected, rtol=1e-12)
    np.testing.assert_allclose(leaf.log_softmax(dim).numpy(), np.log(expected), rtol=1e-12,
                               atol=1e-14)
    check_derivatives(lambda t: t.softmax(dim) * t, leaf)


@pytest.mark.parametrize("device", S.DEVICES)
@given(data=st.data())
def test_expand_repeat_and_flip(device, data):
    x = data.draw(S.arrays(S.shapes(min_dims=1, max_side=3)))
    leaf = S.leaf(x, device)
    lead = data.draw(st.integers(1, 3))
    sizes = (lead,) + tuple(-1 if n > 1 else data.draw(st.integers(1, 3)) for n in x.shape)
    expanded = leaf.expand(*sizes)
    expected_shape = (lead,) + tuple(n if s == -1 else s for n, s in zip(x.shape, sizes[1:]))
    np.testing.assert_array_equal(expanded.numpy(), np.broadcast_to(x, expected_shape))
    check_derivatives(lambda t: t.expand(*sizes), leaf)
    repeats = data.draw(st.lists(st.integers(1, 3), min_size=x.ndim, max_size=x.ndim + 1))
    np.testing.assert_array_equal(leaf.repeat(*repeats).numpy(), np.tile(x, repeats))
    check_derivatives(lambda t: t.repeat(repeats), leaf)
    dims = tuple(data.draw(st.sets(st.integers(0, x.ndim - 1), min_size=1)))
    np.testing.assert_array_equal(leaf.flip(dims).numpy(), np.flip(x, dims))
    check_derivatives(lambda t: t.flip(dims) * t, leaf)


@pytest.mark.parametrize("device", S.DEVICES)
@given(data=st.data())
def test_split_chunk_and_unbind(device, data):
    x = data.draw(S.arrays(S.shapes(min_dims=1, max_side=4)))
    dim = data.draw(st.integers(-x.ndim, x.ndim - 1))
    size = x.shape[dim]
    leaf = S.leaf(x, device)
    step = data.draw(st.integers(1, size))
    pieces = leaf.split(step, dim)
    assert [p.shape[dim] for p in pieces] == [min(step, size - s) for s in range(0, size, step)]
    np.testing.assert_array_equal(mg.cat(pieces, dim).numpy(), x)
    chunks = data.draw(st.integers(1, size))
    expected = np.array_split(x, range(-(-size // chunks), size, -(-size // chunks)), axis=dim)
    for mine, reference in zip(leaf.chunk(chunks, dim), expected, strict=True):
        np.testing.assert_array_equal(mine.numpy(), reference)
    for mine, reference in zip(leaf.unbind(dim), np.moveaxis(x, dim, 0), strict=True):
        np.testing.assert_array_equal(mine.numpy(), reference)
    check_derivatives(lambda t: mg.stack([p * (i + 1.0) for i, p in enumerate(t.unbind(dim))]),
                      leaf)
    check_derivatives(lambda t: tuple(p * p for p in t.split(step, dim)), leaf)


@pytest.mark.parametrize("device", S.DEVICES)
@given(data=st.data())
def test_gather(device, data):
    x = data.draw(S.arrays(S.shapes(min_dims=1, max_side=3)))
    dim = data.draw(st.integers(0, x.ndim - 1))
    index_shape = tuple(data.draw(st.integers(1, 4)) if a == dim else
                        data.draw(st.integers(1, n)) for a, n in enumerate(x.shape))
    index = data.draw(st.lists(st.integers(0, x.shape[dim] - 1), min_size=int(
        np.prod(index_shape)), max_size=int(np.prod(index_shape))))
    index = np.array(index, dtype=np.int64).reshape(index_shape)
    leaf = S.leaf(x, device)
    cut = x[tuple(slice(None) if a == dim else slice(0, n) for a, n in enumerate(index_shape))]
    index = mg.tensor(index, device=device)
    picked = mg.gather(leaf, dim, index)
    np.testing.assert_array_equal(picked.numpy(), np.take_along_axis(cut, index.numpy(), dim))
    check_derivatives(lambda t, i: t.gather(dim, i) ** 2, leaf, index)


@pytest.mark.parametrize("device", S.DEVICES)
@given(data=st.data())
def test_masked_fill_and_cumsum(device, data):
    x = data.draw(S.arrays(S.shapes(min_dims=1)))
    leaf = S.leaf(x, device)
    mask = mg.tensor(x > 0.5, device=device)
    np.testing.assert_array_equal(leaf.masked_fill(mask, -3.0).numpy(), np.where(x > 0.5, -3.0, x))
    check_derivatives(lambda t: t.masked_fill(mask, 0.25) * t, leaf)
    dim = data.draw(st.integers(-x.ndim, x.ndim - 1))
    np.testing.assert_allclose(leaf.cumsum(dim).numpy(), np.cumsum(x, axis=dim), rtol=1e-12,
                               atol=1e-14)
    check_derivatives(lambda t: mg.cumsum(t * t, dim), leaf)


@pytest.mark.parametrize("call, error, message", [
    (lambda x: x.expand(3), ValueError, r"expand: 1 sizes for a tensor of shape \(2, 3\)"),
    (lambda x: x.expand(-1, 2, 3), ValueError, "expand: -1 is not allowed for a new leading"),
    (lambda x: x.repeat(2), ValueError, r"repeat: 1 repeats for a tensor of shape \(2, 3\)"),
    (lambda x: x.split([1, 1], 1), ValueError, "split: sections .* add up to 2, but dim 1 has "
                                               "size 3"),
    (lambda x: x.flip(2), IndexError, "flip: dim 2 is out of range"),
    (lambda x: x.gather(1, mg.tensor([[0, 3]])), IndexError, "gather: index 3 is out of range"),
    (lambda x: x.gather(1, mg.tensor([0])), ValueError, r"gather: index of shape \(1,\)"),
    (lambda x: x.masked_fill(mg.tensor([1, 0, 1]), 0.0), TypeError, "masked_fill: the mask must "
                                                                    "be a bool tensor"),
    (lambda x: x.topk(4), ValueError, "topk: k=4 is out of range for dim -1 of size 3"),
    (lambda x: mg.mm(x, x[0]), ValueError, r"mm: expects 2-D operands, got a \(2, 3\), b \(3,\)"),
    (lambda x: mg.bmm(x[None], x.reshape(1, 3, 2).expand(2, 3, 2)), ValueError,
     "bmm: batch sizes differ"),
])
def test_errors_name_the_op_and_what_was_expected(call, error, message):
    with pytest.raises(error, match=message):
        call(mg.zeros(2, 3))


@pytest.mark.parametrize("device", S.DEVICES)
@given(data=st.data(), descending=st.booleans())
def test_sort_and_topk(device, data, descending):
    x = data.draw(S.distinct_arrays(S.shapes(min_dims=1, max_side=4)))
    dim = data.draw(st.integers(-x.ndim, x.ndim - 1))
    leaf = S.leaf(x, device)
    values, indices = leaf.sort(dim, descending)
    order = np.argsort(-x if descending else x, axis=dim, stable=True)
    np.testing.assert_array_equal(indices.numpy(), order)
    np.testing.assert_array_equal(values.numpy(), np.take_along_axis(x, order, dim))
    check_derivatives(lambda t: mg.sort(t, dim, descending).values * t, leaf)
    k = data.draw(st.integers(0, x.shape[dim]))
    top = leaf.topk(k, dim, largest=descending)
    np.testing.assert_array_equal(top.indices.numpy(), np.take(order, range(k), axis=dim))
    check_derivatives(lambda t: mg.topk(t, k, dim, descending).values ** 2, leaf)


@pytest.mark.parametrize("device", S.DEVICES)
@given(data=st.data())
def test_mm_bmm_dot_and_outer(device, data):
    n, k, m, b = (data.draw(st.integers(1, 3)) for _ in range(4))
    a2, b2 = data.draw(S.arrays((n, k))), data.draw(S.arrays((k, m)))
    a3, b3 = data.draw(S.arrays((b, n, k))), data.draw(S.arrays((b, k, m)))
    u, v = data.draw(S.arrays((k,))), data.draw(S.arrays((k,)))
    cases = [(mg.mm, np.matmul, a2, b2), (mg.bmm, np.matmul, a3, b3), (mg.dot, np.dot, u, v),
             (mg.outer, np.outer, u, v)]
    for op, reference, left, right in cases:
        leaves = S.leaf(left, device), S.leaf(right, device)
        np.testing.assert_allclose(op(*leaves).numpy(), reference(left, right), rtol=1e-12,
                                   atol=1e-14)
        check_derivatives(op, *leaves)


@pytest.mark.parametrize("device", S.DEVICES)
@given(data=st.data())
def test_boolean_mask_indexing(device, data):
    x = data.draw(S.arrays(S.shapes(min_dims=1, max_side=3)))
    lead = data.draw(st.integers(1, x.ndim))
    mask = data.draw(hnp.arrays(np.bool_, x.shape[:lead]))
    leaf = S.leaf(x, device)
    np.testing.assert_array_equal(leaf[mg.tensor(mask, device=device)].numpy(), x[mask])
    # not compiled: the result's shape depends on the mask, which mg.compile refuses
    assert gradcheck(lambda t: t[mg.tensor(mask, device=device)] ** 2, [leaf], order=2)


def test_item_assignment_writes_in_place_outside_recording():
    x = mg.zeros(2, 3)
    x[0] = 1.0
    x[:, 2] = mg.tensor([5.0, 6.0])
    x[x > 5] = -1.0
    x[mg.tensor([1]), 0] = 9.0
    assert x.tolist() == [[1.0, 1.0, 5.0], [9.0, 0.0, -1.0]] and x.version == 4
    w = mg.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"item assignment .* while recording.*masked_fill"):
        w[0] = 3.0
    with pytest.raises(mg.CompileError, match="item assignment"):
        mg.compile(lambda t: t.__setitem__(0, 1.0))(mg.zeros(2))
    with pytest.raises(mg.CompileError, match=r"x\[mask\]"):
        mg.compile(lambda t: t[t > 0])(mg.zeros(2))
    with pytest.raises(IndexError, match=r"a boolean mask of shape \(3,\) for a tensor of shape "
                                         r"\(2, 3\)"):
        x[mg.tensor([True, False, True])]


@pytest.mark.parametrize("device", S.DEVICES)
@given(data=st.data(), keepdims=st.booleans())
def test_prod_including_zeros(device, data, keepdims):
    x = data.draw(S.arrays(S.shapes(min_dims=1, max_side=5)))
    if data.draw(st.booleans()):
        x.flat[data.draw(st.integers(0, x.size - 1))] = 0.0  # exact derivatives at a zero too
    dim = data.draw(st.one_of(st.none(), st.integers(-x.ndim, x.ndim - 1)))
    leaf = S.leaf(x, device)
    np.testing.assert_allclose(mg.prod(leaf, dim, keepdims).numpy(),
                               np.prod(x, axis=dim, keepdims=keepdims), rtol=1e-12, atol=1e-14)
    check_derivatives(lambda t: t.prod(dim, keepdims), leaf)


@pytest.mark.parametrize("device", S.DEVICES)
@given(data=st.data())
def test_several_adjacent_integer_arrays(device, data):
    x = data.draw(S.arrays(S.shapes(min_dims=2, max_side=3)))
    first = data.draw(st.integers(0, x.ndim - 2))
    count = data.draw(st.integers(2, x.ndim - first))
    index_shape = data.draw(S.shapes(min_dims=1, max_dims=2, max_side=3))
    indices = [data.draw(hnp.arrays(np.int64, index_shape, elements=st.integers(-n, n - 1)))
               for n in x.shape[first:first + count]]
    key = (slice(None),) * first + tuple(indices)
    leaf = S.leaf(x, device)
    np.testing.assert_array_equal(leaf[key].numpy(), x[key])
    tensors = [mg.tensor(i, device=device) for i in indices]
    check_derivatives(lambda t, *ix: t[(slice(None),) * first + ix] ** 2, leaf, *tensors)
    with pytest.raises(IndexError, match="several integer arrays must be adjacent"):
        leaf[(indices[0], slice(0, 1)) + tuple(indices[1:])]
