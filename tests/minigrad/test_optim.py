"""Adam and SGD: trajectories on a quadratic problem against the published update rules computed
independently with numpy (and against torch.optim when it is importable), and state_dict round
trips that continue exactly where they left off."""

import copy

import numpy as np
import pytest

import minigrad as mg
from strategies import DEVICES

try:
    import torch
except ImportError:
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="PyTorch is not installed")

STEPS = 20


class Quadratic:
    """f(P, q) = 1/2 <P, A P B> + 1/2 q^T C q - <D, P> - e^T q with A, B, C symmetric positive
    definite: two parameters (a matrix and a vector), gradients A P B - D and C q - e."""

    def __init__(self, seed=0):
        rng = np.random.default_rng(seed)
        self.a, self.b, self.c = (self._spd(rng, n) for n in (3, 2, 4))
        self.d, self.e = rng.standard_normal((3, 2)), rng.standard_normal(4)
        self.initial = [rng.standard_normal((3, 2)), rng.standard_normal(4)]

    @staticmethod
    def _spd(rng, n):
        m = rng.standard_normal((n, n))
        return m @ m.T / n + 0.5 * np.eye(n)

    def gradients(self, p, q):
        return [self.a @ p @ self.b - self.d, self.c @ q - self.e]

    def loss(self, p, q, lib):
        """The loss as a tensor of ``lib`` (minigrad or torch), for p, q of that library."""
        constant = (lambda x: mg.tensor(x, device=p.device)) if lib is mg else torch.tensor
        a, b, c, d, e = (constant(x) for x in (self.a, self.b, self.c, self.d, self.e))
        return (0.5 * (p * (a @ p @ b)).sum() + 0.5 * (q * (c @ q)).sum()
                - (d * p).sum() - (e * q).sum())


def _adam_by_hand(problem, lr, betas, eps, steps=STEPS):
    """Kingma & Ba's Adam with bias correction, as PyTorch writes it; every iterate."""
    b1, b2 = betas
    params = [x.copy() for x in problem.initial]
    m = [np.zeros_like(x) for x in params]
    v = [np.zeros_like(x) for x in params]
    trajectory = []
    for t in range(1, steps + 1):
        for k, g in enumerate(problem.gradients(*params)):
            m[k] = b1 * m[k] + (1 - b1) * g
            v[k] = b2 * v[k] + (1 - b2) * g * g
            m_hat, v_hat = m[k] / (1 - b1 ** t), v[k] / (1 - b2 ** t)
            params[k] = params[k] - lr * m_hat / (np.sqrt(v_hat) + eps)
        trajectory.append([x.copy() for x in params])
    return trajectory


def _sgd_by_hand(problem, lr, momentum, steps=STEPS):
    """p <- p - lr b with b <- momentum b + g (b = g on the first step), as PyTorch."""
    params = [x.copy() for x in problem.initial]
    buffers = [None, None]
    trajectory = []
    for _ in range(steps):
        for k, g in enumerate(problem.gradients(*params)):
            buffers[k] = g if buffers[k] is None or not momentum else momentum * buffers[k] + g
            params[k] = params[k] - lr * buffers[k]
        trajectory.append([x.copy() for x in params])
    return trajectory


def _run(problem, make_optimizer, device="cpu", steps=STEPS, params=None, optimizer=None):
    params = params or [mg.tensor(x, requires_grad=True, device=device) for x in problem.initial]
    optimizer = optimizer or make_optimizer(params)
    trajectory = []
    for _ in range(steps):
        optimizer.zero_grad()
        problem.loss(*params, mg).backward()
        optimizer.step()
        trajectory.append([p.numpy() for p in params])
    return trajectory, params, optimizer


def _run_torch(problem, make_optimizer, steps=STEPS):
    params = [torch.tensor(x, requires_grad=True) for x in problem.initial]
    optimizer = make_optimizer(params)
    trajectory = []
    for _ in range(steps):
        optimizer.zero_grad()
        problem.loss(*params, torch).backward()
        optimizer.step()
        trajectory.append([p.detach().numpy().copy() for p in params])
    return trajectory


def _assert_same_trajectory(actual, expected, rtol=1e-10, atol=1e-12):
    for step, (ours, theirs) in enumerate(zip(actual, expected, strict=True), start=1):
        for k, (a, b) in enumerate(zip(ours, theirs, strict=True)):
            np.testing.assert_allclose(a, b, rtol=rtol, atol=atol,
                                       err_msg=f"parameter {k} after step {step}")


ADAM_SETTINGS = [dict(lr=0.1, betas=(0.9, 0.999), eps=1e-8),
                 dict(lr=0.03, betas=(0.5, 0.9), eps=1e-3)]


def test_the_quadratic_problem_gradients_are_right():
    problem = Quadratic()
    params = [mg.tensor(x, requires_grad=True) for x in problem.initial]
    grads = mg.grad(problem.loss(*params, mg), params)
    for ours, expected in zip(grads, problem.gradients(*problem.initial)):
        np.testing.assert_allclose(ours.numpy(), expected, rtol=1e-12)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("hyper", ADAM_SETTINGS, ids=["defaults", "other"])
def test_adam_follows_the_published_update_rule(device, hyper):
    problem = Quadratic()
    trajectory, _, _ = _run(problem, lambda ps: mg.optim.Adam(ps, **hyper), device)
    _assert_same_trajectory(trajectory, _adam_by_hand(problem, **hyper))
    assert not np.allclose(trajectory[-1][0], problem.initial[0])


@needs_torch
@pytest.mark.parametrize("hyper", ADAM_SETTINGS, ids=["defaults", "other"])
def test_adam_matches_torch(hyper):
    problem = Quadratic()
    trajectory, _, _ = _run(problem, lambda ps: mg.optim.Adam(ps, **hyper))
    _assert_same_trajectory(trajectory,
                            _run_torch(problem, lambda ps: torch.optim.Adam(ps, **hyper)))


def test_adam_default_hyperparameters_are_pytorchs():
    adam = mg.optim.Adam([mg.zeros(2, requires_grad=True)])
    assert adam.hyperparameters == dict(lr=1e-3, betas=(0.9, 0.999), eps=1e-8)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("momentum", [0.0, 0.9])
def test_sgd_follows_the_update_rule(device, momentum):
    problem = Quadratic()
    trajectory, _, _ = _run(problem, lambda ps: mg.optim.SGD(ps, lr=0.05, momentum=momentum),
                            device)
    _assert_same_trajectory(trajectory, _sgd_by_hand(problem, 0.05, momentum))


@needs_torch
@pytest.mark.parametrize("momentum", [0.0, 0.9])
def test_sgd_matches_torch(momentum):
    problem = Quadratic()
    trajectory, _, _ = _run(problem, lambda ps: mg.optim.SGD(ps, lr=0.05, momentum=momentum))
    _assert_same_trajectory(trajectory, _run_torch(
        problem, lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=momentum)))


@pytest.mark.parametrize("device", DEVICES)
def test_sgd_momentum_buffer_survives_zeroing_the_gradient_in_place(device):
    """PyTorch-style ``p.grad.zero_()`` between steps must not reach into the optimizer's
    state: the momentum buffer has to be its own copy of the first gradient."""
    problem = Quadratic()
    params = [mg.tensor(x, requires_grad=True, device=device) for x in problem.initial]
    optimizer = mg.optim.SGD(params, lr=0.05, momentum=0.9)
    trajectory = []
    for _ in range(3):
        for p in params:
            if p.grad is not None:
                p.grad.zero_()
        problem.loss(*params, mg).backward()
        optimizer.step()
        trajectory.append([p.numpy() for p in params])
    _assert_same_trajectory(trajectory, _sgd_by_hand(problem, 0.05, 0.9, steps=3))


def test_parameters_without_gradient_are_left_alone():
    used, unused = mg.tensor([1.0, 2.0], requires_grad=True), mg.tensor([3.0], requires_grad=True)
    for optimizer in (mg.optim.Adam([used, unused], lr=0.1),
                      mg.optim.SGD([used, unused], lr=0.1, momentum=0.9)):
        optimizer.zero_grad()
        (used * used).sum().backward()
        optimizer.step()
        np.testing.assert_array_equal(unused.numpy(), [3.0])
        assert unused not in optimizer.state


def test_optimizers_reject_non_leaf_or_constant_parameters():
    x = mg.tensor([1.0], requires_grad=True)
    for params in ([x * 2], [mg.tensor([1.0])], []):
        with pytest.raises(ValueError):
            mg.optim.Adam(params)


OPTIMIZERS = {
    "adam": lambda ps: mg.optim.Adam(ps, lr=0.1, betas=(0.8, 0.99)),
    "sgd": lambda ps: mg.optim.SGD(ps, lr=0.05),
    "sgd-momentum": lambda ps: mg.optim.SGD(ps, lr=0.05, momentum=0.9),
}


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_state_dict_round_trip_continues_identically(device, name):
    """Run 5 steps, save; a fresh optimizer on a copy of the parameters that loads the saved state
    then makes the same next 5 steps as the original, to the last bit."""
    problem, make = Quadratic(), OPTIMIZERS[name]
    _, params, optimizer = _run(problem, make, device, steps=5)
    saved = copy.deepcopy(optimizer.state_dict())
    copies = [mg.tensor(p.numpy(), requires_grad=True, device=device) for p in params]
    restored = make(copies)
    restored.load_state_dict(saved)

    expected, _, _ = _run(problem, make, steps=5, params=params, optimizer=optimizer)
    actual, _, _ = _run(problem, make, steps=5, params=copies, optimizer=restored)
    for ours, theirs in zip(actual, expected):
        for a, b in zip(ours, theirs):
            np.testing.assert_array_equal(a, b)
    assert all(c.device == device for c in copies)


@pytest.mark.parametrize("device", DEVICES)
def test_adam_state_dict_uses_pytorchs_names_and_plain_values(device):
    problem = Quadratic()
    _, params, optimizer = _run(problem, OPTIMIZERS["adam"], device, steps=3)
    state = optimizer.state_dict()
    assert state["param_groups"] == [dict(lr=0.1, betas=(0.8, 0.99), eps=1e-8, params=[0, 1])]
    assert set(state["state"]) == {0, 1}
    for position, p in enumerate(params):
        entries = state["state"][position]
        assert entries["step"] == 3
        assert isinstance(entries["exp_avg"], np.ndarray)
        assert entries["exp_avg"].shape == entries["exp_avg_sq"].shape == p.shape
        assert np.all(entries["exp_avg_sq"] > 0)


@pytest.mark.parametrize("device", DEVICES)
def test_adam_state_view_reads_the_state_without_creating_or_copying_it(device):
    """Before a step: zeros, step 0 and the hyperparameters, and no state is created; after 3
    steps: the state's own tensors and its step count, from which adam_update takes step 4 as
    Adam.step does."""
    problem = Quadratic()
    params = [mg.tensor(x, requires_grad=True, device=device) for x in problem.initial]
    optimizer = OPTIMIZERS["adam"](params)
    fresh = optimizer.state_view(params[0])
    assert optimizer.state == {}
    assert fresh.step == 0 and (fresh.lr, fresh.betas, fresh.eps) == (0.1, (0.8, 0.99), 1e-8)
    assert not fresh.m.numpy().any() and not fresh.v.numpy().any()
    assert fresh.m.shape == fresh.v.shape == params[0].shape and fresh.m.device == device
    _run(problem, OPTIMIZERS["adam"], steps=3, params=params, optimizer=optimizer)
    view = optimizer.state_view(params[1])
    state = optimizer.state[params[1]]
    assert view.m is state["exp_avg"] and view.v is state["exp_avg_sq"]
    assert int(view.step.item()) == 3
    optimizer.zero_grad()
    problem.loss(*params, mg).backward()
    grad = params[1].grad
    expected, _, _ = mg.optim.adam_update(params[1].detach(), grad, view.m, view.v,
                                          view.step + 1, lr=view.lr, betas=view.betas,
                                          eps=view.eps, eps_root=0.0)
    optimizer.step()
    np.testing.assert_array_equal(params[1].numpy(), expected.numpy())


def test_state_dict_is_a_snapshot():
    problem = Quadratic()
    _, params, optimizer = _run(problem, OPTIMIZERS["adam"], steps=2)
    state = optimizer.state_dict()
    before = state["state"][0]["exp_avg"].copy()
    _run(problem, OPTIMIZERS["adam"], steps=2, params=params, optimizer=optimizer)
    np.testing.assert_array_equal(state["state"][0]["exp_avg"], before)
    assert state["state"][0]["step"] == 2


def test_load_state_dict_rejects_a_wrong_shape_or_position():
    problem = Quadratic()
    _, params, optimizer = _run(problem, OPTIMIZERS["adam"], steps=1)
    state = optimizer.state_dict()
    wrong_shape = copy.deepcopy(state)
    wrong_shape["state"][0]["exp_avg"] = np.zeros((2, 3))
    with pytest.raises(ValueError, match="exp_avg"):
        OPTIMIZERS["adam"](params).load_state_dict(wrong_shape)
    wrong_position = copy.deepcopy(state)
    wrong_position["state"][5] = wrong_position["state"][0]
    with pytest.raises(KeyError, match="5"):
        OPTIMIZERS["adam"](params).load_state_dict(wrong_position)


@pytest.mark.parametrize("make, option, value", [
    (lambda ps, v: mg.optim.Adam(ps, lr=v), "lr", -1.0),
    (lambda ps, v: mg.optim.Adam(ps, lr=v), "lr", float("nan")),
    (lambda ps, v: mg.optim.Adam(ps, eps=v), "eps", -1e-8),
    (lambda ps, v: mg.optim.Adam(ps, betas=(v, 0.999)), "beta", 1.0),
    (lambda ps, v: mg.optim.Adam(ps, betas=(0.9, v)), "beta", -0.1),
    (lambda ps, v: mg.optim.Adam(ps, weight_decay=v), "weight_decay", -0.5),
    (lambda ps, v: mg.optim.AdamW(ps, weight_decay=v), "weight_decay", -0.5),
    (lambda ps, v: mg.optim.AdamW(ps, lr=v), "lr", float("nan")),
    (lambda ps, v: mg.optim.SGD(ps, lr=v), "lr", -1.0),
    (lambda ps, v: mg.optim.SGD(ps, lr=0.1, momentum=v), "momentum", -0.9),
    (lambda ps, v: mg.optim.SGD(ps, lr=0.1, weight_decay=v), "weight_decay", -1.0),
    (lambda ps, v: mg.optim.RMSprop(ps, lr=v), "lr", -1.0),
    (lambda ps, v: mg.optim.RMSprop(ps, alpha=v), "alpha", -0.5),
    (lambda ps, v: mg.optim.RMSprop(ps, eps=v), "eps", float("nan")),
])
def test_optimizers_refuse_invalid_settings_naming_them(make, option, value):
    params = [mg.tensor([1.0], requires_grad=True)]
    with pytest.raises(ValueError) as refused:
        make(params, value)
    message = str(refused.value)
    assert option in message and str(value) in message
    assert message.startswith(("Adam", "SGD", "RMSprop"))


def test_load_state_dict_refuses_a_negative_or_non_finite_second_moment():
    problem = Quadratic()
    _, params, optimizer = _run(problem, OPTIMIZERS["adam"], steps=1)
    for bad in (-1.0, float("inf"), float("nan")):
        state = copy.deepcopy(optimizer.state_dict())
        state["state"][1]["exp_avg_sq"][2] = bad
        with pytest.raises(ValueError, match="exp_avg_sq of parameter 1"):
            OPTIMIZERS["adam"](params).load_state_dict(state)
    state = copy.deepcopy(optimizer.state_dict())
    state["param_groups"][0]["lr"] = -0.1
    with pytest.raises(ValueError, match="Adam: invalid lr: -0.1"):
        OPTIMIZERS["adam"](params).load_state_dict(state)
