"""For each PyTorch name minigrad claims, the same computation in PyTorch and in minigrad on random
float64 inputs: the values, the gradients and second derivatives (the gradient of the squared
norm of the gradient), where the op is differentiable. Skipped without PyTorch."""

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F

torch = pytest.importorskip("torch")
TF = torch.nn.functional

CLASSES = [2, 0, 3]  # the class indices of the classification losses' three rows
WEIGHTS = [0.5, 2.0, 1.0, 1.5]  # their class weights
INDICES = [[0, 4, 1], [1, 1, 3]]  # rows of an embedding table of 5


def _ours(values):
    return mg.tensor(values, dtype="float64")


def _theirs(values):
    return torch.tensor(values, dtype=torch.double)


def _classification(ours, theirs, **options):
    """A case for a classification loss with class-index targets and class weights."""
    return (lambda x: ours(x, mg.tensor(CLASSES), weight=_ours(WEIGHTS), **options),
            lambda x: theirs(x, torch.tensor(CLASSES), weight=_theirs(WEIGHTS), **options),
            [(3, 4)])


# name: (minigrad function, torch function, input shapes); inputs away from kinks and positive
# where the op needs it (see _inputs)
CASES = {
    "exp": (mg.exp, torch.exp, [(3, 4)]),
    "log": (mg.log, torch.log, [(3, 4)]),
    "sqrt": (mg.sqrt, torch.sqrt, [(3, 4)]),
    "tanh": (mg.tanh, torch.tanh, [(3, 4)]),
    "sigmoid": (mg.sigmoid, torch.sigmoid, [(3, 4)]),
    "softplus": (F.softplus, TF.softplus, [(3, 4)]),
    "relu": (F.relu, TF.relu, [(3, 4)]),
    "leaky_relu": (lambda x: F.leaky_relu(x, 0.2), lambda x: TF.leaky_relu(x, 0.2), [(3, 4)]),
    "abs": (mg.abs, torch.abs, [(3, 4)]),
    "pow": (lambda x: x ** 3, lambda x: x ** 3, [(3, 4)]),
    "div": (lambda a, b: a / b, lambda a, b: a / b, [(3, 4), (4,)]),
    "maximum": (mg.maximum, torch.maximum, [(3, 4), (3, 4)]),
    "sum(dim)": (lambda x: x.sum(dim=1), lambda x: x.sum(dim=1), [(3, 4)]),
    "mean(dim, keepdim)": (lambda x: x.mean(dim=0, keepdim=True),
                           lambda x: x.mean(dim=0, keepdim=True), [(3, 4)]),
    "amax(dim)": (lambda x: x.amax(dim=1), lambda x: x.amax(dim=1), [(3, 4)]),
    "amin(dim)": (lambda x: mg.amin(x, dim=(0, 1)), lambda x: torch.amin(x, dim=(0, 1)), [(3, 4)]),
    "max(dim).values": (lambda x: x.max(1).values, lambda x: x.max(1).values, [(3, 4)]),
    "min(dim, keepdim).values": (lambda x: mg.min(x, 0, keepdim=True).values,
                                 lambda x: torch.min(x, 0, keepdim=True).values, [(3, 4)]),
    "var": (lambda x: x.var(dim=1, correction=1), lambda x: x.var(dim=1), [(3, 4)]),
    "logsumexp": (lambda x: x.logsumexp(dim=1), lambda x: x.logsumexp(dim=1), [(3, 4)]),
    "var(dim, unbiased)": (lambda x: x.var(0, True), lambda x: x.var(0, True), [(3, 4)]),
    "std(dim, keepdim)": (lambda x: x.std(1, keepdim=True), lambda x: x.std(1, keepdim=True),
                          [(3, 4)]),
    "std(correction)": (lambda x: mg.std(x, correction=0), lambda x: torch.std(x, correction=0),
                        [(3, 4)]),
    "norm(p, dim)": (lambda x: x.norm(3, dim=1), lambda x: x.norm(3, dim=1), [(3, 4)]),
    "clamp": (lambda x: x.clamp(-0.5, 0.9), lambda x: x.clamp(-0.5, 0.9), [(3, 4)]),
    "pow(method)": (lambda x: x.pow(2) * mg.pow(x, 3), lambda x: x.pow(2) * torch.pow(x, 3),
                    [(3, 4)]),
    "clone": (lambda x: x.clone() * x, lambda x: x.clone() * x, [(3, 4)]),
    "sin": (mg.sin, torch.sin, [(3, 4)]),
    "cos": (lambda x: x.cos(), lambda x: x.cos(), [(3, 4)]),
    "rsqrt": (mg.rsqrt, torch.rsqrt, [(3, 4)]),
    "reciprocal": (lambda x: x.reciprocal(), lambda x: x.reciprocal(), [(3, 4)]),
    "softmax(method)": (lambda x: x.softmax(-1), lambda x: x.softmax(-1), [(3, 4)]),
    "log_softmax(method)": (lambda x: x.log_softmax(0), lambda x: x.log_softmax(0), [(3, 4)]),
    "nn.Softmax": (mg.nn.Softmax(1), torch.nn.Softmax(1), [(3, 4)]),
    "nn.SiLU": (mg.nn.SiLU(), torch.nn.SiLU(), [(3, 4)]),
    "expand(*sizes)": (lambda x: x.expand(2, -1, 4) * 1.5, lambda x: x.expand(2, -1, 4) * 1.5,
                       [(3, 1)]),
    "repeat": (lambda x: x.repeat(2, 1, 3), lambda x: x.repeat(2, 1, 3), [(3, 4)]),
    "flip": (lambda x: x.flip((0, 1)) * x, lambda x: x.flip((0, 1)) * x, [(3, 4)]),
    "chunk": (lambda x: x.chunk(3, 1)[1], lambda x: x.chunk(3, 1)[1], [(3, 4)]),
    "split(sections)": (lambda x: x.split([1, 3], 1)[1], lambda x: x.split([1, 3], 1)[1],
                        [(3, 4)]),
    "unbind": (lambda x: x.unbind(1)[2], lambda x: x.unbind(1)[2], [(3, 4)]),
    "gather": (lambda x: x.gather(1, mg.tensor(INDICES[:1] * 3)),
               lambda x: x.gather(1, torch.tensor(INDICES[:1] * 3)), [(3, 5)]),
    "masked_fill": (lambda x: x.masked_fill(x > 0, 0.5) * x,
                    lambda x: x.masked_fill(x > 0, 0.5) * x, [(3, 4)]),
    "cumsum": (lambda x: (x * x).cumsum(1), lambda x: (x * x).cumsum(1), [(3, 4)]),
    "sort(descending).values": (lambda x: x.sort(0, True).values * x,
                                lambda x: x.sort(0, True).values * x, [(3, 4)]),
    "topk.values": (lambda x: x.topk(2).values ** 2, lambda x: x.topk(2).values ** 2, [(3, 4)]),
    "mm": (mg.mm, torch.mm, [(3, 4), (4, 2)]),
    "bmm": (mg.bmm, torch.bmm, [(2, 3, 4), (2, 4, 2)]),
    "dot": (mg.dot, torch.dot, [(4,), (4,)]),
    "outer": (mg.outer, torch.outer, [(3,), (4,)]),
    "nn.ELU": (mg.nn.ELU(0.7), torch.nn.ELU(0.7), [(3, 4)]),
    "prod(dim)": (lambda x: x.prod(1), lambda x: x.prod(1), [(3, 5)]),
    "prod": (lambda x: x.prod(), lambda x: x.prod(), [(3, 4)]),
    "layer_norm": (lambda x, w, b: F.layer_norm(x, (3, 4), w, b),
                   lambda x, w, b: TF.layer_norm(x, (3, 4), w, b), [(2, 3, 4), (3, 4), (3, 4)]),
    "cat": (lambda a, b: mg.cat([a, b], dim=1), lambda a, b: torch.cat([a, b], dim=1),
            [(3, 4), (3, 2)]),
    "stack": (lambda a, b: mg.stack([a, b], dim=1), lambda a, b: torch.stack([a, b], dim=1),
              [(3, 4), (3, 4)]),
    "matmul": (mg.matmul, torch.matmul, [(2, 3, 4), (4, 5)]),
    "transpose": (lambda x: x.transpose(0, 2), lambda x: x.transpose(0, 2), [(2, 3, 4)]),
    "permute": (lambda x: x.permute(2, 0, 1), lambda x: x.permute(2, 0, 1), [(2, 3, 4)]),
    "reshape": (lambda x: x.reshape(4, -1), lambda x: x.reshape(4, -1), [(2, 3, 4)]),
    "view": (lambda x: x.view(4, -1), lambda x: x.view(4, -1), [(2, 3, 4)]),
    "squeeze": (lambda x: x.squeeze(1), lambda x: x.squeeze(1), [(2, 1, 4)]),
    "unsqueeze": (lambda x: x.unsqueeze(-2), lambda x: x.unsqueeze(-2), [(2, 3)]),
    "flatten": (lambda x: x.flatten(1), lambda x: x.flatten(1), [(2, 3, 4)]),
    "t": (lambda x: x.t(), lambda x: x.t(), [(2, 3)]),
    "narrow": (lambda x: x.narrow(2, -3, 2), lambda x: x.narrow(2, -3, 2), [(2, 3, 4)]),
    "linear": (F.linear, TF.linear, [(5, 3), (4, 3), (4,)]),
    "conv2d": (lambda x, w, b: F.conv2d(x, w, b, stride=2, padding=1),
               lambda x, w, b: TF.conv2d(x, w, b, stride=2, padding=1),
               [(2, 3, 5, 5), (4, 3, 3, 3), (4,)]),
    "conv_transpose2d": (lambda x, w, b: F.conv_transpose2d(x, w, b, 2, 1, 1),
                         lambda x, w, b: TF.conv_transpose2d(x, w, b, 2, 1, 1),
                         [(2, 3, 3, 3), (3, 4, 3, 3), (4,)]),
    "batch_norm(training)": (lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True),
                             lambda x, w, b: TF.batch_norm(x, None, None, w, b, training=True),
                             [(6, 3), (3,), (3,)]),
    "binary_cross_entropy_with_logits": (F.binary_cross_entropy_with_logits,
                                         TF.binary_cross_entropy_with_logits, [(3, 4), (3, 4)]),
    "mse_loss": (F.mse_loss, TF.mse_loss, [(3, 4), (3, 4)]),
    "binary_cross_entropy": (lambda x, t: F.binary_cross_entropy(x.sigmoid(), t.sigmoid()),
                             lambda x, t: TF.binary_cross_entropy(x.sigmoid(), t.sigmoid()),
                             [(3, 4), (3, 4)]),
    "log_softmax": (lambda x: F.log_softmax(x, 1), lambda x: TF.log_softmax(x, 1), [(3, 4)]),
    "cross_entropy": (lambda x: F.cross_entropy(x, mg.tensor(CLASSES)),
                      lambda x: TF.cross_entropy(x, torch.tensor(CLASSES)), [(3, 4)]),
    "nll_loss(sum)": (lambda x: F.nll_loss(x, mg.tensor(CLASSES), reduction="sum"),
                      lambda x: TF.nll_loss(x, torch.tensor(CLASSES), reduction="sum"), [(3, 4)]),
    "cross_entropy(weight, ignore_index, label_smoothing)": _classification(
        F.cross_entropy, TF.cross_entropy, ignore_index=0, label_smoothing=0.2),
    "cross_entropy(weight, label_smoothing, none)": _classification(
        F.cross_entropy, TF.cross_entropy, label_smoothing=0.3, reduction="none"),
    "nll_loss(weight, ignore_index)": _classification(
        lambda x, t, **o: F.nll_loss(F.log_softmax(x, 1), t, **o),
        lambda x, t, **o: TF.nll_loss(TF.log_softmax(x, 1), t, **o), ignore_index=3),
    "cross_entropy(probabilities, weight, label_smoothing)": (
        lambda x, t: F.cross_entropy(x, F.softmax(t, 1), _ours(WEIGHTS), label_smoothing=0.1),
        lambda x, t: TF.cross_entropy(x, TF.softmax(t, 1), _theirs(WEIGHTS), label_smoothing=0.1),
        [(3, 4), (3, 4)]),
    "binary_cross_entropy(weight)": (
        lambda x, t: F.binary_cross_entropy(x.sigmoid(), t.sigmoid(), _ours(WEIGHTS)),
        lambda x, t: TF.binary_cross_entropy(x.sigmoid(), t.sigmoid(), _theirs(WEIGHTS)),
        [(3, 4), (3, 4)]),
    "binary_cross_entropy_with_logits(weight, pos_weight, sum)": (
        lambda x, t: F.binary_cross_entropy_with_logits(
            x, t.sigmoid(), _ours([[0.5], [2.0], [1.0]]), reduction="sum",
            pos_weight=_ours(WEIGHTS)),
        lambda x, t: TF.binary_cross_entropy_with_logits(
            x, t.sigmoid(), _theirs([[0.5], [2.0], [1.0]]), reduction="sum",
            pos_weight=_theirs(WEIGHTS)),
        [(3, 4), (3, 4)]),
    "softmax": (lambda x: F.softmax(x, 0), lambda x: TF.softmax(x, 0), [(3, 4)]),
    "max_pool2d": (lambda x: F.max_pool2d(x, 3, 2, 1), lambda x: TF.max_pool2d(x, 3, 2, 1),
                   [(2, 3, 7, 6)]),
    "max_pool2d(dilation, no stride)": (lambda x: F.max_pool2d(x, (2, 3), None, (1, 0), 2),
                                        lambda x: TF.max_pool2d(x, (2, 3), None, (1, 0), 2),
                                        [(1, 2, 6, 8)]),
    "embedding(padding_idx)": (lambda w: F.embedding(mg.tensor(INDICES), w, padding_idx=1),
                               lambda w: TF.embedding(torch.tensor(INDICES), w, padding_idx=1),
                               [(5, 3)]),
    "dropout(eval)": (lambda x: F.dropout(x, 0.3, training=False),
                      lambda x: TF.dropout(x, 0.3, training=False), [(3, 4)]),
}

_POSITIVE = {"log", "sqrt", "rsqrt", "div", "binary_cross_entropy_with_logits"}


def _inputs(name, shapes, seed=0):
    rng = np.random.default_rng(seed)
    arrays = []
    for shape in shapes:
        array = rng.uniform(0.3, 1.5, shape) * rng.choice([-1.0, 1.0], shape)
        arrays.append(np.abs(array) if name in _POSITIVE else array)
    return arrays


def _three_orders(lib, function, arrays, seed_grad):
    if lib is mg:
        xs = [mg.tensor(a, requires_grad=True) for a in arrays]
        out = function(*xs)
        first = mg.grad((out * mg.tensor(seed_grad)).sum(), xs, create_graph=True)
        norm = sum((g * g).sum() for g in first)
        second = mg.grad(norm, xs, allow_unused=True) if norm.requires_grad else [None] * len(xs)
        as_numpy = lambda t: t.numpy()  # noqa: E731
    else:
        xs = [torch.tensor(a, requires_grad=True) for a in arrays]
        out = function(*xs)
        first = torch.autograd.grad((out * torch.tensor(seed_grad)).sum(), xs, create_graph=True)
        norm = sum((g * g).sum() for g in first)
        second = torch.autograd.grad(norm, xs, allow_unused=True, materialize_grads=True) \
            if norm.requires_grad else [None] * len(xs)
        as_numpy = lambda t: t.detach().numpy(force=True)  # noqa: E731
    # no second derivative (a linear op, an unused input) is a zero one
    return ([as_numpy(out)], [as_numpy(g) for g in first],
            [np.zeros(a.shape) if g is None else as_numpy(g) for a, g in zip(arrays, second)])


@pytest.mark.parametrize("name", sorted(CASES))
def test_same_values_gradients_and_second_derivatives_as_torch(name):
    ours_fn, theirs_fn, shapes = CASES[name]
    arrays = _inputs(name, shapes)
    out_shape = np.shape(theirs_fn(*(torch.tensor(a) for a in arrays)).detach().numpy())
    seed_grad = np.random.default_rng(1).standard_normal(out_shape)
    ours = _three_orders(mg, ours_fn, arrays, seed_grad)
    theirs = _three_orders(torch, theirs_fn, arrays, seed_grad)
    for order, (mine, reference) in enumerate(zip(ours, theirs)):
        for position, (a, b) in enumerate(zip(mine, reference)):
            assert a.shape == b.shape, f"order {order}, input {position}"
            np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12,
                                       err_msg=f"order {order}, input {position}")


def test_lstm_and_adam_carry_over_a_training_step():
    torch.manual_seed(0)
    theirs = torch.nn.LSTM(3, 4, 2, batch_first=True, dtype=torch.float64)
    ours = mg.nn.LSTM(3, 4, 2, batch_first=True, dtype="float64")
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    x = np.random.default_rng(0).standard_normal((2, 5, 3))
    optimizers = (mg.optim.Adam(ours.parameters(), lr=0.01),
                  torch.optim.Adam(theirs.parameters(), lr=0.01))
    for _ in range(3):
        for model, optimizer, wrap in ((ours, optimizers[0], mg.tensor),
                                       (theirs, optimizers[1], torch.from_numpy)):
            optimizer.zero_grad()
            output, (h, c) = model(wrap(x))
            ((output * output).mean() + (h * c).sum()).backward()
            optimizer.step()
    for name, p in theirs.state_dict().items():
        np.testing.assert_allclose(ours.state_dict()[name].numpy(), p.numpy(), rtol=1e-10,
                                   atol=1e-12, err_msg=name)


def test_max_and_max_pool2d_indices_at_ties_and_nans_are_torch_s():
    x = np.array([[[[1.0, 1.0, 0.5], [1.0, 1.0, 0.5], [0.5, 1.0, 1.0]]]])
    nans = np.array([[[[np.nan, 1.0, np.nan], [2.0, np.nan, 0.5], [0.5, 1.0, 1.0]]]])
    for data in (x, nans):
        ours = mg.nn.functional.max_pool2d(mg.tensor(data), 2, 1, 1, return_indices=True)
        theirs = TF.max_pool2d(torch.tensor(data), 2, 1, 1, return_indices=True)
        for a, b in zip(ours, theirs):
            np.testing.assert_array_equal(a.numpy(), b.numpy())
    for dim in (0, 1, 2, 3):
        for name in ("max", "min"):
            mine, reference = getattr(mg.tensor(x), name)(dim), getattr(torch.tensor(x), name)(dim)
            np.testing.assert_array_equal(mine.indices.numpy(), reference.indices.numpy())
