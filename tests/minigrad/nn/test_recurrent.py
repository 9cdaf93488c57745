"""nn.LSTM and nn.LSTMCell: the same function as a step-by-step loop written with primitives, and
as PyTorch's with the same weights (values and gradients; several layers, batch_first); PyTorch's
signature, parameter names and shapes, so that a PyTorch state_dict loads."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad as mg
from minigrad.testing import gradcheck, gradgradcheck
from strategies import DEVICES, arrays, check_derivatives

try:
    import torch
except ImportError:
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="PyTorch is not installed")


def _lstm(input_size, hidden_size, device="cpu", bias=True, seed=0):
    mg.manual_seed(seed)
    return mg.nn.LSTM(input_size, hidden_size, bias=bias, device=device, dtype="float64")


def _loop_with_primitives(x, h, c, weight_ih, weight_hh, bias_ih, bias_hh):
    """The LSTM written out with matmul, getitem, sigmoid and tanh, gate order (i, f, g, o);
    x (T, N, I), h and c (N, H). Returns the list of h_t and the final c."""
    hidden = weight_hh.shape[1]
    outputs = []
    for t in range(x.shape[0]):
        gates = mg.matmul(x[t], mg.transpose(weight_ih)) + mg.matmul(h, mg.transpose(weight_hh))
        if bias_ih is not None:
            gates = gates + bias_ih + bias_hh
        i = mg.sigmoid(gates[:, 0 * hidden:1 * hidden])
        f = mg.sigmoid(gates[:, 1 * hidden:2 * hidden])
        g = mg.tanh(gates[:, 2 * hidden:3 * hidden])
        o = mg.sigmoid(gates[:, 3 * hidden:4 * hidden])
        c = f * c + i * g
        h = o * mg.tanh(c)
        outputs.append(h)
    return outputs, c


@st.composite
def lstm_problems(draw):
    """(T, N, I, H), the input x (T, N, I) and the initial state (h0, c0) or None."""
    steps, batch, n_in, hidden = (draw(st.integers(1, 4)) for _ in range(4))
    x = draw(arrays((steps, batch, n_in)))
    state = None
    if draw(st.booleans()):
        state = (draw(arrays((1, batch, hidden))), draw(arrays((1, batch, hidden))))
    return (steps, batch, n_in, hidden), x, state, draw(st.booleans())


@pytest.mark.parametrize("device", DEVICES)
@settings(max_examples=10)
@given(problem=lstm_problems())
def test_lstm_equals_a_loop_of_primitives(device, problem):
    (steps, batch, n_in, hidden), x, state, bias = problem
    lstm = _lstm(n_in, hidden, device, bias=bias)
    x = mg.tensor(x, device=device)
    if state is None:
        output, (h_last, c_last) = lstm(x)
        h0 = c0 = mg.zeros(batch, hidden, dtype="float64", device=device)
    else:
        h0, c0 = (mg.tensor(s, device=device) for s in state)
        output, (h_last, c_last) = lstm(x, (h0, c0))
        h0, c0 = h0.reshape(batch, hidden), c0.reshape(batch, hidden)

    assert output.shape == (steps, batch, hidden)
    assert h_last.shape == c_last.shape == (1, batch, hidden)
    outputs, c_expected = _loop_with_primitives(x, h0, c0, lstm.weight_ih_l0, lstm.weight_hh_l0,
                                                getattr(lstm, "bias_ih_l0", None),
                                                getattr(lstm, "bias_hh_l0", None))
    np.testing.assert_allclose(output.numpy(), np.stack([h.numpy() for h in outputs]),
                               rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(h_last.numpy()[0], outputs[-1].numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(c_last.numpy()[0], c_expected.numpy(), rtol=1e-12, atol=1e-14)


def test_lstm_parameter_shapes():
    lstm = mg.nn.LSTM(3, 5)
    shapes = {name: p.shape for name, p in lstm.named_parameters()}
    assert shapes == {"weight_ih_l0": (20, 3), "weight_hh_l0": (20, 5), "bias_ih_l0": (20,),
                      "bias_hh_l0": (20,)}
    assert [name for name, _ in mg.nn.LSTM(3, 5, bias=False).named_parameters()] == \
        ["weight_ih_l0", "weight_hh_l0"]


def test_lstm_default_initialisation_is_uniform_in_one_over_sqrt_hidden():
    mg.manual_seed(0)
    for p in mg.nn.LSTM(4, 16).parameters():
        values = p.numpy()
        assert np.all(np.abs(values) <= 0.25)
        assert np.abs(values).max() > 0.2


def test_lstm_rejects_a_wrong_input_size():
    with pytest.raises(ValueError, match="LSTM"):
        mg.nn.LSTM(3, 2)(mg.zeros(4, 1, 2))


@pytest.mark.parametrize("device", DEVICES)
def test_lstm_gradcheck_through_time(device):
    """Gradients through three steps w.r.t. the input, the initial state and every weight."""
    lstm = _lstm(2, 2, device)
    rng = np.random.default_rng(0)
    x, h0, c0 = (mg.tensor(rng.standard_normal(shape), requires_grad=True, device=device)
                 for shape in [(3, 2, 2), (1, 2, 2), (1, 2, 2)])
    names = [name for name, _ in lstm.named_parameters()]

    def run(x, h0, c0, *weights):
        output, (h, c) = mg.nn.functional_call(lstm, dict(zip(names, weights)), x, (h0, c0))
        return output, h, c

    assert gradcheck(run, (x, h0, c0, *lstm.parameters()))


# -- against PyTorch --------------------------------------------------------------------------

def _torch_lstm_like(lstm):
    """A torch.nn.LSTM of the same configuration, loaded with minigrad's state_dict as it is."""
    reference = torch.nn.LSTM(lstm.input_size, lstm.hidden_size, lstm.num_layers,
                              bias=lstm.bias, batch_first=lstm.batch_first,
                              dtype=torch.float64)
    reference.load_state_dict({name: torch.from_numpy(p.numpy())
                               for name, p in lstm.state_dict().items()})
    return reference


@needs_torch
@pytest.mark.parametrize("bias", [True, False])
def test_lstm_parameter_names_and_shapes_match_pytorch(bias):
    lstm = mg.nn.LSTM(3, 5, 2, bias=bias)  # the third positional argument is num_layers
    reference = torch.nn.LSTM(3, 5, 2, bias=bias)
    assert {name: p.shape for name, p in lstm.named_parameters()} == \
        {name: tuple(p.shape) for name, p in reference.named_parameters()}


@needs_torch
def test_a_pytorch_lstm_state_dict_loads():
    reference = torch.nn.LSTM(3, 4, 2, dtype=torch.float64)
    lstm = mg.nn.LSTM(3, 4, 2, dtype="float64")
    lstm.load_state_dict({name: p.detach().numpy() for name, p in reference.state_dict().items()})
    x = np.random.default_rng(0).standard_normal((5, 2, 3))
    np.testing.assert_allclose(lstm(mg.tensor(x))[0].numpy(),
                               reference(torch.from_numpy(x))[0].detach().numpy(), rtol=1e-12,
                               atol=1e-14)


@needs_torch
@pytest.mark.parametrize("with_state", [True, False])
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize(("num_layers", "batch_first"), [(1, False), (2, False), (3, True)])
def test_lstm_matches_pytorch(with_state, bias, num_layers, batch_first):
    steps, batch, n_in, hidden = 5, 3, 4, 6
    mg.manual_seed(0)
    lstm = mg.nn.LSTM(n_in, hidden, num_layers, bias=bias, batch_first=batch_first,
                      dtype="float64")
    reference = _torch_lstm_like(lstm)
    rng = np.random.default_rng(1)
    x = rng.standard_normal((batch, steps, n_in) if batch_first else (steps, batch, n_in))
    h0, c0 = (rng.standard_normal((num_layers, batch, hidden)) for _ in range(2))

    x_mg = mg.tensor(x, requires_grad=True)
    x_torch = torch.tensor(x, requires_grad=True)
    if with_state:
        output, (h, c) = lstm(x_mg, (mg.tensor(h0), mg.tensor(c0)))
        expected, (h_ref, c_ref) = reference(x_torch, (torch.tensor(h0), torch.tensor(c0)))
    else:
        output, (h, c) = lstm(x_mg)
        expected, (h_ref, c_ref) = reference(x_torch)
    for ours, theirs in [(output, expected), (h, h_ref), (c, c_ref)]:
        assert ours.shape == tuple(theirs.shape)
        np.testing.assert_allclose(ours.numpy(), theirs.detach().numpy(), rtol=1e-12,
                                   atol=1e-14)

    # the same gradients for a loss that uses every output
    weights = rng.standard_normal(output.shape)
    loss = (output * mg.tensor(weights)).sum() + (h * c).sum()
    grads = mg.grad(loss, [x_mg, *lstm.parameters()])
    loss_ref = (expected * torch.tensor(weights)).sum() + (h_ref * c_ref).sum()
    loss_ref.backward()
    expected_grads = [x_torch.grad] + [getattr(reference, name).grad
                                       for name, _ in lstm.named_parameters()]
    for ours, theirs in zip(grads, expected_grads):
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-10, atol=1e-12)


def test_lstm_names_a_wrong_state_shape_and_the_expected_one():
    lstm = mg.nn.LSTM(3, 8, 2)
    wrong = mg.zeros(2, 3, 8)  # (num_layers, batch, hidden) for a batch of 3, given a batch of 4
    with pytest.raises(ValueError, match=r"LSTM: h0 has shape \(2, 3, 8\), expected \(2, 4, 8\)"):
        lstm(mg.zeros(5, 4, 3), (wrong, wrong))


def test_lstm_old_parameter_names_say_what_replaced_them():
    with pytest.raises(AttributeError, match="weight_ih_l0"):
        mg.nn.LSTM(3, 4).weight_ih


def test_lstm_dropout_between_layers_only_in_training():
    mg.manual_seed(0)
    lstm = mg.nn.LSTM(3, 4, 2, dropout=0.5)
    x = mg.randn(6, 2, 3)
    mg.manual_seed(1)
    trained = lstm(x)[0].numpy()
    lstm.eval()
    evaluated = lstm(x)[0].numpy()
    without = mg.nn.LSTM(3, 4, 2)
    without.load_state_dict(lstm.state_dict())
    np.testing.assert_array_equal(evaluated, without(x)[0].numpy())
    assert not np.allclose(trained, evaluated)


def test_lstm_refuses_num_layers_that_is_not_a_count():
    with pytest.raises(ValueError, match="num_layers must be an int >= 1.*PyTorch's"):
        mg.nn.LSTM(3, 4, True)


@pytest.mark.parametrize("device", DEVICES)
def test_lstm_cell_is_one_step_of_the_lstm(device):
    mg.manual_seed(0)
    cell = mg.nn.LSTMCell(3, 4, device=device, dtype="float64")
    lstm = mg.nn.LSTM(3, 4, device=device, dtype="float64")
    lstm.load_state_dict({f"{name}_l0": p for name, p in cell.state_dict().items()})
    rng = np.random.default_rng(0)
    x, h, c = (mg.tensor(rng.standard_normal(s), device=device) for s in [(2, 3), (2, 4), (2, 4)])
    h1, c1 = cell(x, (h, c))
    _, (h_ref, c_ref) = lstm(x.reshape(1, 2, 3), (h.reshape(1, 2, 4), c.reshape(1, 2, 4)))
    np.testing.assert_array_equal(h1.numpy(), h_ref.numpy()[0])
    np.testing.assert_array_equal(c1.numpy(), c_ref.numpy()[0])
    with pytest.raises(ValueError, match=r"LSTMCell: h0 has shape \(3, 4\), expected \(2, 4\)"):
        cell(x, (mg.zeros(3, 4), mg.zeros(3, 4)))


@needs_torch
def test_lstm_cell_matches_pytorch():
    reference = torch.nn.LSTMCell(3, 4, dtype=torch.float64)
    cell = mg.nn.LSTMCell(3, 4, dtype="float64")
    cell.load_state_dict({name: p.detach().numpy() for name, p in reference.state_dict().items()})
    x = np.random.default_rng(0).standard_normal((2, 3))
    for ours, theirs in zip(cell(mg.tensor(x)), reference(torch.from_numpy(x))):
        np.testing.assert_allclose(ours.numpy(), theirs.detach().numpy(), rtol=1e-12, atol=1e-14)


def test_lstm_cell_without_input_is_the_cell_with_a_zero_input():
    """x None leaves out x W_ih^T + b_ih: the same step as a zero input with zero b_ih, and
    differentiable to second order in the state and the recurrent weights."""
    rng = np.random.default_rng(0)
    h, c, weight_hh, bias_hh = (mg.tensor(rng.standard_normal(s), requires_grad=True)
                                for s in [(2, 3), (2, 3), (12, 3), (12,)])
    h1, c1 = mg.nn.functional.lstm_cell(None, (h, c), None, weight_hh, None, bias_hh)
    zero_input = (mg.zeros(2, 5, dtype="float64"), (h, c), mg.tensor(rng.standard_normal((12, 5))),
                  weight_hh, mg.zeros(12, dtype="float64"), bias_hh)
    h_ref, c_ref = mg.nn.functional.lstm_cell(*zero_input)
    np.testing.assert_allclose(h1.numpy(), h_ref.numpy(), rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(c1.numpy(), c_ref.numpy(), rtol=1e-14, atol=1e-15)

    def step(h, c, weight_hh, bias_hh):
        return mg.nn.functional.lstm_cell(None, (h, c), None, weight_hh, None, bias_hh)

    assert gradgradcheck(step, (h, c, weight_hh, bias_hh))
    with pytest.raises(ValueError, match="lstm_cell: without an input x .* weight_ih=None"):
        mg.nn.functional.lstm_cell(None, (h, c), zero_input[2], weight_hh)


# -- GRU and RNN: the same layer loop, other cells --------------------------------------------

GRU_AND_RNN = [("GRU", {}), ("RNN", {"nonlinearity": "tanh"}), ("RNN", {"nonlinearity": "relu"})]


def _torch_like(module, name, options):
    reference = getattr(torch.nn, name)(module.input_size, module.hidden_size, module.num_layers,
                                        bias=module.bias, batch_first=module.batch_first,
                                        dtype=torch.float64, **options)
    reference.load_state_dict({key: torch.from_numpy(p.numpy())
                               for key, p in module.state_dict().items()})
    return reference


@needs_torch
@pytest.mark.parametrize(("name", "options"), GRU_AND_RNN)
@pytest.mark.parametrize("with_state", [True, False])
@pytest.mark.parametrize(("num_layers", "batch_first", "bias"),
                         [(1, False, True), (2, False, False), (3, True, True)])
def test_gru_and_rnn_match_pytorch_values_and_gradients(name, options, with_state, num_layers,
                                                        batch_first, bias):
    steps, batch, n_in, hidden = 4, 3, 2, 5
    mg.manual_seed(0)
    module = getattr(mg.nn, name)(n_in, hidden, num_layers, bias=bias, batch_first=batch_first,
                                  dtype="float64", **options)
    reference = _torch_like(module, name, options)
    assert {k: p.shape for k, p in module.named_parameters()} == \
        {k: tuple(p.shape) for k, p in reference.named_parameters()}
    rng = np.random.default_rng(1)
    x = rng.standard_normal((batch, steps, n_in) if batch_first else (steps, batch, n_in))
    h0 = rng.standard_normal((num_layers, batch, hidden))
    x_mg, x_torch = mg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    if with_state:
        output, h = module(x_mg, mg.tensor(h0))
        expected, h_ref = reference(x_torch, torch.tensor(h0))
    else:
        output, h = module(x_mg)
        expected, h_ref = reference(x_torch)
    for ours, theirs in [(output, expected), (h, h_ref)]:
        assert ours.shape == tuple(theirs.shape)
        np.testing.assert_allclose(ours.numpy(), theirs.detach().numpy(), rtol=1e-12, atol=1e-14)

    weights = rng.standard_normal(output.shape)
    loss = (output * mg.tensor(weights)).sum() + (h * h).sum()
    grads = mg.grad(loss, [x_mg, *module.parameters()])
    ((expected * torch.tensor(weights)).sum() + (h_ref * h_ref).sum()).backward()
    expected_grads = [x_torch.grad] + [getattr(reference, k).grad
                                       for k, _ in module.named_parameters()]
    for ours, theirs in zip(grads, expected_grads):
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-10, atol=1e-12)


@needs_torch
@pytest.mark.parametrize(("name", "options"), [("GRUCell", {}), ("RNNCell", {}),
                                               ("RNNCell", {"nonlinearity": "relu"})])
def test_gru_and_rnn_cells_match_pytorch(name, options):
    reference = getattr(torch.nn, name)(3, 4, dtype=torch.float64, **options)
    cell = getattr(mg.nn, name)(3, 4, dtype="float64", **options)
    cell.load_state_dict({k: p.detach().numpy() for k, p in reference.state_dict().items()})
    rng = np.random.default_rng(0)
    x, h = rng.standard_normal((2, 3)), rng.standard_normal((2, 4))
    np.testing.assert_allclose(cell(mg.tensor(x), mg.tensor(h)).numpy(),
                               reference(torch.from_numpy(x), torch.from_numpy(h)).detach().numpy(),
                               rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(cell(mg.tensor(x)).numpy(),
                               reference(torch.from_numpy(x)).detach().numpy(), rtol=1e-12,
                               atol=1e-14)


def _gru_by_hand(x, h, weight_ih, weight_hh, bias_ih, bias_hh):
    """PyTorch's GRU equations written out with matmul, getitem, sigmoid and tanh."""
    hidden = h.shape[1]
    a = mg.matmul(x, mg.transpose(weight_ih)) + bias_ih
    b = mg.matmul(h, mg.transpose(weight_hh)) + bias_hh
    r = mg.sigmoid(a[:, :hidden] + b[:, :hidden])
    z = mg.sigmoid(a[:, hidden:2 * hidden] + b[:, hidden:2 * hidden])
    n = mg.tanh(a[:, 2 * hidden:] + r * b[:, 2 * hidden:])
    return n + z * (h - n)


def test_gru_cell_equals_the_equations_written_out():
    rng = np.random.default_rng(2)
    args = [mg.tensor(rng.standard_normal(s)) for s in [(3, 2), (3, 4), (12, 2), (12, 4), (12,),
                                                        (12,)]]
    np.testing.assert_allclose(mg.nn.functional.gru_cell(*args).numpy(),
                               _gru_by_hand(*args).numpy(), rtol=1e-13, atol=1e-14)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("cell", ["gru", "rnn_tanh", "rnn_relu"])
def test_gru_and_rnn_cells_first_and_second_derivatives(device, cell):
    """Both cells can sit inside an unrolled step: derivatives of the first and second order in
    the input, the state and every weight, and compiled equal to eager (check_derivatives)."""
    rng = np.random.default_rng(3)
    gates = 3 if cell == "gru" else 1
    shapes = [(2, 3), (2, 2), (2 * gates, 3), (2 * gates, 2), (2 * gates,), (2 * gates,)]
    # away from relu's kink: shift the pre-activations' inputs so that none sits near 0
    inputs = [mg.tensor(rng.standard_normal(s) + (0.5 if cell == "rnn_relu" else 0.0),
                        requires_grad=True, device=device) for s in shapes]
    if cell == "gru":
        fn = mg.nn.functional.gru_cell
    else:
        def fn(*args):
            return mg.nn.functional.rnn_cell(*args, nonlinearity=cell[4:])
    check_derivatives(fn, *inputs)


@pytest.mark.parametrize(("name", "options"), GRU_AND_RNN)
def test_gru_and_rnn_name_a_wrong_state_and_take_a_tensor_not_a_pair(name, options):
    module = getattr(mg.nn, name)(3, 8, 2, **options)
    with pytest.raises(ValueError, match=rf"{name}: h0 has shape \(2, 3, 8\), expected "
                                         r"\(2, 4, 8\)"):
        module(mg.zeros(5, 4, 3), mg.zeros(2, 3, 8))
    with pytest.raises(TypeError, match=rf"{name}: h0 must be a tensor, got tuple"):
        module(mg.zeros(5, 4, 3), (mg.zeros(2, 4, 8), mg.zeros(2, 4, 8)))


def test_rnn_refuses_an_unknown_nonlinearity():
    for build in (lambda: mg.nn.RNN(3, 4, nonlinearity="sigmoid"),
                  lambda: mg.nn.RNNCell(3, 4, nonlinearity="sigmoid")):
        with pytest.raises(ValueError, match="nonlinearity must be 'tanh' or 'relu', got "
                                             "'sigmoid'"):
            build()
