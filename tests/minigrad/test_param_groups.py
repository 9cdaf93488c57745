"""Several parameter groups, each with its own hyperparameters: PyTorch's state_dict layout and
its round trip, ``state_view`` per group, the one-group ``hyperparameters`` and ``lr``, and the
refusals (a setting the optimizer has no use for, a parameter in two groups, groups that do not
match a state dict). The trajectories against PyTorch are in test_torch_optim_habits.py."""

import copy

import numpy as np
import pytest

import minigrad as mg


def _model(seed=0):
    rng = np.random.default_rng(seed)
    return [mg.tensor(rng.standard_normal(shape), requires_grad=True)
            for shape in [(3, 2), (2,), (2, 1)]]


def _adam(params):
    return mg.optim.Adam([{"params": params[:2], "lr": 0.05, "weight_decay": 0.1},
                          {"params": params[2:], "betas": [0.5, 0.9]}], lr=0.01)


def _steps(params, optimizer, steps):
    x = mg.tensor(np.linspace(-1.0, 1.0, 12).reshape(4, 3))
    for _ in range(steps):
        optimizer.zero_grad()
        (((x @ params[0] + params[1]).tanh() @ params[2]) ** 2).sum().backward()
        optimizer.step()
    return [p.numpy() for p in params]


def test_groups_take_their_settings_and_the_defaults_fill_the_rest():
    optimizer = _adam(_model())
    first, second = optimizer.param_groups
    assert first.hyperparameters == dict(lr=0.05, betas=(0.9, 0.999), eps=1e-8,
                                         weight_decay=0.1)
    assert second.hyperparameters == dict(lr=0.01, betas=(0.5, 0.9), eps=1e-8)  # no decay
    assert len(first["params"]) == 2 and second["params"] == second.params
    assert optimizer.defaults["weight_decay"] == 0.0


def test_state_dict_has_pytorchs_layout_and_round_trips_per_group():
    params = _model()
    optimizer = _adam(params)
    _steps(params, optimizer, 3)
    saved = copy.deepcopy(optimizer.state_dict())
    assert [group["params"] for group in saved["param_groups"]] == [[0, 1], [2]]
    assert [group["lr"] for group in saved["param_groups"]] == [0.05, 0.01]
    assert sorted(saved["state"]) == [0, 1, 2] and saved["state"][2]["step"] == 3

    copies = [mg.tensor(p.numpy(), requires_grad=True) for p in params]
    restored = mg.optim.Adam([{"params": copies[:2]}, {"params": copies[2:]}], lr=0.3)
    restored.load_state_dict(saved)
    assert [g.hyperparameters for g in restored.param_groups] == \
        [g.hyperparameters for g in optimizer.param_groups]
    for ours, theirs in zip(_steps(copies, restored, 3), _steps(params, optimizer, 3)):
        np.testing.assert_array_equal(ours, theirs)


def test_state_view_reads_the_parameters_group():
    params = _model()
    optimizer = _adam(params)
    assert optimizer.state_view(params[0]).lr == 0.05
    assert optimizer.state_view(params[2]).betas == (0.5, 0.9)
    with pytest.raises(KeyError, match=r"parameter of shape \(2, 1\) is not one of this"):
        optimizer.state_view(mg.zeros(2, 1, requires_grad=True))


def test_the_one_set_of_hyperparameters_is_asked_of_one_group_only():
    params = _model()
    single = mg.optim.SGD(params, lr=0.1)
    single.lr = 0.2
    assert single.hyperparameters is single.param_groups[0].hyperparameters
    assert single.param_groups[0]["lr"] == 0.2
    several = _adam(params)
    for asked in ("hyperparameters", "lr"):
        with pytest.raises(ValueError, match=rf"Adam.{asked}: this optimizer has 2 parameter "
                                             r"groups.*optimizer.param_groups\[i\]"):
            getattr(several, asked)
    with pytest.raises(ValueError, match="Adam.lr: this optimizer has 2 parameter groups"):
        several.lr = 0.1


@pytest.mark.parametrize("groups, error, message", [
    ([{"params": [0], "momentum": 0.9}], ValueError,
     r"Adam: parameter group 0 sets \['momentum'\], which Adam has no use for; its "
     r"hyperparameters are \['betas', 'eps', 'lr', 'weight_decay'\]"),
    ([{"params": [0, 1]}, {"params": [1, 2]}], ValueError, "parameter 2 appears twice"),
    ([{"params": []}], ValueError, "parameter group 0 has no parameters"),
    ([{"params": [0]}, [1]], TypeError, "parameter group 1 must be a dict with a 'params'"),
    ([{"params": [0], "lr": -0.5}], ValueError, "Adam: invalid lr: -0.5"),
])
def test_bad_groups_are_refused_naming_the_group(groups, error, message):
    params = _model()
    groups = [{**group, "params": [params[i] for i in group["params"]]}
              if isinstance(group, dict) else [params[i] for i in group] for group in groups]
    with pytest.raises(error, match=message):
        mg.optim.Adam(groups)


def test_a_single_tensor_is_not_a_list_of_parameters():
    with pytest.raises(TypeError, match=r"got one tensor of shape \(3, 2\)"):
        mg.optim.SGD(_model()[0], lr=0.1)


def test_setting_a_group_is_checked_and_leaves_it_unchanged_when_refused():
    group = _adam(_model()).param_groups[1]
    group["weight_decay"] = 0.5  # a hyperparameter of Adam, not yet set in this group
    assert group["weight_decay"] == 0.5
    with pytest.raises(ValueError, match="invalid beta parameter at index 0: 1.5"):
        group["betas"] = (1.5, 0.9)
    assert group["betas"] == (0.5, 0.9)
    with pytest.raises(KeyError, match="'params' cannot be set"):
        group["params"] = []
    with pytest.raises(KeyError, match="'lr' cannot be removed"):
        del group["lr"]


def test_load_state_dict_refuses_groups_of_other_sizes():
    params = _model()
    saved = _adam(params).state_dict()
    with pytest.raises(ValueError, match=r"groups hold \[2, 1\] parameters; this optimizer's "
                                         r"hold \[3\]"):
        mg.optim.Adam(params).load_state_dict(saved)


def test_a_schedule_scales_each_groups_own_lr():
    optimizer = _adam(_model())
    scheduler = mg.optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.5)
    scheduler.step()
    assert scheduler.get_last_lr() == [0.05 * 0.5, 0.01 * 0.5]
    assert scheduler.state_dict() == {"base_lrs": [0.05, 0.01], "last_epoch": 1}


def test_load_state_dict_refuses_state_the_optimizer_does_not_keep():
    params = _model()
    optimizer = _adam(params)
    _steps(params, optimizer, 1)
    saved = optimizer.state_dict()
    saved["state"][1]["max_exp_avg_sq"] = saved["state"][1]["exp_avg_sq"]  # PyTorch's amsgrad
    with pytest.raises(KeyError, match="parameter 1 has state 'max_exp_avg_sq', which Adam does "
                                       r"not keep \(its state: \['exp_avg', 'exp_avg_sq', 'step'"):
        _adam(_model()).load_state_dict(saved)
