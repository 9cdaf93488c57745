"""mg.jvp, forward mode as the VJP of a VJP: against central differences (float64,
(f(x + h v) - f(x - h v)) / 2h), against the full Jacobian built row by row in reverse mode, and
through an unrolled inner loop whose steps are themselves gradients."""

import numpy as np
import pytest

import minigrad as mg
import strategies as S


def two_outputs(a, W):
    return (W @ a).tanh() * a[:2], (a * a).exp().sum() + a.sigmoid().log().sum()


def central_difference(f, values, tangents, device, h=1e-6):
    def at(sign):
        shifted = [S.leaf(x + sign * h * v, device, requires_grad=False)
                   for x, v in zip(values, tangents)]
        result = f(*shifted)
        return [y.numpy() for y in ((result,) if isinstance(result, mg.Tensor) else result)]
    return [(up - down) / (2 * h) for up, down in zip(at(1), at(-1))]


@pytest.mark.parametrize("device", S.DEVICES)
def test_jvp_matches_central_differences(device):
    rng = np.random.default_rng(0)
    values = [rng.normal(size=3), rng.normal(size=(2, 3))]
    tangents = [rng.normal(size=3), rng.normal(size=(2, 3))]
    inputs = tuple(S.leaf(x, device, requires_grad=False) for x in values)
    outputs, jvps = mg.jvp(two_outputs, inputs,
                           tuple(mg.tensor(v, device=device) for v in tangents))
    numeric = central_difference(two_outputs, values, tangents, device)
    for y, jv, expected, direct in zip(outputs, jvps, numeric, two_outputs(*inputs)):
        assert jv.shape == y.shape and jv.device == device and not jv.requires_grad
        np.testing.assert_allclose(y.numpy(), direct.numpy(), rtol=0, atol=0)
        np.testing.assert_allclose(jv.numpy(), expected, rtol=1e-6, atol=1e-9)


def test_jvp_is_the_full_jacobian_times_the_tangent():
    """J is built one row per reverse sweep; each basis tangent e_i must give column i."""
    rng = np.random.default_rng(1)
    A = mg.tensor(rng.normal(size=(4, 3)))

    def f(x):
        return (A @ x).tanh() * x.sum() + x[1] * x[2]

    x = S.leaf(rng.normal(size=3), "cpu")
    y = f(x)
    rows = [mg.grad(y[i], x)[0].numpy() for i in range(4)]
    jacobian = np.stack(rows)
    for i, tangent in enumerate(np.eye(3)):
        _, column = mg.jvp(f, x, tangent)
        np.testing.assert_allclose(column.numpy(), jacobian[:, i], rtol=1e-12, atol=1e-15)
    v = rng.normal(size=3)
    _, pushed = mg.jvp(f, x, v)
    np.testing.assert_allclose(pushed.numpy(), jacobian @ v, rtol=1e-12, atol=1e-15)


def test_jvp_through_an_unrolled_inner_loop():
    """d theta_K / d mu for K gradient-ascent steps whose gradients are recorded: the use of
    tutorial 04 (a column of d theta_K / d mu in one pass)."""
    rng = np.random.default_rng(2)
    data = mg.tensor(rng.normal(size=(20, 3)))

    def inner(mu, theta):
        return -((theta - data * mu) ** 2).mean() - 0.1 * (theta * theta * mu).sum()

    def theta_K(mu, K=6, step=0.3):
        theta = mg.zeros(3, dtype=mg.float64, requires_grad=True)
        path = []
        for _ in range(K):
            (g,) = mg.grad(inner(mu, theta), theta, create_graph=True)
            theta = theta + step * g
            path.append(theta)
        return mg.stack(path)

    mu = 0.7
    _, column = mg.jvp(theta_K, mg.tensor(mu, dtype=mg.float64), 1.0)
    (expected,) = central_difference(theta_K, [np.float64(mu)], [np.float64(1.0)], "cpu")
    assert column.shape == (6, 3)
    np.testing.assert_allclose(column.numpy(), expected, rtol=1e-6, atol=1e-9)


def test_jvp_of_an_output_that_ignores_the_inputs_is_zero_and_the_graph_is_cut():
    x = mg.tensor(np.array([1.0, 2.0]), requires_grad=True)
    upstream = x * 3.0  # not a leaf: jvp differentiates from its value, not from x
    constant = mg.tensor(np.array([5.0, 6.0, 7.0]))
    (same, kept), (zero, pushed) = mg.jvp(lambda u: (constant * 1.0, u * u), upstream,
                                          np.array([1.0, 0.0]))
    np.testing.assert_array_equal(zero.numpy(), np.zeros(3))
    np.testing.assert_array_equal(pushed.numpy(), [6.0, 0.0])  # 2 u v with u = (3, 6)
    assert not kept.requires_grad and x.grad is None


def test_jvp_refuses_tangents_that_do_not_match_the_inputs():
    x = mg.tensor(np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"jvp: tangent 0 has shape \(3,\).*\(2, 3\)"):
        mg.jvp(lambda u: u.sum(), x, np.ones(3))
    with pytest.raises(ValueError, match="jvp: 2 inputs but 1 tangents"):
        mg.jvp(lambda u, w: u.sum() + w.sum(), (x, x), (np.ones((2, 3)),))
