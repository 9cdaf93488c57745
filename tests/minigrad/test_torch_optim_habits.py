"""Issue 35's optimizer habits against PyTorch: weight_decay in SGD and Adam, AdamW, RMSprop,
changing the learning rate through param_groups, and the StepLR and CosineAnnealingLR
schedules. Skipped without PyTorch."""

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


def test_a_list_of_parameter_groups_is_refused_with_a_message():
    with pytest.raises(TypeError, match="parameter groups .* one optimizer per group"):
        mg.optim.SGD([{"params": [mg.ones(1, requires_grad=True)], "lr": 0.1}], lr=0.1)
