"""Issue 35's optimizer habits against PyTorch: weight_decay in SGD and Adam, AdamW, RMSprop,
changing the learning rate through param_groups, several parameter groups with their own
settings, and the StepLR and CosineAnnealingLR schedules. Skipped without PyTorch."""

import numpy as np
import pytest

import minigrad as mg

torch = pytest.importorskip("torch")

_OPTIMIZERS = {
    "SGD(weight_decay)": lambda lib, ps: lib.optim.SGD(ps, lr=0.1, weight_decay=0.05),
    "SGD(momentum, weight_decay)": lambda lib, ps: lib.optim.SGD(ps, lr=0.1, momentum=0.9,
                                                                 weight_decay=0.05),
    "Adam(weight_decay)": lambda lib, ps: lib.optim.Adam(ps, lr=0.01, weight_decay=0.1),
    "AdamW": lambda lib, ps: lib.optim.AdamW(ps, lr=0.01),
    "AdamW(weight_decay)": lambda lib, ps: lib.optim.AdamW(ps, lr=0.01, weight_decay=0.3),
    "RMSprop": lambda lib, ps: lib.optim.RMSprop(ps, lr=0.01),
    "RMSprop(alpha, weight_decay)": lambda lib, ps: lib.optim.RMSprop(ps, lr=0.01, alpha=0.9,
                                                                      weight_decay=0.1),
}


def _steps(lib, make_optimizer, schedule=None):
    rng = np.random.default_rng(0)
    w = lib.tensor(rng.standard_normal((3, 2)), requires_grad=True)
    x = lib.tensor(rng.standard_normal((5, 3)))
    optimizer = make_optimizer(lib, [w])
    scheduler = schedule(lib, optimizer) if schedule else None
    lrs = []
    for _ in range(6):
        optimizer.zero_grad()
        ((x @ w).tanh() ** 2).sum().backward()
        optimizer.step()
        if scheduler:
            scheduler.step()
            lrs.append(scheduler.get_last_lr()[0])
    return w.detach().numpy(), lrs


@pytest.mark.parametrize("name", sorted(_OPTIMIZERS))
def test_weight_decay_steps_as_torch(name):
    ours, _ = _steps(mg, _OPTIMIZERS[name])
    theirs, _ = _steps(torch, _OPTIMIZERS[name])
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("schedule", [
    lambda lib, opt: lib.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5),
    lambda lib, opt: lib.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=4, eta_min=0.01)])
def test_schedules_set_torch_s_learning_rates_and_weights(schedule):
    sgd = _OPTIMIZERS["SGD(momentum, weight_decay)"]
    ours, our_lrs = _steps(mg, sgd, schedule)
    theirs, their_lrs = _steps(torch, sgd, schedule)
    np.testing.assert_allclose(our_lrs, their_lrs, rtol=1e-12)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-14)


def test_param_groups_change_the_learning_rate():
    def halve_then_step(lib):
        def make(lib_, ps):
            optimizer = lib_.optim.SGD(ps, lr=0.2)
            for group in optimizer.param_groups:
                group["lr"] = group["lr"] / 2
            assert len(optimizer.param_groups[0]["params"]) == 1
            return optimizer
        return _steps(lib, make)[0]

    np.testing.assert_allclose(halve_then_step(mg), halve_then_step(torch), rtol=1e-12)
    optimizer = mg.optim.Adam([mg.ones(1, requires_grad=True)])
    assert optimizer.param_groups[0]["betas"] == (0.9, 0.999)
    assert "weight_decay" not in optimizer.hyperparameters  # unchanged state dicts without it
    with pytest.raises(KeyError, match="'momentum' cannot be set; the hyperparameters of Adam"):
        optimizer.param_groups[0]["momentum"] = 0.9


_GROUPED = {  # two groups: their own lr and weight_decay, the rest from the constructor
    "SGD": lambda lib, groups: lib.optim.SGD(groups, lr=0.1, momentum=0.9),
    "Adam": lambda lib, groups: lib.optim.Adam(groups, lr=0.01, betas=(0.8, 0.99)),
    "AdamW": lambda lib, groups: lib.optim.AdamW(groups, lr=0.01),
    "RMSprop": lambda lib, groups: lib.optim.RMSprop(groups, lr=0.01, alpha=0.9),
}


def _two_layer_problem(lib):
    """The parameters (w1, b1, w2) of a two-layer model, and its inputs and targets."""
    rng = np.random.default_rng(1)
    params = [lib.tensor(rng.standard_normal(shape), requires_grad=True)
              for shape in [(3, 4), (4,), (4, 1)]]
    return params, lib.tensor(rng.standard_normal((8, 3))), lib.tensor(rng.standard_normal((8, 1)))


def _two_groups(params):
    """The first layer with lr 0.03 and weight_decay 0.2, the second with lr 0.005 and the
    constructor's weight_decay."""
    return [{"params": params[:2], "lr": 0.03, "weight_decay": 0.2},
            {"params": params[2:], "lr": 0.005}]


def _train(params, x, y, optimizer, steps, scheduler=None):
    """``steps`` steps on the squared error; the lrs after each (with a scheduler)."""
    w1, b1, w2 = params
    lrs = []
    for _ in range(steps):
        optimizer.zero_grad()
        (((x @ w1 + b1).tanh() @ w2 - y) ** 2).mean().backward()
        optimizer.step()
        if scheduler:
            scheduler.step()
            lrs.append(scheduler.get_last_lr())
    return lrs


def _train_two_groups(lib, make_optimizer, add_later=False, schedule=None):
    """Six steps with two groups; the weights, the lrs after each step and the state_dict."""
    params, x, y = _two_layer_problem(lib)
    first, second = _two_groups(params)
    optimizer = make_optimizer(lib, [first] if add_later else [first, second])
    if add_later:
        optimizer.add_param_group(second)
    lrs = _train(params, x, y, optimizer, 6, schedule(lib, optimizer) if schedule else None)
    return [p.detach().numpy() for p in params], lrs, optimizer.state_dict()


@pytest.mark.parametrize("add_later", [False, True], ids=["constructor", "add_param_group"])
@pytest.mark.parametrize("name", sorted(_GROUPED))
def test_two_parameter_groups_train_to_torchs_weights(name, add_later):
    ours, _, our_state = _train_two_groups(mg, _GROUPED[name], add_later)
    theirs, _, their_state = _train_two_groups(torch, _GROUPED[name], add_later)
    for a, b in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)
    for our_group, their_group in zip(our_state["param_groups"], their_state["param_groups"],
                                      strict=True):  # PyTorch's layout, its values
        assert our_group == {key: their_group[key] for key in our_group}
    assert sorted(our_state["state"]) == sorted(their_state["state"]) == [0, 1, 2]


@pytest.mark.parametrize("schedule", [
    lambda lib, opt: lib.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5),
    lambda lib, opt: lib.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=4, eta_min=0.001)])
def test_schedules_set_each_groups_learning_rate_as_torch(schedule):
    ours, our_lrs, _ = _train_two_groups(mg, _GROUPED["SGD"], schedule=schedule)
    theirs, their_lrs, _ = _train_two_groups(torch, _GROUPED["SGD"], schedule=schedule)
    assert all(len(lrs) == 2 for lrs in our_lrs)
    np.testing.assert_allclose(our_lrs, their_lrs, rtol=1e-12)
    for a, b in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name", sorted(_GROUPED))
def test_a_torch_optimizers_state_dict_loads_and_steps_on_as_torch(name):
    their_params, x, y = _two_layer_problem(torch)
    theirs = _GROUPED[name](torch, _two_groups(their_params))
    _train(their_params, x, y, theirs, 3)
    our_params = [mg.tensor(p.detach().numpy(), requires_grad=True) for p in their_params]
    ours = _GROUPED[name](mg, [{"params": our_params[:2]}, {"params": our_params[2:]}])
    ours.load_state_dict(theirs.state_dict())  # torch tensors, and settings minigrad lacks
    assert [group["lr"] for group in ours.param_groups] == [0.03, 0.005]
    _train(our_params, mg.tensor(x.numpy()), mg.tensor(y.numpy()), ours, 3)
    _train(their_params, x, y, theirs, 3)
    for a, b in zip(our_params, their_params, strict=True):
        np.testing.assert_allclose(a.numpy(), b.detach().numpy(), rtol=1e-12, atol=1e-14)


def test_a_torch_setting_minigrad_cannot_follow_is_refused_on_loading():
    params, x, y = _two_layer_problem(torch)
    theirs = torch.optim.Adam(params, amsgrad=True)
    _train(params, x, y, theirs, 1)
    ours = mg.optim.Adam([mg.tensor(p.detach().numpy(), requires_grad=True) for p in params])
    with pytest.raises(ValueError, match="sets PyTorch's amsgrad=True; minigrad's Adam steps as "
                                         "amsgrad=False only"):
        ours.load_state_dict(theirs.state_dict())
