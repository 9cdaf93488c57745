"""Properties of the reverse sweep: VJPs are linear in the cotangent, gradients of sums are sums
of gradients, broadcasting is undone, .grad accumulates, detach / no_grad / create_graph do what
they say, and deep graphs need no recursion."""

import sys

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad as mg
import strategies as S

PAIRS = S.broadcastable_pair(max_dims=3, max_side=3)


def f(x, y):
    return mg.tanh(x * y) + mg.exp(x) / (1.0 + y * y)


def g(x, y):
    return mg.sigmoid(x - y) * x


@pytest.mark.parametrize("device", S.DEVICES)
@given(shapes=PAIRS, data=st.data(), a=st.floats(-2, 2), b=st.floats(-2, 2))
def test_vjp_is_linear_in_the_cotangent(device, shapes, data, a, b):
    x, y = (S.leaf(data.draw(S.arrays(s)), device) for s in shapes)
    out = f(x, y)
    u, v = (data.draw(S.arrays(out.shape)) for _ in range(2))
    combined = mg.grad(f(x, y), [x, y], mg.tensor(a * u + b * v, device=device))
    from_u = mg.grad(f(x, y), [x, y], mg.tensor(u, device=device))
    from_v = mg.grad(f(x, y), [x, y], mg.tensor(v, device=device))
    for total, gu, gv in zip(combined, from_u, from_v):
        np.testing.assert_allclose(total.numpy(), a * gu.numpy() + b * gv.numpy(),
                                   rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("device", S.DEVICES)
@given(shapes=PAIRS, data=st.data())
def test_grad_of_a_sum_is_the_sum_of_grads(device, shapes, data):
    x, y = (S.leaf(data.draw(S.arrays(s)), device) for s in shapes)
    both = mg.grad((f(x, y) + g(x, y)).sum(), [x, y])
    first, second = mg.grad(f(x, y).sum(), [x, y]), mg.grad(g(x, y).sum(), [x, y])
    for total, gf, gg in zip(both, first, second):
        np.testing.assert_allclose(total.numpy(), gf.numpy() + gg.numpy(), rtol=1e-10,
                                   atol=1e-12)


@pytest.mark.parametrize("device", S.DEVICES)
@given(shapes=PAIRS, data=st.data())
def test_broadcast_gradients_are_summed_back_to_each_input(device, shapes, data):
    x_np, y_np = (data.draw(S.arrays(s)) for s in shapes)
    x, y = S.leaf(x_np, device), S.leaf(y_np, device)
    gx, gy = mg.grad((x * y).sum(), [x, y])
    out = np.broadcast_shapes(x_np.shape, y_np.shape)
    assert (gx.shape, gy.shape) == (x_np.shape, y_np.shape)
    assert gx.device == gy.device == device
    for grad, own, other in ((gx, x_np, y_np), (gy, y_np, x_np)):
        expected = np.broadcast_to(other, out).copy()
        expected = expected.sum(axis=tuple(range(len(out) - own.ndim)))
        expected = expected.sum(axis=tuple(i for i, n in enumerate(own.shape) if n == 1),
                                keepdims=True).reshape(own.shape)
        np.testing.assert_allclose(grad.numpy(), expected, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("device", S.DEVICES)
def test_grad_accumulates_over_backward_calls(device):
    x_np = np.array([0.5, -1.0, 2.0])
    x = S.leaf(x_np, device)
    (x * x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * x_np)
    (x * x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 4 * x_np)
    x.exp().sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 4 * x_np + np.exp(x_np))
    assert x.grad.device == device and not x.grad.requires_grad
    x.grad = None
    (3.0 * x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [3.0] * 3)


def test_grads_do_not_share_memory():
    """zero_() on one leaf's .grad leaves the other leaves' grads and the seed alone."""
    a, b = S.leaf(np.ones(3), "cpu"), S.leaf(np.ones(3), "cpu")
    seed = mg.tensor(np.array([1.0, 2.0, 3.0]))
    (a + b.reshape(3, 1).reshape(3)).backward(seed)
    a.grad.zero_()
    np.testing.assert_array_equal(b.grad.numpy(), [1.0, 2.0, 3.0])
    np.testing.assert_array_equal(seed.numpy(), [1.0, 2.0, 3.0])


@pytest.mark.parametrize("device", S.DEVICES)
def test_detach_cuts_the_graph(device):
    x_np = np.array([0.5, -1.0, 2.0])
    x = S.leaf(x_np, device)
    d = x.detach()
    assert not d.requires_grad and d.is_leaf and d.device == device
    np.testing.assert_array_equal(d.numpy(), x_np)
    (gx,) = mg.grad((x.detach() * x).sum(), x)  # d/dx of c * x with c = x held constant
    np.testing.assert_allclose(gx.numpy(), x_np)
    assert not (x.exp().detach() * 2.0).requires_grad


@pytest.mark.parametrize("device", S.DEVICES)
def test_no_grad_records_nothing(device):
    x = S.leaf(np.array([0.5, -1.0]), device)
    with mg.no_grad():
        assert not mg.is_grad_enabled()
        y = (x * x).exp().sum()
        with mg.enable_grad():
            z = x * 2.0
    assert mg.is_grad_enabled()
    assert not y.requires_grad and y.is_leaf
    assert z.requires_grad and not z.is_leaf

    @mg.no_grad()
    def double(t):
        return t * 2.0

    assert not double(x).requires_grad and mg.is_grad_enabled()


@pytest.mark.parametrize("device", S.DEVICES)
def test_create_graph_decides_whether_gradients_require_grad(device):
    x = S.leaf(np.array([0.5, -1.0]), device)
    (plain,) = mg.grad((x ** 3).sum(), x)
    assert not plain.requires_grad and plain.is_leaf
    (recorded,) = mg.grad((x ** 3).sum(), x, create_graph=True)
    assert recorded.requires_grad and not recorded.is_leaf
    (x ** 3).sum().backward()
    assert not x.grad.requires_grad
    x.grad = None
    (x ** 3).sum().backward(create_graph=True)
    assert x.grad.requires_grad
    (second,) = mg.grad(x.grad.sum(), x)
    np.testing.assert_allclose(second.numpy(), 6 * np.array([0.5, -1.0]))


@pytest.mark.parametrize("device", S.DEVICES)
def test_grad_with_respect_to_an_intermediate_and_several_outputs(device):
    x = S.leaf(np.array([1.0, 2.0]), device)
    h = x * x
    y1, y2 = h.sum(), (h * 3.0).sum()
    gh, gx = mg.grad([y1, y2], [h, x])
    np.testing.assert_allclose(gh.numpy(), [4.0, 4.0])
    np.testing.assert_allclose(gx.numpy(), 8 * np.array([1.0, 2.0]))


def test_a_deep_chain_needs_no_recursion():
    depth = 5000
    assert depth > sys.getrecursionlimit()
    x = S.leaf(np.array([0.3, -0.2]), "cpu")
    y = x
    for _ in range(depth):
        y = y * 1.0001
    (gx,) = mg.grad(y.sum(), x)
    np.testing.assert_allclose(gx.numpy(), [1.0001 ** depth] * 2, rtol=1e-9)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), gx.numpy())
    del y  # freeing the 5,000-op graph must not recurse either
