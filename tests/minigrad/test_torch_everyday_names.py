"""Issue 35's everyday names that are not ops with derivatives (creation, containers, grad
modes, conversions, tests of values): the same shapes, dtypes, names and values as PyTorch's.
Skipped without PyTorch."""

import numpy as np
import pytest

import minigrad as mg
from minigrad import nn

torch = pytest.importorskip("torch")


def _dtype_name(t):
    return str(t.dtype).removeprefix("torch.")


@pytest.mark.parametrize("make", [
    lambda lib: lib.eye(3), lambda lib: lib.eye(2, 4), lambda lib: lib.linspace(0, 1, 5),
    lambda lib: lib.empty(2, 3), lambda lib: lib.full_like(lib.zeros(2, 2), 7.0),
    lambda lib: lib.arange(1, 4), lambda lib: lib.arange(0, 1, 0.25),
    lambda lib: lib.zeros(2, dtype=lib.long), lambda lib: lib.ones(2, dtype=lib.float),
    lambda lib: lib.ones(2, dtype=lib.half), lambda lib: lib.ones(2, dtype=lib.int)])
def test_creation_has_torch_s_shape_dtype_and_values(make):
    ours, theirs = make(mg), make(torch)
    assert ours.shape == tuple(theirs.shape) and mg.backend.dtype_name(ours.dtype) == \
        _dtype_name(theirs)
    if "empty" not in repr(make.__code__.co_names):
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6)


@pytest.mark.parametrize("make", [
    lambda lib: lib.randn_like(lib.zeros(3, 2, dtype=lib.float64)),
    lambda lib: lib.rand_like(lib.zeros(4)), lambda lib: lib.randint(0, 5, (3, 4)),
    lambda lib: lib.randint(7, (2,)), lambda lib: lib.randperm(6)])
def test_random_creation_has_torch_s_shape_dtype_and_range(make):
    ours, theirs = make(mg), make(torch)
    assert ours.shape == tuple(theirs.shape) and mg.backend.dtype_name(ours.dtype) == \
        _dtype_name(theirs)
    if ours.dtype == np.int64:
        assert ours.numpy().min() >= 0 and ours.numpy().max() < 7
    if ours.shape == (6,):
        assert sorted(ours.tolist()) == list(range(6))


def test_module_list_and_module_dict_register_like_torch():
    def build(n):
        model = n.Module()
        model.blocks = n.ModuleList([n.Linear(2, 3), n.Identity()])
        model.blocks.append(n.Linear(3, 1))
        model.heads = n.ModuleDict({"a": n.Linear(1, 1), "b": n.Softmax(dim=1)})
        return model

    ours, theirs = build(nn), build(torch.nn)
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert len(ours.blocks) == 3 and list(ours.heads) == ["a", "b"] and "a" in ours.heads
    assert isinstance(ours.blocks[1:], nn.ModuleList)
    with pytest.raises(TypeError, match="ModuleList: '3' is a function, not a Module"):
        ours.blocks.append(lambda x: x)


def test_no_grad_and_inference_mode_decorate_with_or_without_parentheses():
    x, tx = mg.ones(2, requires_grad=True), torch.ones(2, requires_grad=True)
    for lib, t in ((mg, x), (torch, tx)):
        for decorator in (lib.no_grad, lib.no_grad(), lib.inference_mode, lib.inference_mode()):
            assert not decorator(lambda v: v * 2)(t).requires_grad
        with lib.inference_mode(False):
            assert (t * 2).requires_grad
        assert lib.enable_grad()(lambda v: v * 2)(t).requires_grad


def test_conversions_and_tests_of_values_match_torch():
    values = [1.5, float("nan"), -2.0, float("inf")]
    x, tx = mg.tensor(values), torch.tensor(values)
    for call in (lambda t: t.isnan(), lambda t: t.isinf(), lambda t: t.isfinite(),
                 lambda t: (t > 0).any(), lambda t: (t > 0).all(), lambda t: (t > 0).long(),
                 lambda t: t.to(torch.float64 if isinstance(t, torch.Tensor) else mg.float64),
                 lambda t: t.isfinite().all(dim=0), lambda t: (t > 0).any(0, keepdim=True)):
        ours, theirs = call(x), call(tx)
        assert ours.shape == tuple(theirs.shape)
        assert mg.backend.dtype_name(ours.dtype) == _dtype_name(theirs)
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def _two_inputs(lib):
    rng = np.random.default_rng(0)
    return tuple(lib.tensor(rng.standard_normal(s)) for s in [(3,), (3,)])


def _flattened(result):
    """The tensors of a nest of tuples, in order."""
    if hasattr(result, "shape"):
        return [result]
    return [t for item in result for t in _flattened(item)]


@pytest.mark.parametrize("name", ["jacobian", "vjp", "jvp", "hvp", "hessian"])
def test_autograd_functional_matches_torch(name):
    def scalar(x, y):
        return ((x * y).sin() * x.sum() + y * y * x).sum()

    def vector(x, y):
        return (x * y).sin() * x.sum() + y * y

    ours, theirs = _two_inputs(mg), _two_inputs(torch)
    v_ours, v_theirs = ours[0] * 0.5 + 1.0, theirs[0] * 0.5 + 1.0
    calls = {
        "jacobian": lambda lib, xs, v: lib.autograd.functional.jacobian(vector, xs),
        "vjp": lambda lib, xs, v: lib.autograd.functional.vjp(vector, xs, v),
        "jvp": lambda lib, xs, v: lib.autograd.functional.jvp(vector, xs, (v, v * 2.0)),
        "hvp": lambda lib, xs, v: lib.autograd.functional.hvp(scalar, xs, (v, v)),
        "hessian": lambda lib, xs, v: lib.autograd.functional.hessian(
            lambda x: scalar(x, x * 0.3), xs[0]),
    }
    mine, reference = calls[name](mg, ours, v_ours), calls[name](torch, theirs, v_theirs)
    for a, b in zip(_flattened(mine), _flattened(reference), strict=True):
        np.testing.assert_allclose(a.numpy(), b.detach().numpy(), rtol=1e-12, atol=1e-14)


def test_autograd_grad_and_backward_match_torch():
    for lib in (mg, torch):
        x, y = _two_inputs(lib)
        x.requires_grad_(), y.requires_grad_()
        (gx,) = lib.autograd.grad((x * y).sum(), x, create_graph=True)
        lib.autograd.backward([(gx * gx).sum(), (y * 2.0).sum()])
        if lib is mg:
            ours = (gx.numpy(), y.grad.numpy())
    np.testing.assert_allclose(ours[0], gx.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(ours[1], y.grad.numpy(), rtol=1e-12)


def test_tensor_queries_and_new_tensors_match_torch():
    for lib in (mg, torch):
        x = lib.tensor([[1.0, 2.0, 3.0]], requires_grad=True)
        h = x * 3.0
        h.retain_grad()
        (h * h).sum().backward()
        assert (x.dim(), x.nelement(), x.is_floating_point(), lib.tensor([1]).is_floating_point()) \
            == (2, 3, True, False)
        assert x.grad_fn is None and h.grad_fn is not None
        made = (x.new_ones(2), x.new_full((2,), 7.0), x.new_tensor([1, 2]))
        if lib is mg:
            ours = (h.grad.numpy(), [t.numpy() for t in made])
    np.testing.assert_array_equal(ours[0], h.grad.numpy())
    for a, b in zip(ours[1], made):
        np.testing.assert_array_equal(a, b.numpy())
        assert a.dtype == b.numpy().dtype


def test_module_requires_grad_freezes_its_parameters():
    model = nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 1))
    assert model[0].requires_grad_(False) is model[0]
    assert [p.requires_grad for p in model.parameters()] == [False, False, True, True]
    model(mg.ones(1, 2)).sum().backward()
    assert model[0].weight.grad is None and model[1].weight.grad is not None


def test_data_loader_batches_as_torch_s():
    x, y = np.arange(14.0, dtype="float32").reshape(7, 2), np.arange(7)
    for drop_last in (False, True):
        ours = mg.utils.data.DataLoader(mg.utils.data.TensorDataset(mg.tensor(x), mg.tensor(y)),
                                        batch_size=3, drop_last=drop_last)
        theirs = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(
            torch.tensor(x), torch.tensor(y)), batch_size=3, drop_last=drop_last)
        assert len(ours) == len(theirs)
        for (a, b), (ta, tb) in zip(ours, theirs, strict=True):
            np.testing.assert_array_equal(a.numpy(), ta.numpy())
            np.testing.assert_array_equal(b.numpy(), tb.numpy())
    pairs = [(mg.tensor(row), int(label)) for row, label in zip(x, y)]  # a plain dataset
    (features, labels), *_ = mg.utils.data.DataLoader(pairs, batch_size=4)
    assert features.shape == (4, 2) and labels.tolist() == [0, 1, 2, 3]
    mg.manual_seed(0)
    shuffled = [b.tolist() for _, b in mg.utils.data.DataLoader(
        mg.utils.data.TensorDataset(mg.tensor(x), mg.tensor(y)), batch_size=7, shuffle=True)]
    assert sorted(shuffled[0]) == list(range(7)) and shuffled[0] != list(range(7))


def test_boolean_masks_index_pairs_and_item_assignment_match_torch():
    rng = np.random.default_rng(0)
    values = rng.standard_normal((3, 4))
    results = []
    for lib in (mg, torch):
        x = lib.tensor(values, requires_grad=True)
        picked = x[x > 0.2]
        rows = x[lib.tensor([True, False, True])]
        pairs = x[lib.tensor([0, 2, 2]), lib.tensor([1, 3, -1])]
        ((picked ** 2).sum() + rows.sum() + (pairs * 3.0).sum()).backward()
        with lib.no_grad():
            y = x.detach().clone()
            y[0] = 1.5
            y[:, 1] = lib.tensor([7.0, 8.0, 9.0], dtype=lib.float64)
            y[y < 0] = 0.0
            y[1] += 2.0
        results.append([picked.detach().numpy(), rows.detach().numpy(), pairs.detach().numpy(),
                        x.grad.numpy(), y.numpy()])
    for ours, theirs in zip(*results):
        np.testing.assert_array_equal(ours, theirs)


def test_backward_with_inputs_accumulates_into_those_alone():
    results = []
    for lib in (mg, torch):
        a, b = lib.tensor([1.0, 2.0], requires_grad=True), lib.tensor([3.0, 4.0],
                                                                      requires_grad=True)
        h = a * b
        (h * h).sum().backward(inputs=[b, h])
        results.append((a.grad, b.grad.numpy(), h.grad.numpy()))
    (ours_a, *ours), (theirs_a, *theirs) = results
    assert ours_a is None and theirs_a is None
    for mine, reference in zip(ours, theirs):
        np.testing.assert_array_equal(mine, reference)


@pytest.mark.parametrize("make", [
    lambda lib: lib.normal(0.0, 2.0, (400,)), lambda lib: lib.normal(lib.zeros(3, 4), 1.0),
    lambda lib: lib.normal(lib.ones(5, dtype=lib.float64), lib.ones(5, dtype=lib.float64)),
    lambda lib: lib.bernoulli(lib.full((400,), 0.25)),
    lambda lib: lib.multinomial(lib.tensor([[0.2, 0.8, 0.0], [1.0, 0.0, 3.0]]), 2),
    lambda lib: lib.multinomial(lib.tensor([1.0, 1.0, 2.0]), 6, replacement=True)])
def test_random_distributions_have_torch_s_shapes_dtypes_and_support(make):
    mg.manual_seed(0)
    torch.manual_seed(0)  # both draws fixed: the mean comparison cannot fail by chance
    ours, theirs = make(mg), make(torch)
    assert ours.shape == tuple(theirs.shape)
    assert mg.backend.dtype_name(ours.dtype) == _dtype_name(theirs)
    if ours.shape == (400,):
        assert ours.numpy().mean() == pytest.approx(theirs.numpy().mean(), abs=0.25)
    if ours.dtype == np.int64 and ours.ndim == 2:  # without replacement: distinct, weight > 0
        assert [sorted(set(row)) for row in ours.tolist()] == [[0, 1], [0, 2]]


def _cube_function(lib):
    class Cube(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x, scale):
            ctx.save_for_backward(x)
            ctx.scale = scale
            return x * x * x * scale

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 3.0 * ctx.scale * x * x * g, None

    return Cube


def test_autograd_function_with_ctx_matches_torch_to_the_second_order():
    results = []
    for lib in (mg, torch):
        x = lib.tensor([0.5, -1.5, 2.0], dtype=lib.float64, requires_grad=True)
        y = _cube_function(lib).apply(x.sin(), 2.0)
        (g,) = lib.autograd.grad(y.sum(), x, create_graph=True)
        (h,) = lib.autograd.grad((g * g).sum(), x)
        results.append([t.detach().numpy() for t in (y, g, h)])
    for ours, theirs in zip(*results):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12)
    x = mg.tensor([0.5, 1.5], dtype="float64", requires_grad=True)
    assert mg.testing.gradcheck(lambda t: _cube_function(mg).apply(t, 0.7), [x], order=2)


def test_hooks_where_and_nonzero_match_torch():
    results = []
    for lib in (mg, torch):
        x = lib.tensor([[0.0, 1.0], [2.0, 0.0]], requires_grad=True)
        h = x * 3.0
        seen = []
        handle = h.register_hook(lambda g: seen.append(g.detach().clone()) or g * 10.0)
        (h * h).sum().backward()
        handle.remove()
        results.append([seen[0].numpy(), x.grad.numpy(), *[i.numpy() for i in lib.where(x > 0)],
                        lib.nonzero(x).numpy()])
    for ours, theirs in zip(*results):
        np.testing.assert_array_equal(ours, theirs)


def test_func_grad_vmap_jacrev_and_functional_call_match_torch_func():
    rng = np.random.default_rng(0)
    x, w = rng.standard_normal((4, 3)), rng.standard_normal(3)
    results = []
    for lib in (mg, torch):
        func = lib.func
        weights, batch = lib.tensor(w), lib.tensor(x)

        def loss(v, row):
            return ((row * v).sum().tanh() ** 2, row.sum())

        per_sample_grad = func.vmap(func.grad(loss, has_aux=True), in_dims=(None, 0))
        per_sample, aux = per_sample_grad(weights, batch)
        second = func.grad(lambda v: func.grad(lambda u: (u.sin() * u).sum())(v).sum())(weights)
        jac = func.jacrev(lambda v, row: (row * v).tanh(), 0)(weights, batch[1])
        layer = lib.nn.Linear(3, 2).double()
        params = {"weight": lib.ones(2, 3, dtype=lib.float64),
                  "bias": lib.zeros(2, dtype=lib.float64)}
        called = func.functional_call(layer, params, (batch,))
        results.append([t.detach().numpy() for t in (per_sample, aux, second, jac, called)])
    for ours, theirs in zip(*results):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-14)


def test_scatter_writes_along_a_dim_like_torch_and_refuses_while_recording():
    results = []
    for lib in (mg, torch):
        one_hot = lib.zeros(3, 4).scatter_(1, lib.tensor([[1], [0], [3]]), 1.0)
        placed = lib.zeros(2, 3).scatter_(0, lib.tensor([[1, 0, 1]]),
                                          lib.tensor([[5.0, 6.0, 7.0], [8.0, 9.0, 1.0]]))
        results.append([one_hot.numpy(), placed.numpy()])
    for ours, theirs in zip(*results):
        np.testing.assert_array_equal(ours, theirs)
    with pytest.raises(RuntimeError, match="scatter_ into a tensor of shape .* while recording"):
        mg.ones(2, requires_grad=True).scatter_(0, mg.tensor([0]), 1.0)
