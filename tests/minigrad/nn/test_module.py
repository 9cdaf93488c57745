"""nn.Module: parameter names, modes, state_dict round trips and their errors, functional_call
(other tensors in, own tensors restored, gradients to the substitutes). (The layers' own shapes:
test_layers.py.)"""

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F
from minigrad import nn
from strategies import DEVICES

try:
    import torch
except ImportError:
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="PyTorch is not installed")


class Classifier(nn.Module):
    """A module with a Sequential, a batch norm (buffers) and a parameter of its own."""

    def __init__(self, device=None, dtype="float64"):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(3, 4, device=device, dtype=dtype), nn.Tanh(),
                                 nn.Linear(4, 2, device=device, dtype=dtype))
        self.norm = nn.BatchNorm1d(2, device=device, dtype=dtype)
        self.scale = nn.Parameter(mg.ones(2, dtype=dtype, device=device))

    def forward(self, x):
        return self.norm(self.net(x)) * self.scale


def _classifier(seed, device="cpu"):
    mg.manual_seed(seed)
    return Classifier(device)


def _batch(device="cpu", seed=0):
    return mg.tensor(np.random.default_rng(seed).standard_normal((5, 3)), device=device)


# -- names and modes ------------------------------------------------------------------------------

def test_named_parameters_use_dotted_paths():
    names = [name for name, _ in _classifier(0).named_parameters()]
    assert names == ["scale", "net.0.weight", "net.0.bias", "net.2.weight", "net.2.bias",
                     "norm.weight", "norm.bias"]


def test_parameters_are_the_named_parameters():
    model = _classifier(0)
    assert [id(p) for p in model.parameters()] == [id(p) for _, p in model.named_parameters()]
    assert all(p.requires_grad and p.is_leaf for p in model.parameters())


def test_buffers_are_not_parameters():
    model = _classifier(0)
    assert [name for name, _ in model.named_buffers()] == ["norm.running_mean",
                                                           "norm.running_var"]
    assert not any(b.requires_grad for _, b in model.named_buffers())


@needs_torch
def test_parameter_names_match_pytorch():
    model = _classifier(0)
    reference = torch.nn.Module()
    reference.net = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(),
                                        torch.nn.Linear(4, 2))
    reference.norm = torch.nn.BatchNorm1d(2)
    reference.scale = torch.nn.Parameter(torch.ones(2))
    assert sorted(name for name, _ in model.named_parameters()) == \
        sorted(name for name, _ in reference.named_parameters())


def test_train_and_eval_propagate_to_every_submodule():
    model = _classifier(0)
    assert all(module.training for _, module in model.named_modules())
    assert model.eval() is model
    assert not any(module.training for _, module in model.named_modules())
    model.train()
    assert all(module.training for _, module in model.named_modules())
    model.train(False)
    assert not model.net[2].training and not model.norm.training


def test_eval_mode_changes_batch_norm_to_running_statistics():
    model = _classifier(0)
    x = _batch()
    model(x)  # one training step moves the running statistics
    model.eval()
    np.testing.assert_allclose(model(x).numpy(), model(x).numpy())
    expected = F.batch_norm(model.net(x), model.norm.running_mean, model.norm.running_var,
                            model.norm.weight, model.norm.bias) * model.scale
    np.testing.assert_allclose(model(x).numpy(), expected.numpy())


# -- state_dict -----------------------------------------------------------------------------------

def test_state_dict_holds_parameters_and_buffers_detached():
    model = _classifier(0)
    state = model.state_dict()
    assert list(state) == [name for name, _ in model.named_parameters()] + \
        ["norm.running_mean", "norm.running_var"]
    assert not any(t.requires_grad for t in state.values())


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("as_numpy", [False, True])
def test_state_dict_round_trip(device, as_numpy):
    source, target = _classifier(0, device), _classifier(1, device)
    x = _batch(device)
    source(x)  # move the running statistics away from their initial values
    source.eval()
    target.eval()
    state = source.state_dict()
    if as_numpy:
        state = {name: t.numpy() for name, t in state.items()}
    target.load_state_dict(state)
    for (name, ours), (_, theirs) in zip(source.state_dict().items(),
                                         target.state_dict().items()):
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy(), err_msg=name)
        assert theirs.device == ours.device
    np.testing.assert_array_equal(target(x).numpy(), source(x).numpy())


def test_loaded_state_is_a_copy():
    source, target = _classifier(0), _classifier(1)
    target.load_state_dict(source.state_dict())
    before = target.net[0].weight.numpy()
    optimizer = mg.optim.SGD(source.parameters(), lr=0.1)
    source(_batch()).sum().backward()
    optimizer.step()
    np.testing.assert_array_equal(target.net[0].weight.numpy(), before)
    assert target.net[0].weight.requires_grad


def test_load_state_dict_names_missing_and_unexpected_keys():
    model = _classifier(0)
    state = dict(model.state_dict())
    del state["net.2.bias"]
    state["net.3.weight"] = state["net.2.weight"]
    with pytest.raises(KeyError, match=r"net\.2\.bias.*net\.3\.weight"):
        model.load_state_dict(state)


def test_load_state_dict_names_a_wrong_shape():
    model = _classifier(0)
    state = dict(model.state_dict())
    state["net.0.weight"] = np.zeros((3, 4))
    with pytest.raises(ValueError, match=r"net\.0\.weight.*\(3, 4\).*\(4, 3\)"):
        model.load_state_dict(state)


def test_load_state_dict_changes_nothing_when_it_refuses():
    model, source = _classifier(0), _classifier(1)
    state = dict(source.state_dict())
    state["net.2.weight"] = np.zeros((7, 7))  # a later entry is wrong
    before = {name: t.numpy() for name, t in model.state_dict().items()}
    with pytest.raises(ValueError):
        model.load_state_dict(state)
    for name, t in model.state_dict().items():
        np.testing.assert_array_equal(t.numpy(), before[name])


# -- functional_call ------------------------------------------------------------------------------

def _other_parameters(model, seed):
    rng = np.random.default_rng(seed)
    return {name: mg.tensor(rng.standard_normal(p.shape), requires_grad=True, device=p.device)
            for name, p in model.named_parameters()}


def _forward_by_hand(params, x, running_mean, running_var, training):
    hidden = F.linear(x, params["net.0.weight"], params["net.0.bias"]).tanh()
    out = F.linear(hidden, params["net.2.weight"], params["net.2.bias"])
    return F.batch_norm(out, running_mean, running_var, params["norm.weight"],
                        params["norm.bias"], training=training) * params["scale"]


@pytest.mark.parametrize("device", DEVICES)
def test_functional_call_uses_the_given_tensors_and_restores_the_modules_own(device):
    model = _classifier(0, device).eval()
    own = dict(model.named_parameters())
    params = _other_parameters(model, 1)
    x = _batch(device)

    out = nn.functional_call(model, params, x)
    expected = _forward_by_hand(params, x, model.norm.running_mean, model.norm.running_var,
                                training=False)
    np.testing.assert_allclose(out.numpy(), expected.numpy(), rtol=1e-12)
    assert all(p is own[name] for name, p in model.named_parameters())
    assert not np.allclose(model(x).numpy(), out.numpy())


def test_functional_call_with_some_names_keeps_the_others():
    model = _classifier(0).eval()
    params = {"net.2.weight": _other_parameters(model, 1)["net.2.weight"]}
    expected = _forward_by_hand({**dict(model.named_parameters()), **params}, _batch(),
                                model.norm.running_mean, model.norm.running_var, training=False)
    np.testing.assert_allclose(nn.functional_call(model, params, _batch()).numpy(),
                               expected.numpy(), rtol=1e-12)


def test_functional_call_can_replace_buffers():
    model = _classifier(0).eval()
    buffers = {"norm.running_mean": mg.tensor([1.0, -1.0], dtype="float64"),
               "norm.running_var": mg.tensor([4.0, 0.25], dtype="float64")}
    out = nn.functional_call(model, buffers, _batch())
    expected = _forward_by_hand(dict(model.named_parameters()), _batch(), *buffers.values(),
                                training=False)
    np.testing.assert_allclose(out.numpy(), expected.numpy(), rtol=1e-12)
    np.testing.assert_array_equal(model.norm.running_mean.numpy(), [0.0, 0.0])


def test_functional_call_restores_the_module_when_forward_raises():
    model = _classifier(0)
    own = dict(model.named_parameters())
    with pytest.raises(ValueError):
        nn.functional_call(model, _other_parameters(model, 1), mg.zeros(5, 7, dtype="float64"))
    assert all(p is own[name] for name, p in model.named_parameters())


def test_functional_call_rejects_an_unknown_name_and_restores_the_module():
    model = _classifier(0)
    own = dict(model.named_parameters())
    params = {"net.0.weight": _other_parameters(model, 1)["net.0.weight"],
              "net.0.kernel": mg.zeros(4, 3, dtype="float64")}
    with pytest.raises(KeyError, match=r"net\.0\.kernel"):
        nn.functional_call(model, params, _batch())
    assert all(p is own[name] for name, p in model.named_parameters())


def test_functional_call_names_an_unknown_submodule():
    model = _classifier(0)
    with pytest.raises(KeyError, match=r"head\.weight"):
        nn.functional_call(model, {"head.weight": mg.zeros(2, 2)}, _batch())


@pytest.mark.parametrize("device", DEVICES)
def test_gradients_flow_to_the_substituted_tensors(device):
    model = _classifier(0, device)
    params = _other_parameters(model, 1)
    x = _batch(device)
    loss = (nn.functional_call(model, params, x) ** 2).sum()
    grads = mg.grad(loss, list(params.values()))
    expected_loss = (_forward_by_hand(params, x, None, None, training=True) ** 2).sum()
    expected = mg.grad(expected_loss, list(params.values()))
    for name, ours, theirs in zip(params, grads, expected):
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-12, err_msg=name)
    assert all(p.grad is None for p in model.parameters())


def test_gradients_flow_through_an_unrolled_step_to_the_modules_own_parameters():
    """The unrolled GAN's pattern: run the module with p - lr * grad(p), differentiate w.r.t. p."""
    model = _classifier(0)
    names, own = zip(*model.named_parameters())
    x, lr = _batch(), 0.1

    def two_step_loss(*weights):
        first = (nn.functional_call(model, dict(zip(names, weights)), x) ** 2).sum()
        grads = mg.grad(first, list(weights), create_graph=True)
        stepped = {name: w - lr * g for name, w, g in zip(names, weights, grads)}
        return (nn.functional_call(model, stepped, x) ** 3).sum()

    assert mg.testing.gradcheck(two_step_loss, own)


def test_parameters_is_an_iterator_as_in_pytorch():
    model = mg.nn.Sequential(mg.nn.Linear(2, 3), mg.nn.ReLU(), mg.nn.Linear(3, 1))
    parameters = model.parameters()
    assert next(parameters) is model[0].weight
    assert [p.shape for p in parameters] == [(3,), (1, 3), (1,)]  # the rest, once
    assert list(parameters) == []
