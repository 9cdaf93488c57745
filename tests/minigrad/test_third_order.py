"""Third derivatives from three nested ``mg.grad(..., create_graph=True)`` calls, compared with
closed forms, on every device (the unrolled GAN differentiates through gradients of gradients)."""

import numpy as np
import pytest

import minigrad as mg
import strategies as S

X = np.array([-1.7, -0.4, 0.0, 0.3, 1.2, 2.0])


def nested_grads(f, x, order=3):
    """[f', f'', f''', ...] of an elementwise f, each as an array, by nested grad calls."""
    results, y = [], f(x)
    for _ in range(order):
        (y,) = mg.grad(y.sum(), x, create_graph=True)
        results.append(y)
    return [r.numpy() for r in results]


@pytest.mark.parametrize("device", S.DEVICES)
def test_tanh_third_derivative(device):
    x = S.leaf(X, device)
    d1, d2, d3 = nested_grads(mg.tanh, x)
    t = np.tanh(X)
    np.testing.assert_allclose(d1, 1 - t ** 2, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(d2, -2 * t * (1 - t ** 2), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(d3, -2 * (1 - t ** 2) * (1 - 3 * t ** 2), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("device", S.DEVICES)
def test_exp_derivatives_of_every_order(device):
    x = S.leaf(X, device)
    for derivative in nested_grads(mg.exp, x, order=4):
        np.testing.assert_allclose(derivative, np.exp(X), rtol=1e-12)


@pytest.mark.parametrize("device", S.DEVICES)
def test_mul_third_derivatives(device):
    a_np, b_np, c_np = X, X[::-1] + 0.5, np.cos(X)
    a, b, c = (S.leaf(v, device) for v in (a_np, b_np, c_np))
    # d^3/da^3 of a*a*a is 6
    np.testing.assert_allclose(nested_grads(lambda t: t * t * t, a)[2], 6.0 * np.ones(6))
    # d/dc d/db d/da of sum(a * b * c) is 1, of sum(a * a * b * c) is 2a
    for f, expected in ((lambda: a * b * c, np.ones(6)), (lambda: a * a * b * c, 2 * a_np)):
        (ga,) = mg.grad(f().sum(), a, create_graph=True)
        (gab,) = mg.grad(ga.sum(), b, create_graph=True)
        (gabc,) = mg.grad(gab.sum(), c)
        assert gabc.device == device
        np.testing.assert_allclose(gabc.numpy(), expected, rtol=1e-12)
    # d^3/da^2 db of sum(a^2 b) is 2, and its d/da again is 0: a is no longer in the graph
    (ga,) = mg.grad((a * a * b).sum(), a, create_graph=True)
    (gaa,) = mg.grad(ga.sum(), a, create_graph=True)
    gaab, gaaa = mg.grad(gaa.sum(), [b, a], allow_unused=True)
    np.testing.assert_allclose(gaab.numpy(), 2.0 * np.ones(6))
    assert gaaa is None or np.all(gaaa.numpy() == 0)


@pytest.mark.parametrize("device", S.DEVICES)
def test_matmul_third_derivative(device):
    """f(A) = trace(A A A): along a direction U, d^3/dt^3 f(A + tU) = 6 trace(U^3), and its
    gradient in A after two directional derivatives is 6 (U U)^T (the third derivative)."""
    rng = np.random.default_rng(3)
    a_np, u_np = rng.standard_normal((3, 3)), rng.standard_normal((3, 3))
    a, u = S.leaf(a_np, device), S.leaf(u_np, device, requires_grad=False)
    eye = mg.tensor(np.eye(3), device=device)
    f = ((a @ a @ a) * eye).sum()
    (g1,) = mg.grad(f, a, create_graph=True)
    np.testing.assert_allclose(g1.numpy(), 3 * (a_np @ a_np).T, rtol=1e-12)
    (g2,) = mg.grad((g1 * u).sum(), a, create_graph=True)
    (g3,) = mg.grad((g2 * u).sum(), a)
    assert g3.device == device
    np.testing.assert_allclose(g3.numpy(), 6 * (u_np @ u_np).T, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose((g3.numpy() * u_np).sum(), 6 * np.trace(u_np @ u_np @ u_np),
                               rtol=1e-12)


@pytest.mark.parametrize("device", S.DEVICES)
def test_trilinear_matmul_mixed_third_derivative(device):
    """f = 1^T A B C 1: with g1 = df/dA, g2 = d<g1, U>/dB, g3 = d<g2, V>/dC,
    g3 = (V^T u) 1^T where u = U^T 1."""
    rng = np.random.default_rng(4)
    a_np, b_np, c_np = (rng.standard_normal(s) for s in ((2, 3), (3, 4), (4, 2)))
    u_np, v_np = rng.standard_normal((2, 3)), rng.standard_normal((3, 4))
    a, b, c = (S.leaf(m, device) for m in (a_np, b_np, c_np))
    u, v = (mg.tensor(m, device=device) for m in (u_np, v_np))
    (g1,) = mg.grad((a @ b @ c).sum(), a, create_graph=True)
    (g2,) = mg.grad((g1 * u).sum(), b, create_graph=True)
    (g3,) = mg.grad((g2 * v).sum(), c)
    expected = np.outer(v_np.T @ u_np.sum(axis=0), np.ones(2))
    np.testing.assert_allclose(g3.numpy(), expected, rtol=1e-12, atol=1e-14)
