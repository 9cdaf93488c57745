"""adam_update, the differentiable Adam step: its value, its first and second derivatives w.r.t.
every input, gradients through ten chained updates of a small network against finite differences
of the whole ten-step function, and finite second derivatives where a gradient is exactly zero."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad as mg
from minigrad.optim import adam_update
from minigrad.testing import gradcheck, gradgradcheck
from strategies import DEVICES, arrays, leaf, positive_arrays

betas_ = st.tuples(st.sampled_from([0.0, 0.5, 0.9]), st.sampled_from([0.5, 0.9, 0.999]))


@st.composite
def adam_inputs(draw, device):
    """param, grad, m and v > 0 (away from the root's kink, see the zero-gradient tests),
    a step count and hyperparameters."""
    shape = draw(st.lists(st.integers(1, 3), max_size=2).map(tuple))
    tensors = [draw(arrays(shape)), draw(arrays(shape)), draw(arrays(shape)),
               draw(positive_arrays(shape))]
    hyper = dict(lr=draw(st.sampled_from([1e-3, 0.1, 1.0])), betas=draw(betas_),
                 eps=draw(st.sampled_from([1e-8, 1e-3])))
    return [leaf(t, device) for t in tensors], draw(st.integers(1, 5)), hyper


def _by_hand(param, grad, m, v, step, lr, betas, eps):
    b1, b2 = betas
    m = b1 * m + (1 - b1) * grad
    v = b2 * v + (1 - b2) * grad * grad
    return param - lr * (m / (1 - b1 ** step)) / (np.sqrt(v / (1 - b2 ** step)) + eps), m, v


@pytest.mark.parametrize("device", DEVICES)
@given(data=st.data())
def test_adam_update_values(device, data):
    inputs, step, hyper = data.draw(adam_inputs(device))
    outputs = adam_update(*inputs, step, **hyper)
    for ours, expected in zip(outputs, _by_hand(*(t.numpy() for t in inputs), step, **hyper)):
        np.testing.assert_allclose(ours.numpy(), expected, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("device", DEVICES)
@settings(max_examples=10)
@given(data=st.data())
def test_adam_update_gradcheck(device, data):
    inputs, step, hyper = data.draw(adam_inputs(device))
    assert gradcheck(lambda p, g, m, v: adam_update(p, g, m, v, step, **hyper), inputs)


@pytest.mark.parametrize("device", DEVICES)
@settings(max_examples=5)
@given(data=st.data())
def test_adam_update_gradgradcheck(device, data):
    inputs, step, hyper = data.draw(adam_inputs(device))
    assert gradgradcheck(lambda p, g, m, v: adam_update(p, g, m, v, step, **hyper), inputs)


# -- ten chained updates of a small network -------------------------------------------------------

def _mlp_loss(params, x, y):
    w1, b1, w2, b2 = params
    prediction = mg.nn.functional.linear(mg.nn.functional.linear(x, w1, b1).tanh(), w2, b2)
    return mg.nn.functional.mse_loss(prediction, y)


def _unrolled_loss(x, y, steps, lr, loss=_mlp_loss):
    """Initial parameters -> the loss after ``steps`` Adam updates, each differentiable."""
    def final_loss(*params):
        params = list(params)
        ms = [mg.zeros_like(p) for p in params]
        vs = [mg.zeros_like(p) for p in params]
        for step in range(1, steps + 1):
            grads = mg.grad(loss(params, x, y), params, create_graph=True)
            for k, g in enumerate(grads):
                params[k], ms[k], vs[k] = adam_update(params[k], g, ms[k], vs[k], step, lr=lr)
        return loss(params, x, y)

    return final_loss


def _mlp_problem(device, seed=0, n_in=3, hidden=4, n_out=2, batch=8):
    rng = np.random.default_rng(seed)
    x = mg.tensor(rng.standard_normal((batch, n_in)), device=device)
    y = mg.tensor(rng.standard_normal((batch, n_out)), device=device)
    shapes = [(hidden, n_in), (hidden,), (n_out, hidden), (n_out,)]
    params = [leaf(rng.standard_normal(s) / np.sqrt(s[-1]), device) for s in shapes]
    return x, y, params


# the strict device is about ten times slower than numpy: it gets a narrower network
@pytest.mark.parametrize(("device", "sizes"), [("cpu", dict(n_in=3, hidden=4, n_out=2)),
                                               ("strict:device1", dict(n_in=2, hidden=2, n_out=1))],
                         ids=["cpu", "strict:device1"])
def test_gradient_through_ten_adam_updates_matches_finite_differences(device, sizes):
    x, y, params = _mlp_problem(device, **sizes)
    final_loss = _unrolled_loss(x, y, steps=10, lr=0.05)
    initial = _mlp_loss(params, x, y).item()
    assert final_loss(*params).item() < 0.9 * initial  # the ten updates do learn something
    assert gradcheck(final_loss, params)


def test_ten_adam_updates_equal_the_adam_optimizer():
    x, y, params = _mlp_problem("cpu")
    unrolled = _unrolled_loss(x, y, steps=10, lr=0.05)(*params).item()
    trained = [mg.tensor(p.numpy(), requires_grad=True) for p in params]
    optimizer = mg.optim.Adam(trained, lr=0.05)
    for _ in range(10):
        optimizer.zero_grad()
        _mlp_loss(trained, x, y).backward()
        optimizer.step()
    assert _mlp_loss(trained, x, y).item() == pytest.approx(unrolled, rel=1e-12)


# -- exactly zero gradients -----------------------------------------------------------------------

def _loss_with_an_ignored_parameter(params, x, y):
    """The last parameter is multiplied by 0: its gradient is exactly 0 at every step."""
    w, ignored = params
    return ((x @ w - y) ** 2).mean() + (ignored * 0.0).sum()


def _loss_with_a_dead_relu_unit(params, x, y):
    """Hidden unit 0 has a bias of -100: its ReLU is dead for every input, so its incoming
    weights and bias get gradients that are exactly 0 (and stay 0)."""
    w1, b1, w2 = params
    return ((mg.relu(mg.nn.functional.linear(x, w1, b1)) @ w2 - y) ** 2).mean()


def _zero_gradient_problem(kind, device):
    rng = np.random.default_rng(3)
    x = mg.tensor(rng.standard_normal((6, 2)), device=device)
    y = mg.tensor(rng.standard_normal((6, 1)), device=device)
    if kind == "ignored":
        arrays_ = [rng.standard_normal((2, 1)), rng.standard_normal((3,))]
        return _loss_with_an_ignored_parameter, x, y, [leaf(a, device) for a in arrays_]
    b1 = rng.uniform(0.5, 1.0, 3)
    b1[0] = -100.0
    arrays_ = [rng.standard_normal((3, 2)) * 0.3, b1, rng.standard_normal((3, 1))]
    return _loss_with_a_dead_relu_unit, x, y, [leaf(a, device) for a in arrays_]


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("kind", ["ignored", "dead-relu"])
def test_second_derivatives_are_finite_where_a_gradient_is_exactly_zero(device, kind):
    loss, x, y, params = _zero_gradient_problem(kind, device)
    grads = mg.grad(loss(params, x, y), params)
    assert any(np.any(g.numpy() == 0.0) for g in grads)  # the premise of the test

    final_loss = _unrolled_loss(x, y, steps=3, lr=0.1, loss=loss)
    first = mg.grad(final_loss(*params), params, create_graph=True)
    direction = [mg.tensor(np.ones(p.shape), device=device) for p in params]
    hessian_vector = mg.grad(sum((g * d).sum() for g, d in zip(first, direction)), params,
                             allow_unused=True)
    for p, h in zip(params, hessian_vector):
        if h is not None:
            assert np.all(np.isfinite(h.numpy())), f"non-finite second derivative for {p.shape}"


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("kind", ["ignored", "dead-relu"])
def test_gradient_map_through_adam_with_zero_gradients_matches_finite_differences(device, kind):
    """Second derivatives of the 3-step unrolled loss, checked as the derivative of its gradient
    map: where a gradient is exactly 0 they must be exactly what finite differences see (0 for
    the parameters that never receive a gradient), not nan."""
    loss, x, y, params = _zero_gradient_problem(kind, device)
    final_loss = _unrolled_loss(x, y, steps=3, lr=0.1, loss=loss)

    def gradient_map(*params):
        return mg.grad(final_loss(*params), list(params), create_graph=True, allow_unused=True)

    assert gradcheck(gradient_map, params)


@pytest.mark.parametrize("device", DEVICES)
def test_adam_update_second_derivatives_at_a_zero_gradient_from_zero_state(device):
    """One update from m = v = 0 with g = 0, as on the first step of a dead unit: the step is 0
    and every first and second derivative w.r.t. (p, g, m, v) is finite."""
    p, g, m, v = (mg.tensor(np.zeros(3), requires_grad=True, device=device) for _ in range(4))
    new_p, new_m, new_v = adam_update(p, g, m, v, 1, lr=0.1)
    np.testing.assert_array_equal(new_p.numpy(), np.zeros(3))
    inputs = [p, g, m, v]
    first = mg.grad((new_p * new_p).sum() + new_p.sum() + new_m.sum() + new_v.sum(), inputs,
                    create_graph=True, allow_unused=True)
    for position, d in enumerate(first):
        if d is None:
            continue
        assert np.all(np.isfinite(d.numpy())), f"first derivative w.r.t. input {position}"
        second = mg.grad(d.sum(), inputs, allow_unused=True)
        for other, dd in enumerate(second):
            if dd is not None:
                assert np.all(np.isfinite(dd.numpy())), f"d2 / d{position} d{other}"
