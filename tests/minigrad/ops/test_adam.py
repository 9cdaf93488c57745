"""The three primitives of one Adam step (minigrad/ops/adam.py), through adam_update, the
differentiable Adam step that chains them: its value, its first and second derivatives w.r.t.
every input, gradients through ten chained updates of a small network against finite differences
of the whole ten-step function, finite second derivatives where a gradient is exactly zero, and
PyTorch's rule for tiny gradients, in adam_update and in the Adam optimizer built on it."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad as mg
from minigrad.ops.adam import AdamStep
from minigrad.optim import adam_update
from minigrad.optim.adam import EPS_ROOT
from minigrad.testing import gradcheck
from strategies import DEVICES, arrays, check_derivatives, leaf, positive_arrays

try:
    import torch
except ImportError:
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="PyTorch is not installed")

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
def test_adam_update_derivatives(device, data):
    inputs, step, hyper = data.draw(adam_inputs(device))
    check_derivatives(lambda p, g, m, v: adam_update(p, g, m, v, step, **hyper), *inputs)


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


# -- tiny gradients: PyTorch's rule, and a guard that changes no float32 step ----------------------

def _pytorch_rule(param, grads, lr, betas, eps):
    """PyTorch's Adam, as torch.optim.Adam writes it, in float64: the parameters after each
    gradient in ``grads``."""
    b1, b2 = betas
    m = v = np.zeros_like(param)
    trajectory = []
    for step, g in enumerate(grads, start=1):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        denom = np.sqrt(v) / np.sqrt(1 - b2 ** step) + eps
        param = param - lr / (1 - b1 ** step) * m / denom
        trajectory.append(param)
    return trajectory


# gradients of every magnitude down to 1e-10, of both signs, changing from step to step
_TINY = np.array([1e-10, -3e-10, 1e-9, 2e-8, -1e-8, 5e-8, 1e-6, -1e-4, 0.3])


# parameters of about 1 (exact in float32), and a tolerance of a few units in their last place:
# each step moves them by about lr = 1e-3, and eps_root = 1e-16 would move the step of the
# parameters with gradients of 1e-10 to 1e-8 by 5e-4 or more
_INITIAL = 1.0 + np.arange(_TINY.size) / 16.0
_ATOL = {"float32": 1e-6, "float64": 1e-14}


def _tiny_gradients(steps=4):
    return [_TINY * (1.0 + 0.25 * k) * (-1) ** k for k in range(steps)]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_adam_optimizer_is_pytorchs_rule_for_tiny_gradients(dtype):
    hyper = dict(lr=1e-3, betas=(0.5, 0.999), eps=1e-8)
    param = mg.tensor(_INITIAL, dtype=dtype, requires_grad=True)
    optimizer = mg.optim.Adam([param], **hyper)
    for g, reference in zip(_tiny_gradients(), _pytorch_rule(_INITIAL, _tiny_gradients(), **hyper)):
        param.grad = mg.tensor(g, dtype=dtype)
        optimizer.step()
        np.testing.assert_allclose(param.numpy(), reference, rtol=0, atol=_ATOL[dtype])


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_adam_update_is_pytorchs_rule_for_tiny_gradients(dtype):
    hyper = dict(lr=1e-3, betas=(0.5, 0.999), eps=1e-8)
    param = mg.tensor(_INITIAL, dtype=dtype)
    m, v = mg.zeros_like(param), mg.zeros_like(param)
    expected = _pytorch_rule(_INITIAL, _tiny_gradients(), **hyper)
    for step, (g, reference) in enumerate(zip(_tiny_gradients(), expected), start=1):
        param, m, v = adam_update(param, mg.tensor(g, dtype=dtype), m, v, step, **hyper)
        np.testing.assert_allclose(param.numpy(), reference, rtol=0, atol=_ATOL[dtype])


@needs_torch
def test_adam_optimizer_matches_torch_for_tiny_gradients():
    ours = mg.tensor(_INITIAL, dtype="float32", requires_grad=True)
    theirs = torch.tensor(_INITIAL, dtype=torch.float32, requires_grad=True)
    optimizer = mg.optim.Adam([ours], lr=1e-3, betas=(0.5, 0.999))
    reference = torch.optim.Adam([theirs], lr=1e-3, betas=(0.5, 0.999))
    for g in _tiny_gradients(6):
        ours.grad = mg.tensor(g.astype(np.float32))
        theirs.grad = torch.tensor(g.astype(np.float32))
        optimizer.step()
        reference.step()
    np.testing.assert_allclose(ours.numpy(), theirs.detach().numpy(), rtol=0,
                               atol=_ATOL["float32"])


def test_adam_update_guard_changes_no_float32_step():
    """Every float32 v' in [2^-110, 2^-100) (where sqrt(v') + eps crosses half a unit of eps, and
    where eps_root stops being lost in v' + eps_root), and a sweep of every binade: the step with
    the default eps_root equals the step without, bit for bit."""
    lo, hi = (np.array(2.0 ** e, np.float32).view(np.uint32) for e in (-110, -100))
    window = np.arange(lo, hi, 97, dtype=np.uint32).view(np.float32)  # every 97th value
    sweep = np.float32(2.0) ** np.arange(-149, 0, 0.37).astype(np.float32)
    for v in (window, sweep, np.zeros(1, np.float32)):
        p, m = np.zeros_like(v), np.ones_like(v)
        t = mg.tensor(1e6, dtype="float64")  # beta2^t = 0: v' itself is under the root
        steps = [AdamStep.apply(*(mg.as_tensor(a) for a in (p, m, v)), t, lr=1.0, beta1=0.9,
                                beta2=0.999, eps=1e-8, eps_root=eps_root).numpy()
                 for eps_root in (EPS_ROOT, 0.0)]
        assert steps[0].tobytes() == steps[1].tobytes()
