"""Where a PyTorch habit would silently compute something else, minigrad now does what PyTorch
does or refuses with a message that says what to write instead (issue 14)."""

import numpy as np
import pytest

import minigrad as mg
import strategies as S
from minigrad import nn


# -- the Tensor constructor -------------------------------------------------------------------

@pytest.mark.parametrize("data", [[1.0, 2.0], 3.0, (1, 2)])
def test_tensor_constructor_refuses_what_is_not_an_array_and_points_to_mg_tensor(data):
    with pytest.raises(TypeError, match=r"minigrad\.tensor\(data\)"):
        mg.Tensor(data)


def test_tensor_constructor_refuses_a_tensor():
    with pytest.raises(TypeError, match="Tensor\\(Tensor\\)"):
        mg.Tensor(mg.zeros(2))


def test_tensor_constructor_wraps_an_array_as_it_is_and_from_numpy_says_so():
    array = np.zeros(3)
    for t in (mg.Tensor(array), mg.from_numpy(array)):
        assert t.dtype == np.float64 and t.device == "cpu"
        array[0] += 1.0
        assert t.numpy()[0] == array[0]  # shares memory
    copied = mg.tensor(array, dtype="float32")
    array[1] = 5.0
    assert copied.dtype == np.float32 and copied.numpy()[1] == 0.0


def test_from_numpy_refuses_a_list():
    with pytest.raises(TypeError, match="from_numpy.*numpy.ndarray.*minigrad.tensor"):
        mg.from_numpy([1.0])


# -- a float32 layer given float64 input ------------------------------------------------------

_MIXED = {
    "linear": lambda x: mg.nn.Linear(3, 2)(x),
    "matmul": lambda x: x @ mg.ones(3, 2),
    "conv2d": lambda x: mg.nn.Conv2d(3, 2, 1)(x.reshape(2, 3, 1, 1)),
    "conv_transpose2d": lambda x: mg.nn.ConvTranspose2d(3, 2, 1)(x.reshape(2, 3, 1, 1)),
    "batch_norm": lambda x: mg.nn.BatchNorm1d(3)(x),
}


@pytest.mark.parametrize("op", sorted(_MIXED))
def test_float32_layer_refuses_float64_input_naming_op_dtypes_and_fix(op):
    x = mg.tensor(np.ones((2, 3)), dtype="float64")
    with pytest.raises(TypeError) as error:
        _MIXED[op](x)
    message = str(error.value)
    assert message.startswith(f"{op}: ") and "float64" in message and "float32" in message
    assert ".float()" in message and "module.double()" in message
    assert _MIXED[op](x.astype("float32")).dtype == np.float32  # the fix works


# -- zero gradients, not None, for parameters used through a mask -------------------------------

_MASKS = {
    "relu": lambda h: h.relu(),
    "leaky_relu": lambda h: mg.leaky_relu(h, 0.2),
    "clip": lambda h: h.clip(-0.5, 0.5),
    "abs": lambda h: h.abs(),
    "maximum": lambda h: mg.maximum(h, h * 0.5),
    "max": lambda h: h.amax(axis=1, keepdims=True).broadcast_to(h.shape),
}


@pytest.mark.parametrize("activation", sorted(_MASKS))
def test_gradient_penalty_gives_zeros_to_a_bias_used_only_through_a_mask(activation):
    """A WGAN-GP penalty on a one-hidden-layer network: d out / d x does not depend on the first
    bias except through the activation's mask, so PyTorch's backward gives it zeros."""
    rng = np.random.default_rng(0)
    w1, b1, w2 = (mg.tensor(rng.standard_normal(s), requires_grad=True)
                  for s in [(3, 2), (3,), (1, 3)])
    x = mg.tensor(rng.standard_normal((4, 2)), requires_grad=True)
    out = mg.nn.functional.linear(_MASKS[activation](mg.nn.functional.linear(x, w1, b1)), w2)
    (gx,) = mg.grad(out.sum(), x, create_graph=True)
    penalty = (gx * gx).sum()
    penalty.backward(retain_graph=True)  # grad goes through the same graph below
    assert b1.grad is not None and b1.grad.shape == (3,)
    np.testing.assert_array_equal(b1.grad.numpy(), np.zeros(3))
    assert np.any(w1.grad.numpy() != 0)
    (g_b1,) = mg.grad(penalty, b1)  # the same through grad: zeros, not "unused"
    np.testing.assert_array_equal(g_b1.numpy(), np.zeros(3))


def test_a_parameter_the_outputs_do_not_use_still_has_no_gradient():
    used, unused = mg.ones(2, requires_grad=True), mg.ones(2, requires_grad=True)
    (used * 2.0).sum().backward()
    assert unused.grad is None
    with pytest.raises(RuntimeError, match="was not used"):
        mg.grad((used * 2.0).sum(), [used, unused])


# -- errors that misled, and the everyday names -------------------------------------------------

def test_relu_leaky_relu_and_dropout_accept_inplace_and_compute_out_of_place():
    x = mg.tensor([-1.0, 2.0])
    functional = mg.nn.functional
    for layer in (mg.nn.ReLU(True), mg.nn.LeakyReLU(0.1, inplace=True),
                  lambda t: functional.relu(t, inplace=True),
                  lambda t: functional.leaky_relu(t, 0.1, True),
                  lambda t: functional.dropout(t, 0.5, True, True)):
        y = layer(x)
        assert y is not x and x.tolist() == [-1.0, 2.0]
    assert mg.nn.LeakyReLU(0.1, True)(x).tolist() == pytest.approx([-0.1, 2.0])


def test_size_and_dim_keepdim_aliases():
    x = mg.tensor(np.arange(6.0).reshape(2, 3))
    assert x.size() == (2, 3) and x.size(1) == 3 and x.size(-2) == 2
    for name in ("sum", "mean", "amax", "amin", "logsumexp", "var"):
        by_dim = getattr(x, name)(dim=1, keepdim=True)
        assert by_dim.tolist() == getattr(x, name)(axis=1, keepdims=True).tolist()
    assert mg.cat([x, x], dim=1).shape == (2, 6) and mg.stack([x, x], dim=2).shape == (2, 3, 2)
    with pytest.raises(TypeError, match="sum: give axis or dim, not both"):
        x.sum(1, dim=1)


def test_the_raw_array_is_array_and_data_is_a_tensor_sharing_it():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    assert type(x.array) is np.ndarray and x.array is x.detach().array
    assert isinstance(x.data, mg.Tensor) and x.data.array is x.array
    assert not x.data.requires_grad and x.data.is_leaf
    with pytest.raises(TypeError, match=r"x\.data = ndarray: assign a tensor, as in PyTorch "
                                        r"\(x\.data = minigrad\.tensor\(array\)"):
        x.data = np.zeros(2)


def test_dtype_helpers():
    x = mg.tensor([1.0, 2.0])
    assert x.double().dtype == np.float64 and x.double().float().dtype == np.float32
    assert mg.double == mg.float64 == "float64"
    model = mg.nn.Sequential(mg.nn.Linear(2, 2), mg.nn.BatchNorm1d(2)).double()
    assert {p.dtype for p in model.parameters()} == {np.dtype("float64")}
    assert model(mg.ones(3, 2, dtype="float64")).dtype == np.float64
    assert next(model.float().parameters()).dtype == np.float32


@pytest.mark.parametrize("device", S.DEVICES)
def test_a_device_object_equals_its_name_and_goes_where_a_name_does(device):
    x = mg.tensor([1.0], device=device)
    assert isinstance(x.device, mg.device) and repr(x.device) == f"device('{device}')"
    assert x.device == device and x.device == mg.device(device) and str(x.device) == device
    assert {device: "found"}[x.device] == "found"  # hashes as its name
    assert mg.zeros(2, device=mg.device(device)).device == device
    assert x.to(mg.device("cpu")).device == "cpu" and x.cpu().device == mg.device("cpu")
    assert mg.device("cuda") == mg.device("cuda", 0) == "cuda:0"
    assert (mg.device("cuda", 1).type, mg.device("cuda", 1).index) == ("cuda", 1)
    assert (mg.device("cpu").type, mg.device("cpu").index) == ("cpu", None)
    with pytest.raises(ValueError, match="unknown device 'tpu'"):
        mg.device("tpu")
    with pytest.raises(TypeError, match="a device is a name such as 'cpu'"):
        mg.device(3)


def test_type_names_the_dtype_and_converts_differentiably():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    assert x.type() == "float32" == mg.float32 and mg.zeros(1, dtype="int64").type() == mg.int64
    y = x.type(mg.double)
    assert y.type() == mg.float64
    (g,) = mg.grad((y * y).sum(), x)
    assert g.type() == mg.float32 and g.tolist() == [2.0, 4.0]
    with pytest.raises(TypeError, match="type: unknown dtype 'torch.DoubleTensor'.*float64"):
        x.type("torch.DoubleTensor")


def test_module_cpu_and_cuda_move_every_parameter():
    model = nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2))
    assert model.cpu() is model and {p.device for p in model.parameters()} == {"cpu"}
    if not _has_gpu():
        with pytest.raises(RuntimeError, match="device 'cuda' needs cupy|no CUDA GPU is usable"):
            model.cuda()


def _has_gpu():
    try:
        import cupy
        return cupy.cuda.runtime.getDeviceCount() > 0
    except Exception:  # no cupy, or no driver
        return False


@pytest.mark.parametrize("device", S.DEVICES)
def test_argmax_and_eq(device):
    values = np.array([[1.0, 5.0, 5.0], [7.0, 0.0, 7.0]])
    x = mg.tensor(values, device=device)
    assert x.argmax().item() == 3  # the first of the tied maxima (7), in the flattened tensor
    np.testing.assert_array_equal(x.argmax(dim=1).numpy(), [1, 0])
    np.testing.assert_array_equal(mg.argmax(x, dim=0, keepdim=True).numpy(), [[1, 0, 1]])
    assert x.argmax(keepdim=True).shape == (1, 1)
    np.testing.assert_array_equal(x.eq(7.0).numpy(), values == 7.0)
    np.testing.assert_array_equal(mg.eq(x, x).numpy(), np.ones((2, 3), dtype=bool))
    leaf = mg.tensor(values, requires_grad=True, device=device)
    assert not leaf.argmax(dim=1).requires_grad  # an index is a constant of the graph
    with pytest.raises(ValueError, match="argmax: the tensor of shape \\(0,\\) is empty"):
        mg.zeros(0).argmax()


@pytest.mark.parametrize("device", S.DEVICES)
@pytest.mark.parametrize("p", [1, 2, 3.0])
def test_norm(device, p):
    x = np.array([[0.5, -1.5, 2.0], [-0.7, 1.1, 0.9]])
    leaf = S.leaf(x, device)
    for dim in (None, 1):
        np.testing.assert_allclose(leaf.norm(p=p, dim=dim).numpy(),
                                   np.linalg.norm(x if dim else x.ravel(), ord=p, axis=dim),
                                   rtol=1e-12)
    S.check_derivatives(lambda t: t.norm(p=p, dim=1), leaf)


def test_clip_grad_norm_scales_all_gradients_together_as_torch_does():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal((3, 4)), rng.standard_normal(5), rng.standard_normal(2)]
    ours = [mg.tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    for p, t, a in zip(ours[:2], theirs[:2], arrays):  # the last one has no gradient
        p.grad, t.grad = mg.tensor(3 * a), torch.tensor(3 * a)
    for max_norm in (2.0, 100.0):  # clipped, then left as it is
        total = nn.utils.clip_grad_norm_(ours, max_norm)
        expected = torch.nn.utils.clip_grad_norm_(theirs, max_norm)
        np.testing.assert_allclose(total.item(), expected.item(), rtol=1e-12)
        for p, t in zip(ours[:2], theirs[:2]):
            np.testing.assert_allclose(p.grad.numpy(), t.grad.numpy(), rtol=1e-12)
    assert ours[2].grad is None
    with pytest.raises(ValueError, match="none of the parameters has a gradient"):
        nn.utils.clip_grad_norm_([ours[2]], 1.0)


def test_modules_children_and_apply():
    model = nn.Sequential(nn.Linear(2, 3), nn.Sequential(nn.Tanh(), nn.Linear(3, 1)))
    assert [type(m).__name__ for m in model.modules()] == [
        "Sequential", "Linear", "Sequential", "Tanh", "Linear"]
    children = model.children()
    assert next(children) is model[0] and next(children) is model[1]
    visited = []
    assert model.apply(lambda m: visited.append(type(m).__name__)) is model
    assert visited == ["Linear", "Tanh", "Linear", "Sequential", "Sequential"]  # children first


def test_retain_graph_is_accepted_and_a_graph_can_be_swept_again():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    (first,) = mg.grad(y, x, retain_graph=True)
    (again,) = mg.grad(y, x)
    np.testing.assert_array_equal(first.numpy(), again.numpy())
    y.backward(retain_graph=False)
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 4.0])


def test_cuda_and_is_cuda():
    x = mg.tensor([1.0])
    assert not x.is_cuda
    if _has_gpu():
        assert x.cuda().is_cuda and x.cuda().device == "cuda:0"
    else:
        with pytest.raises(RuntimeError, match="device 'cuda' needs cupy|no CUDA GPU is usable"):
            x.cuda()


@pytest.mark.parametrize("device", S.DEVICES)
def test_classification_losses_are_differentiable_twice_and_compile(device):
    rng = np.random.default_rng(0)
    logits = S.leaf(rng.standard_normal((4, 3)), device)
    target = mg.tensor([2, 0, 1, 2], device=device)
    S.check_derivatives(lambda x, t: nn.functional.cross_entropy(x, t), logits, target)
    probabilities = S.leaf(rng.uniform(0.1, 0.9, (4, 3)), device)
    labels = mg.tensor(rng.uniform(0, 1, (4, 3)), device=device)
    S.check_derivatives(lambda p, t: nn.functional.binary_cross_entropy(p, t), probabilities,
                        labels)


def test_loss_modules_call_their_functions_with_the_reduction():
    x, t = mg.tensor([[0.2, -1.0], [1.5, 0.3]]), mg.tensor([1, 0])
    assert nn.CrossEntropyLoss()(x, t).item() == nn.functional.cross_entropy(x, t).item()
    summed = nn.NLLLoss(reduction="sum")(x, t).item()
    assert summed == pytest.approx(-(-1.0 + 1.5))
    assert nn.MSELoss(reduction="none")(x, x * 2.0).shape == (2, 2)
    assert "reduction='sum'" in repr(nn.BCELoss(reduction="sum"))
    probabilities = mg.tensor([0.0, 1.0])
    with np.errstate(divide="ignore"):  # log(0), clamped at -100 as in PyTorch
        assert nn.BCELoss()(probabilities, mg.tensor([1.0, 0.0])).item() == pytest.approx(100.0)


def test_a_classification_target_must_be_integer_class_indices():
    with pytest.raises(TypeError, match="cross_entropy: target must be a 1-d integer tensor of "
                       "class indices, or class probabilities of shape \\(2, 3\\), got shape"):
        nn.functional.cross_entropy(mg.zeros(2, 3), mg.tensor([0.0, 1.0]))
    with pytest.raises(TypeError, match="nll_loss: target must be a 1-d integer tensor of class "
                       "indices, got shape \\(2, 3\\)"):
        nn.functional.nll_loss(mg.zeros(2, 3), mg.zeros(2, 3))
    with pytest.raises(ValueError, match="nll_loss: expects \\(N, C\\) inputs"):
        nn.functional.nll_loss(mg.zeros(3), mg.tensor([0]))
