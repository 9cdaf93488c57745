"""Recurrent layers with PyTorch's signatures, parameter names, shapes and gate orders (LSTM
i, f, g, o; GRU r, z, n), so that a PyTorch LSTM's, GRU's or RNN's ``state_dict`` loads into
them. The three share one layer loop (:class:`_Recurrent`); what differs is the cell
(``F.lstm_cell``, ``F.gru_cell``, ``F.rnn_cell``), its number of gate blocks and its state
(LSTM (h, c), the others h)."""

import math

from .. import backend
from ..creation import zeros
from ..ops import stack
from . import functional as F
from . import init
from .module import Module, Parameter


def _cell_parameters(module, suffix, input_size, hidden_size, bias, device, dtype, gates):
    """weight_ih{suffix} (G H, I), weight_hh{suffix} (G H, H) and, with ``bias``,
    bias_ih{suffix} and bias_hh{suffix} (G H,), for G = ``gates`` blocks, each
    ~ U(-1/sqrt(H), 1/sqrt(H)) as in PyTorch."""
    shapes = [("weight_ih", (gates * hidden_size, input_size)),
              ("weight_hh", (gates * hidden_size, hidden_size))]
    if bias:
        shapes += [("bias_ih", (gates * hidden_size,)), ("bias_hh", (gates * hidden_size,))]
    bound = 1.0 / math.sqrt(hidden_size)
    for name, shape in shapes:
        weight = Parameter(zeros(*shape, device=device, dtype=dtype))
        init.uniform_(weight, -bound, bound)
        setattr(module, name + suffix, weight)


def _weights(module, suffix):
    """The cell's four parameters (a bias None where the module has none)."""
    return [getattr(module, name + suffix, None)
            for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")]


def _zero_state(x, leading, hidden_size):
    return zeros(*leading, hidden_size, device=x.device, dtype=backend.dtype_name(x.dtype))


def _check_state(op, state, names, expected):
    """The state as a tuple of tensors named ``names`` (an LSTM's pair (h0, c0), a GRU's or
    RNN's h0 alone), each of the shape ``expected``, or an error that names it."""
    if len(names) == 1:
        state = (state,)
    elif not isinstance(state, (tuple, list)) or len(state) != len(names):
        raise TypeError(f"{op}: the state must be a pair ({', '.join(names)}), got "
                        f"{type(state).__name__}")
    layout = "(num_layers, batch, hidden_size)" if len(expected) == 3 else "(batch, hidden_size)"
    for name, s in zip(names, state):
        if not hasattr(s, "shape"):
            raise TypeError(f"{op}: {name} must be a tensor, got {type(s).__name__}")
        if s.shape != expected:
            raise ValueError(f"{op}: {name} has shape {s.shape}, expected {expected} {layout} "
                             "for this input")
    return tuple(state)


class _RecurrentCell(Module):
    """One step of a recurrent cell (``torch.nn.LSTMCell``, ``GRUCell``, ``RNNCell``):
    forward(x, state) with x (N, I) and a state of (N, H) tensors (zeros if omitted)."""

    gates = 1
    state_names = ("h0",)

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__()
        self.input_size, self.hidden_size, self.bias = input_size, hidden_size, bias
        _cell_parameters(self, "", input_size, hidden_size, bias, device, dtype, self.gates)

    def forward(self, x, state=None):
        op = type(self).__name__
        if x.ndim != 2 or x.shape[1] != self.input_size:
            raise ValueError(f"{op}: expected input (N, {self.input_size}), got {x.shape}")
        expected = (x.shape[0], self.hidden_size)
        if state is None:
            state = (_zero_state(x, expected[:1], self.hidden_size),) * len(self.state_names)
        else:
            state = _check_state(op, state, self.state_names, expected)
        new = self._step(x, state, _weights(self, ""))
        return new if len(self.state_names) > 1 else new[0]

    def extra_repr(self):
        return f"{self.input_size}, {self.hidden_size}"


class _Recurrent(Module):
    """The multi-layer loop that LSTM, GRU and RNN share: layer k > 0 reads layer k - 1's
    output (through dropout in training, not after the last layer), each layer steps its cell
    through time from its slice of the initial state."""

    gates = 1
    state_names = ("h0",)

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 dropout=0.0, device=None, dtype=None):
        super().__init__()
        op = type(self).__name__
        if not isinstance(num_layers, int) or isinstance(num_layers, bool) or num_layers < 1:
            raise ValueError(f"{op}: num_layers must be an int >= 1, got {num_layers!r} (the "
                             f"signature is PyTorch's: {op}(input_size, hidden_size, num_layers, "
                             "bias, batch_first, dropout))")
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"{op}: dropout must be in [0, 1), got {dropout!r}")
        self.input_size, self.hidden_size, self.num_layers = input_size, hidden_size, num_layers
        self.bias = bias
        self.batch_first, self.dropout = batch_first, dropout
        for layer in range(num_layers):
            _cell_parameters(self, f"_l{layer}", input_size if layer == 0 else hidden_size,
                             hidden_size, bias, device, dtype, self.gates)

    def forward(self, x, state=None):
        op = type(self).__name__
        layout = "(N, T, I)" if self.batch_first else "(T, N, I)"
        if x.ndim != 3 or x.shape[2] != self.input_size:
            raise ValueError(f"{op}: expected input {layout} with I = {self.input_size}, got "
                             f"shape {x.shape}")
        if self.batch_first:
            x = x.transpose(0, 1)
        expected = (self.num_layers, x.shape[1], self.hidden_size)
        if state is None:
            state = (_zero_state(x, expected[:2], self.hidden_size),) * len(self.state_names)
        else:
            state = _check_state(op, state, self.state_names, expected)
        finals = []
        for layer in range(self.num_layers):
            if layer > 0 and self.dropout > 0.0:
                x = F.dropout(x, self.dropout, self.training)
            current = tuple(s[layer] for s in state)
            outputs = []
            for t in range(x.shape[0]):
                current = self._step(x[t], current, _weights(self, f"_l{layer}"))
                outputs.append(current[0])
            x = stack(outputs, axis=0)
            finals.append(current)
        output = x.transpose(0, 1) if self.batch_first else x
        final = tuple(stack(list(parts), axis=0) for parts in zip(*finals))
        return output, (final if len(self.state_names) > 1 else final[0])

    def __getattr__(self, name):
        if name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            raise AttributeError(f"{type(self).__name__} has no {name}: its parameters have "
                                 f"PyTorch's names, {name}_l0 for layer 0 ({name}_l1, ... for "
                                 "the next layers)")
        return super().__getattr__(name)

    def extra_repr(self):
        return f"{self.input_size}, {self.hidden_size}, num_layers={self.num_layers}, " \
               f"batch_first={self.batch_first}, dropout={self.dropout}"


def _lstm_step(x, state, weights):
    return F.lstm_cell(x, state, *weights)


def _gru_step(x, state, weights):
    return (F.gru_cell(x, state[0], *weights),)


def _rnn_step(module, x, state, weights):
    return (F.rnn_cell(x, state[0], *weights, nonlinearity=module.nonlinearity),)


class LSTMCell(_RecurrentCell):
    """One LSTM step, ``torch.nn.LSTMCell``: forward(x, (h, c)) with x (N, I) and h, c (N, H)
    (zeros if omitted) returns (h', c'). Parameters weight_ih (4H, I), weight_hh (4H, H),
    bias_ih, bias_hh (4H,)."""

    gates, state_names = 4, ("h0", "c0")
    _step = staticmethod(_lstm_step)


class GRUCell(_RecurrentCell):
    """One GRU step, ``torch.nn.GRUCell``: forward(x, h) with x (N, I) and h (N, H) (zeros if
    omitted) returns h' (``F.gru_cell``). Parameters weight_ih (3H, I), weight_hh (3H, H),
    bias_ih, bias_hh (3H,)."""

    gates = 3
    _step = staticmethod(_gru_step)


class RNNCell(_RecurrentCell):
    """One Elman RNN step, ``torch.nn.RNNCell(input_size, hidden_size, bias, nonlinearity)``:
    forward(x, h) returns h' = act(x W_ih^T + b_ih + h W_hh^T + b_hh), act tanh or relu."""

    def __init__(self, input_size, hidden_size, bias=True, nonlinearity="tanh", device=None,
                 dtype=None):
        _check_nonlinearity("RNNCell", nonlinearity)
        super().__init__(input_size, hidden_size, bias, device, dtype)
        self.nonlinearity = nonlinearity

    _step = _rnn_step


class LSTM(_Recurrent):
    """A multi-layer LSTM, ``torch.nn.LSTM(input_size, hidden_size, num_layers=1, bias=True,
    batch_first=False, dropout=0.0)``, with PyTorch's parameter names (``weight_ih_l0``,
    ``weight_hh_l0``, ``bias_ih_l0``, ``bias_hh_l0``, then ``_l1``, ...).

    forward(x, (h0, c0)) with x (T, N, I), or (N, T, I) if ``batch_first``, and h0, c0
    (num_layers, N, H) (zeros if omitted) returns the last layer's output (T, N, H) (or
    (N, T, H)) and (h_n, c_n), each (num_layers, N, H). Layer k > 0 reads layer k - 1's output,
    passed through dropout with probability ``dropout`` in training (as in PyTorch, not after the
    last layer). Not supported: bidirectional, proj_size, unbatched (2-D) input."""

    gates, state_names = 4, ("h0", "c0")
    _step = staticmethod(_lstm_step)


class GRU(_Recurrent):
    """A multi-layer GRU, ``torch.nn.GRU`` with LSTM's signature and names (gate blocks r, z, n
    of 3H rows): forward(x, h0) returns (output, h_n), h0 and h_n (num_layers, N, H). Not
    supported: bidirectional, unbatched (2-D) input."""

    gates = 3
    _step = staticmethod(_gru_step)


class RNN(_Recurrent):
    """A multi-layer Elman RNN, ``torch.nn.RNN(input_size, hidden_size, num_layers=1,
    nonlinearity='tanh', bias=True, batch_first=False, dropout=0.0)``: forward(x, h0) returns
    (output, h_n). Not supported: bidirectional, unbatched (2-D) input."""

    def __init__(self, input_size, hidden_size, num_layers=1, nonlinearity="tanh", bias=True,
                 batch_first=False, dropout=0.0, device=None, dtype=None):
        _check_nonlinearity("RNN", nonlinearity)
        super().__init__(input_size, hidden_size, num_layers, bias, batch_first, dropout, device,
                         dtype)
        self.nonlinearity = nonlinearity

    _step = _rnn_step

    def extra_repr(self):
        return super().extra_repr() + f", nonlinearity={self.nonlinearity!r}"


def _check_nonlinearity(op, nonlinearity):
    if nonlinearity not in ("tanh", "relu"):
        raise ValueError(f"{op}: nonlinearity must be 'tanh' or 'relu', got {nonlinearity!r}")
