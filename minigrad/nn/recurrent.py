"""Recurrent layers with PyTorch's signatures, parameter names, shapes and gate order (i, f, g, o),
so that a PyTorch LSTM's ``state_dict`` loads into them."""

import math

from .. import backend
from ..creation import zeros
from ..ops import stack
from . import functional as F
from . import init
from .module import Module, Parameter


def _cell_parameters(module, suffix, input_size, hidden_size, bias, device, dtype):
    """weight_ih{suffix} (4H, I), weight_hh{suffix} (4H, H) and, with ``bias``, bias_ih{suffix}
    and bias_hh{suffix} (4H,), each ~ U(-1/sqrt(H), 1/sqrt(H)) as in PyTorch."""
    shapes = [("weight_ih", (4 * hidden_size, input_size)),
              ("weight_hh", (4 * hidden_size, hidden_size))]
    if bias:
        shapes += [("bias_ih", (4 * hidden_size,)), ("bias_hh", (4 * hidden_size,))]
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


def _check_state(op, state, expected):
    """(h0, c0), each of the shape ``expected``, or an error that names it."""
    if not isinstance(state, (tuple, list)) or len(state) != 2:
        raise TypeError(f"{op}: the state must be a pair (h0, c0), got {type(state).__name__}")
    for name, s in zip(("h0", "c0"), state):
        if s.shape != expected:
            raise ValueError(f"{op}: {name} has shape {s.shape}, expected {expected} "
                             "(num_layers, batch, hidden_size) for this input")
    return state


class LSTMCell(Module):
    """One LSTM step, ``torch.nn.LSTMCell``: forward(x, (h, c)) with x (N, I) and h, c (N, H)
    (zeros if omitted) returns (h', c'). Parameters weight_ih (4H, I), weight_hh (4H, H),
    bias_ih, bias_hh (4H,)."""

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__()
        self.input_size, self.hidden_size, self.bias = input_size, hidden_size, bias
        _cell_parameters(self, "", input_size, hidden_size, bias, device, dtype)

    def forward(self, x, state=None):
        if x.ndim != 2 or x.shape[1] != self.input_size:
            raise ValueError(f"LSTMCell: expected input (N, {self.input_size}), got {x.shape}")
        expected = (x.shape[0], self.hidden_size)
        if state is None:
            state = (_zero_state(x, expected[:1], self.hidden_size),) * 2
        else:
            state = _check_state("LSTMCell", state, expected)
        return F.lstm_cell(x, tuple(state), *_weights(self, ""))

    def extra_repr(self):
        return f"{self.input_size}, {self.hidden_size}"


class LSTM(Module):
    """A multi-layer LSTM, ``torch.nn.LSTM(input_size, hidden_size, num_layers=1, bias=True,
    batch_first=False, dropout=0.0)``, with PyTorch's parameter names (``weight_ih_l0``,
    ``weight_hh_l0``, ``bias_ih_l0``, ``bias_hh_l0``, then ``_l1``, ...).

    forward(x, (h0, c0)) with x (T, N, I), or (N, T, I) if ``batch_first``, and h0, c0
    (num_layers, N, H) (zeros if omitted) returns the last layer's output (T, N, H) (or
    (N, T, H)) and (h_n, c_n), each (num_layers, N, H). Layer k > 0 reads layer k - 1's output,
    passed through dropout with probability ``dropout`` in training (as in PyTorch, not after the
    last layer). Not supported: bidirectional, proj_size, unbatched (2-D) input."""

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 dropout=0.0, device=None, dtype=None):
        super().__init__()
        if not isinstance(num_layers, int) or isinstance(num_layers, bool) or num_layers < 1:
            raise ValueError(f"LSTM: num_layers must be an int >= 1, got {num_layers!r} (the "
                             "signature is PyTorch's: LSTM(input_size, hidden_size, num_layers, "
                             "bias, batch_first, dropout))")
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"LSTM: dropout must be in [0, 1), got {dropout!r}")
        self.input_size, self.hidden_size, self.num_layers = input_size, hidden_size, num_layers
        self.bias = bias
        self.batch_first, self.dropout = batch_first, dropout
        for layer in range(num_layers):
            _cell_parameters(self, f"_l{layer}", input_size if layer == 0 else hidden_size,
                             hidden_size, bias, device, dtype)

    def forward(self, x, state=None):
        layout = "(N, T, I)" if self.batch_first else "(T, N, I)"
        if x.ndim != 3 or x.shape[2] != self.input_size:
            raise ValueError(f"LSTM: expected input {layout} with I = {self.input_size}, got "
                             f"shape {x.shape}")
        if self.batch_first:
            x = x.transpose(0, 1)
        expected = (self.num_layers, x.shape[1], self.hidden_size)
        if state is None:
            h0 = c0 = _zero_state(x, expected[:2], self.hidden_size)
        else:
            h0, c0 = _check_state("LSTM", state, expected)
        finals_h, finals_c = [], []
        for layer in range(self.num_layers):
            if layer > 0 and self.dropout > 0.0:
                x = F.dropout(x, self.dropout, self.training)
            h, c = h0[layer], c0[layer]
            outputs = []
            for t in range(x.shape[0]):
                h, c = F.lstm_cell(x[t], (h, c), *_weights(self, f"_l{layer}"))
                outputs.append(h)
            x = stack(outputs, axis=0)
            finals_h.append(h)
            finals_c.append(c)
        output = x.transpose(0, 1) if self.batch_first else x
        return output, (stack(finals_h, axis=0), stack(finals_c, axis=0))

    def __getattr__(self, name):
        if name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            raise AttributeError(f"LSTM has no {name}: its parameters have PyTorch's names, "
                                 f"{name}_l0 for layer 0 ({name}_l1, ... for the next layers)")
        return super().__getattr__(name)

    def extra_repr(self):
        return f"{self.input_size}, {self.hidden_size}, num_layers={self.num_layers}, " \
               f"batch_first={self.batch_first}, dropout={self.dropout}"
