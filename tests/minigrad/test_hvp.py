"""A Hessian-vector product by double backward, H v = d/dθ <dL/dθ, v>, for a small MLP's
loss, against central finite differences of the gradient along v: (∇L(θ + h v) - ∇L(θ - h v)) / 2h."""

import numpy as np
import pytest

import minigrad as mg
import strategies as S

SHAPES = {"w1": (5, 3), "b1": (5,), "w2": (2, 5), "b2": (2,)}


def mlp_loss(params, x, y):
    """Two layers with tanh, squared error, float64."""
    hidden = mg.tanh(x @ params["w1"].T + params["b1"])
    out = hidden @ params["w2"].T + params["b2"]
    return ((out - y) ** 2).mean()


def gradient(values, x, y, device, create_graph=False):
    params = {name: S.leaf(value, device) for name, value in values.items()}
    grads = mg.grad(mlp_loss(params, x, y), list(params.values()), create_graph=create_graph)
    return params, dict(zip(params, grads))


@pytest.mark.parametrize("device", S.DEVICES)
def test_hessian_vector_product_of_an_mlp_loss(device):
    rng = np.random.default_rng(7)
    theta = {name: rng.standard_normal(shape) * 0.7 for name, shape in SHAPES.items()}
    direction = {name: rng.standard_normal(shape) for name, shape in SHAPES.items()}
    x = mg.tensor(rng.standard_normal((4, 3)), device=device)
    y = mg.tensor(rng.standard_normal((4, 2)), device=device)

    params, grads = gradient(theta, x, y, device, create_graph=True)
    along_v = sum((grads[name] * mg.tensor(direction[name], device=device)).sum()
                  for name in params)
    hvp = dict(zip(params, mg.grad(along_v, list(params.values()))))

    h = 1e-6
    _, plus = gradient({n: theta[n] + h * direction[n] for n in theta}, x, y, device)
    _, minus = gradient({n: theta[n] - h * direction[n] for n in theta}, x, y, device)
    for name in SHAPES:
        assert hvp[name].shape == SHAPES[name] and hvp[name].device == device
        numerical = (plus[name].numpy() - minus[name].numpy()) / (2 * h)
        np.testing.assert_allclose(hvp[name].numpy(), numerical, rtol=1e-5, atol=1e-7,
                                   err_msg=f"H v for {name}")


def test_hessian_vector_product_is_symmetric():
    """<u, H v> = <v, H u>: the Hessian of a smooth loss is symmetric."""
    rng = np.random.default_rng(8)
    theta = {name: rng.standard_normal(shape) for name, shape in SHAPES.items()}
    x, y = mg.tensor(rng.standard_normal((4, 3))), mg.tensor(rng.standard_normal((4, 2)))
    u, v = ({n: rng.standard_normal(s) for n, s in SHAPES.items()} for _ in range(2))
    params, grads = gradient(theta, x, y, "cpu", create_graph=True)

    def hessian_times(w):
        along = sum((grads[n] * mg.tensor(w[n])).sum() for n in params)
        return dict(zip(params, mg.grad(along, list(params.values()), create_graph=True)))

    hu, hv = hessian_times(u), hessian_times(v)
    v_hu = sum(np.sum(v[n] * hu[n].numpy()) for n in params)
    u_hv = sum(np.sum(u[n] * hv[n].numpy()) for n in params)
    np.testing.assert_allclose(v_hu, u_hv, rtol=1e-12)
