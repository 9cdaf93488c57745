"""Issue 35: each PyTorch habit that used to give a different result without an error, run in
both libraries: the same values and gradients, or, where minigrad refuses on purpose, a message
that names the habit. Skipped without PyTorch."""

import collections
import math

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F

torch = pytest.importorskip("torch")


def _pair(values, requires_grad=False, dtype="float64"):
    """The same values as a minigrad tensor and a torch tensor."""
    array = np.asarray(values, dtype=dtype)
    return (mg.tensor(array, requires_grad=requires_grad),
            torch.tensor(array, requires_grad=requires_grad))


def _same(ours, theirs):
    theirs = theirs.detach().numpy() if isinstance(theirs, torch.Tensor) else np.asarray(theirs)
    assert np.asarray(ours.numpy()).dtype == theirs.dtype
    np.testing.assert_allclose(ours.numpy(), theirs, rtol=1e-6, atol=1e-7)


# -- the classic training loop ------------------------------------------------------------------

def _train(lib, nn, model, x, y, steps=5, lr=0.1):
    for _ in range(steps):
        loss = ((model(x) - y) ** 2).mean()
        for p in model.parameters():
            p.grad = None
        loss.backward()
        with lib.no_grad():
            for p in model.parameters():
                p -= lr * p.grad
    return [p.detach().numpy() for p in model.parameters()]


def test_the_classic_loop_p_minus_equals_lr_grad_trains_to_torch_s_weights():
    torch.manual_seed(0)
    theirs = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 1))
    ours = mg.nn.Sequential(mg.nn.Linear(3, 4), mg.nn.Tanh(), mg.nn.Linear(4, 1))
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    before = [p.numpy().copy() for p in ours.parameters()]
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((8, 3)).astype("float32"), rng.standard_normal((8, 1))
    mine = _train(mg, mg.nn, ours, mg.tensor(x), mg.tensor(y, dtype="float32"))
    reference = _train(torch, torch.nn, theirs, torch.tensor(x), torch.tensor(y).float())
    for a, b, start in zip(mine, reference, before):
        assert np.abs(a - start).max() > 1e-3  # the loop did train
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def _train_through_data(model, x, y, steps=5, lr=0.1):
    """The loop of older PyTorch code: updates written through ``p.data``, outside no_grad."""
    for step in range(steps):
        loss = ((model(x) - y) ** 2).mean()
        for p in model.parameters():
            p.grad = None
        loss.backward()
        for p in model.parameters():
            if step % 2:
                p.data -= lr * p.grad
            else:
                p.data.add_(p.grad, alpha=-lr)
    return [p.detach().numpy() for p in model.parameters()]


def test_updates_through_data_train_to_torch_s_weights():
    torch.manual_seed(1)
    theirs = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 1))
    theirs = theirs.double()
    ours = mg.nn.Sequential(mg.nn.Linear(3, 4), mg.nn.Tanh(), mg.nn.Linear(4, 1)).double()
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    before = [p.numpy().copy() for p in ours.parameters()]
    rng = np.random.default_rng(1)
    x, y = rng.standard_normal((8, 3)), rng.standard_normal((8, 1))
    mine = _train_through_data(ours, mg.tensor(x), mg.tensor(y))
    reference = _train_through_data(theirs, torch.tensor(x), torch.tensor(y))
    for a, b, start in zip(mine, reference, before):
        assert np.abs(a - start).max() > 1e-3  # the loop did train
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)


def test_data_is_a_tensor_that_shares_storage_and_does_not_require_grad():
    for lib in (mg, torch):
        w = lib.ones(3, dtype=lib.float64, requires_grad=True)
        d = w.data
        assert isinstance(d, lib.Tensor) and not d.requires_grad and d.size() == w.size()
        d.fill_(2.0)
        assert w.tolist() == [2.0, 2.0, 2.0]
        w.data.zero_()
        assert w.tolist() == [0.0, 0.0, 0.0]
        lib.manual_seed(0)
        w.data.normal_()
        assert w.data.abs().sum().item() > 0 and w.requires_grad


def test_assigning_data_replaces_values_and_shape_like_torch():
    for lib in (mg, torch):
        w = lib.zeros(2, dtype=lib.float64, requires_grad=True)
        w.data = lib.tensor([[1.0, 2.0, 3.0]], dtype=lib.float64)
        assert w.shape == (1, 3) and w.tolist() == [[1.0, 2.0, 3.0]] and w.requires_grad
        assert w.is_leaf
        (w * 2.0).sum().backward()
        assert w.grad.tolist() == [[2.0, 2.0, 2.0]]


@pytest.mark.parametrize("fill", ["normal_", "uniform_", "zero_"])
def test_initialising_through_data_writes_into_the_parameter(fill):
    ours, theirs = mg.nn.Linear(30, 20).double(), torch.nn.Linear(30, 20).double()
    for layer in (ours, theirs):
        before = layer.weight.detach().numpy().copy()
        getattr(layer.weight.data, fill)()
        after = layer.weight.detach().numpy()
        assert after.shape == (20, 30) and not np.any(after == before)
        assert layer.weight.requires_grad and layer.weight.is_leaf
        if fill == "zero_":
            assert not after.any()
        else:  # N(0, 1) or U(0, 1): PyTorch's defaults
            assert abs(after.mean() - (0.0 if fill == "normal_" else 0.5)) < 0.1
            assert (fill == "normal_") == (after.min() < 0.0)


def test_assigning_data_can_change_the_dtype_like_torch():
    x, tx = _pair([1.0, 2.0], requires_grad=True)
    new = np.arange(6.0).reshape(2, 3)
    x.data, tx.data = mg.tensor(new, dtype="float32"), torch.tensor(new, dtype=torch.float32)
    for t in (x, tx):
        (t * t).sum().backward()
    assert x.dtype == np.float32 and x.grad.dtype == np.float32
    _same(x, tx)
    _same(x.grad, tx.grad)


def test_assigning_data_shares_the_other_tensor_s_array_and_bumps_the_version():
    x, tx = _pair([1.0, 2.0])
    y, ty = _pair([3.0, 4.0])
    version = x.version
    x.data, tx.data = y, ty
    y.add_(1.0)
    ty.add_(1.0)
    assert x.tolist() == tx.tolist() == [4.0, 5.0]
    assert x.version > version


def test_assigning_data_from_another_device_is_refused_naming_both():
    x = mg.tensor([1.0, 2.0])
    with pytest.raises(RuntimeError, match=r"x\.data = a tensor on strict:device1, but x is on "
                                           r"cpu; move it with \.to\('cpu'\) first"):
        x.data = mg.tensor([1.0, 2.0], device="strict:device1")
    assert x.device == "cpu" and x.tolist() == [1.0, 2.0]


def test_the_raw_array_cannot_be_reassigned():
    x = mg.tensor([1.0, 2.0])
    with pytest.raises(AttributeError):
        x.array = np.zeros(2)


def test_a_graph_recorded_before_a_change_through_data_refuses_backward():
    """Where torch's .data hides the change, its stale graph computes the gradient from the new
    values; minigrad's shares the version counter, so the stale graph is refused."""
    x, tx = _pair([1.0, 2.0], requires_grad=True)
    torch_loss = (tx * tx).sum()
    tx.data.add_(1.0)
    torch_loss.backward()
    assert tx.grad.tolist() == [4.0, 6.0]  # 2 (x + 1): not the gradient of the loss computed
    loss = (x * x).sum()
    x.data.add_(1.0)
    with pytest.raises(RuntimeError, match=r"backward through Mul: its input 0 \(shape \(2,\)\) "
                                           "was changed in place"):
        loss.backward()
    assert x.grad is None


def test_minus_equals_on_a_free_leaf_keeps_it_a_leaf_that_requires_grad():
    (w, tw) = _pair([1.0, -2.0], requires_grad=True)
    for lib, t in ((mg, w), (torch, tw)):
        (t * t).sum().backward()
        same_object = t
        with lib.no_grad():
            t -= 0.1 * t.grad
        assert t is same_object and t.requires_grad and t.is_leaf
    _same(w, tw)


def test_in_place_is_seen_through_every_reference_and_bumps_the_version():
    x, tx = _pair([1.0, 2.0])
    alias, talias = x, tx
    x += 1
    tx += 1
    _same(alias, talias)
    assert x.version == 1 and tx._version == 1
    state = mg.nn.Linear(2, 1).double()
    weight = state.state_dict()["weight"]
    with mg.no_grad():
        state.weight -= 1.0
    assert np.array_equal(weight.numpy(), state.weight.numpy())  # the state dict follows


def test_in_place_on_a_leaf_that_requires_grad_while_recording_is_refused_like_torch():
    w, tw = _pair([1.0], requires_grad=True)
    with pytest.raises(RuntimeError):
        tw -= 1.0
    with pytest.raises(RuntimeError, match=r"sub_: in-place change of a leaf tensor that "
                                           r"requires grad.*no_grad"):
        w -= 1.0


def test_in_place_on_a_value_a_graph_still_needs_fails_at_backward():
    x, tx = _pair([1.0, 2.0], requires_grad=True)
    for lib, t in ((mg, x), (torch, tx)):
        h = t * 2.0
        y = (h * h).sum()
        with lib.no_grad():
            h += 1.0
        with pytest.raises(RuntimeError, match="in place|inplace"):
            y.backward()


def test_recorded_in_place_arithmetic_on_a_non_leaf_has_torch_s_gradient():
    x, tx = _pair([0.5, -1.0, 2.0], requires_grad=True)
    for t in (x, tx):
        h = t * 2.0
        h += t * t
        h *= 3.0
        h -= t.exp()
        h /= 4.0
        h.tanh().sum().backward()
    _same(x.grad, tx.grad)


# -- silently wrong or dropped -------------------------------------------------------------------

def test_sequential_of_an_ordered_dict_registers_its_modules():
    ours = mg.nn.Sequential(collections.OrderedDict(fc=mg.nn.Linear(2, 3), act=mg.nn.ReLU()))
    theirs = torch.nn.Sequential(collections.OrderedDict(fc=torch.nn.Linear(2, 3),
                                                         act=torch.nn.ReLU()))
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert ours.fc is ours[0]


def test_assigning_a_plain_tensor_to_a_parameter_is_refused_like_torch():
    with pytest.raises(TypeError):
        torch.nn.Linear(2, 2).weight = torch.zeros(2, 2)
    layer = mg.nn.Linear(2, 2)
    with pytest.raises(TypeError, match=r"Linear.weight is a parameter.*nn.Parameter.*copy_"):
        layer.weight = mg.zeros(2, 2)
    layer.weight = mg.nn.Parameter(mg.zeros(2, 2))
    assert len(list(layer.parameters())) == 2


def test_numpy_asarray_of_a_tensor_gives_its_values():
    x, tx = _pair([[1.0, 2.0], [3.0, 4.0]])
    np.testing.assert_array_equal(np.asarray(x), np.asarray(tx))
    assert np.asarray(x).dtype == np.float64
    assert np.asarray(mg.tensor([1.0]), dtype="float64").dtype == np.float64


@pytest.mark.parametrize("call", [
    lambda x: x.var(), lambda x: x.var(0), lambda x: x.var(0, True), lambda x: x.var(1, False),
    lambda x: x.var(dim=1, keepdim=True), lambda x: x.var(1, correction=0),
    lambda x: x.var(unbiased=False), lambda x: x.std(), lambda x: x.std(0, False),
    lambda x: x.std(dim=1, keepdim=True, correction=2), lambda x: x.var(False)])
def test_var_and_std_divide_and_read_positions_as_torch(call):
    rng = np.random.default_rng(0)
    x, tx = _pair(rng.standard_normal((3, 4)), requires_grad=True)
    _same(call(x), call(tx))
    call(x).sum().backward()
    call(tx).sum().backward()
    _same(x.grad, tx.grad)


def test_equal_is_one_bool_and_eq_is_elementwise():
    (a, ta), (b, tb) = _pair([1.0, 2.0]), _pair([1.0, 3.0])
    assert mg.equal(a, a) is torch.equal(ta, ta) is True
    assert mg.equal(a, b) is torch.equal(ta, tb) is False
    assert mg.equal(a, mg.tensor([[1.0, 2.0]])) is False  # shapes differ
    _same(mg.eq(a, b), torch.eq(ta, tb))
    assert mg.allclose(a, a + 1e-9) and not mg.allclose(a, b)
    assert mg.allclose(a, a + 1e-9) == torch.allclose(ta, ta + 1e-9)


_PROMOTIONS = {
    "int64 * float": lambda lib, f32, i64, s64: i64 * 1.5,
    "int64 / float": lambda lib, f32, i64, s64: i64 / 2.0,
    "int64 / int": lambda lib, f32, i64, s64: i64 / 2,
    "int64 / int64": lambda lib, f32, i64, s64: i64 / i64,
    "int64 ** 0.5": lambda lib, f32, i64, s64: i64 ** 0.5,
    "float32 + int64": lambda lib, f32, i64, s64: f32 + i64,
    "float32 * 0-d float64": lambda lib, f32, i64, s64: f32 * s64,
    "0-d float64 - float32": lambda lib, f32, i64, s64: s64 - f32,
    "float32 + float64": lambda lib, f32, i64, s64: f32 + f32.double(),
    "maximum(float32, int64)": lambda lib, f32, i64, s64: lib.maximum(f32, i64),
    "where(c, float32, 0-d float64)": lambda lib, f32, i64, s64: lib.where(f32 > 0, f32, s64),
    "int64 + True": lambda lib, f32, i64, s64: i64 + True,
    "arange(5.)": lambda lib, f32, i64, s64: lib.arange(5.0),
    "arange(5)": lambda lib, f32, i64, s64: lib.arange(5),
}


@pytest.mark.parametrize("case", sorted(_PROMOTIONS))
def test_result_dtypes_are_torch_s(case):
    ours = _PROMOTIONS[case](mg, mg.tensor([1.5, -2.0]), mg.tensor([1, 2]),
                             mg.tensor(2.0, dtype="float64"))
    theirs = _PROMOTIONS[case](torch, torch.tensor([1.5, -2.0]), torch.tensor([1, 2]),
                               torch.tensor(2.0, dtype=torch.float64))
    _same(ours, theirs)


def test_binary_cross_entropy_refuses_a_target_of_another_shape():
    p, t = mg.tensor([[0.2], [0.7], [0.5], [0.9]]), mg.tensor([0.0, 1.0, 1.0, 0.0])
    with pytest.raises(ValueError):
        torch.nn.functional.binary_cross_entropy(torch.tensor(p.numpy()), torch.tensor(t.numpy()))
    with pytest.raises(ValueError, match=r"binary_cross_entropy: target shape \(4,\) differs "
                                         r"from the input's \(4, 1\)"):
        F.binary_cross_entropy(p, t)
    _same(F.binary_cross_entropy(p, t.view(-1, 1)), torch.nn.functional.binary_cross_entropy(
        torch.tensor(p.numpy()), torch.tensor(t.numpy()).view(-1, 1)))


def test_requires_grad_of_a_tensor_made_by_an_op_cannot_be_set():
    x, tx = _pair([1.0], requires_grad=True)
    with pytest.raises(RuntimeError):
        (tx * 2).requires_grad = False
    with pytest.raises(RuntimeError, match=r"requires_grad = False on a tensor made by an op.*"
                                           r"detach\(\)"):
        (x * 2).requires_grad = False
    assert (x * 2).requires_grad_().requires_grad  # True on a non-leaf: nothing to change


def test_backward_twice_without_retain_graph_is_refused_like_torch():
    x, tx = _pair([1.0, 2.0], requires_grad=True)
    for t in (x, tx):
        y = (t.exp() * 3.0).sum()
        y.backward(retain_graph=True)
        y.backward()  # the first kept the graph
        with pytest.raises(RuntimeError, match="second time"):
            y.backward()
    _same(x.grad, tx.grad)


def test_max_with_numpy_s_axis_returns_values_and_indices_as_dim():
    rng = np.random.default_rng(0)
    x, tx = _pair(rng.standard_normal((3, 4)))
    (values, indices), (t_values, t_indices) = x.max(axis=1), tx.max(axis=1)
    _same(values, t_values)
    _same(indices, t_indices)
    _same(x.min(axis=0, keepdims=True).values, tx.min(axis=0, keepdims=True).values)


# -- Python numbers ------------------------------------------------------------------------------

@pytest.mark.parametrize("habit", [
    float, int, lambda t: f"{t:.3f}", lambda t: "%.2f" % t, math.exp, abs,
    lambda t: format(t, ""), lambda t: round(float(t), 1)])
def test_python_number_protocols_read_a_one_element_tensor(habit):
    x, tx = _pair(-2.345)
    ours, theirs = habit(x), habit(tx)
    if isinstance(theirs, torch.Tensor):
        _same(ours, theirs)
    else:
        assert ours == theirs


def test_an_integer_tensor_indexes_a_list_and_counts_a_range():
    n, tn = mg.tensor(3), torch.tensor(3)
    assert list(range(n)) == list(range(tn)) == [0, 1, 2]
    assert ["a", "b", "c", "d"][n] == "d"
    with pytest.raises(TypeError):
        range(torch.tensor(3.0))
    with pytest.raises(TypeError, match="only an integer tensor of one element.*float32"):
        range(mg.tensor(3.0))


def test_norm_takes_p_then_dim():
    rng = np.random.default_rng(0)
    x, tx = _pair(rng.standard_normal((3, 4)), requires_grad=True)
    for call in (lambda t: t.norm(2, dim=1), lambda t: t.norm(1, 1), lambda t: t.norm(3, 0, True),
                 lambda t: t.norm(dim=0)):
        _same(call(x), call(tx))


def test_a_recorded_update_through_data_writes_into_the_parameter_like_torch():
    """``p.data.add_(y)`` with y requiring grad is recorded: p's array takes the new values (every
    tensor sharing it sees them), and the update's gradient flows to y."""
    (p, tp), (y, ty) = _pair([1.0, 2.0], requires_grad=True), _pair([0.5, -1.0],
                                                                     requires_grad=True)
    results = []
    for t, other in ((p, y), (tp, ty)):
        d = t.data
        d.add_(other * other)
        assert t.tolist() == d.tolist() == [1.25, 3.0]  # the parameter holds the new values
        assert d.requires_grad and not d.is_leaf and t.is_leaf
        d.sum().backward()
        results.append(other.grad)
    _same(*results)


def test_a_recorded_in_place_update_keeps_the_old_value_for_its_gradient():
    """p.data.mul_(y) recorded: p's array is overwritten, and the VJP for y still uses p's value
    from before the update (kept aside), as torch's does."""
    (p, tp), (y, ty) = _pair([1.0, 2.0], requires_grad=True), _pair([3.0, 4.0], requires_grad=True)
    grads = []
    for source, other in ((p, y), (tp, ty)):
        d = source.data
        d.mul_(other)
        assert source.tolist() == [3.0, 8.0]  # written into the parameter's array
        (d * d).sum().backward()
        grads.append(other.grad)
    _same(*grads)
    assert y.grad.tolist() == [2 * 3.0 * 1.0 ** 2, 2 * 4.0 * 2.0 ** 2]  # 2 y p_old^2
