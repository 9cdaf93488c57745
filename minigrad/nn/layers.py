"""Layers with parameters, PyTorch's names, shapes and default initialisation."""

import math

from .. import backend
from ..creation import zeros
from ..ops import stack
from . import functional as F
from . import init
from .module import Module, Parameter


def _parameter(*shape, device=None, dtype=None):
    return Parameter(zeros(*shape, device=device, dtype=dtype))


def _pair(value):
    return (value, value) if isinstance(value, int) else tuple(value)


def _default_init(weight, bias, fan_in):
    """PyTorch's default: weight and bias ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in))."""
    init.kaiming_uniform_(weight, a=math.sqrt(5))
    if bias is not None:
        bound = 1.0 / math.sqrt(fan_in) if fan_in > 0 else 0.0
        init.uniform_(bias, -bound, bound)


class Linear(Module):
    """y = x W^T + b with W (out_features, in_features)."""

    def __init__(self, in_features, out_features, bias=True, device=None, dtype=None):
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        self.weight = _parameter(out_features, in_features, device=device, dtype=dtype)
        self.bias = _parameter(out_features, device=device, dtype=dtype) if bias else None
        _default_init(self.weight, self.bias, in_features)

    def forward(self, x):
        return F.linear(x, self.weight, self.bias)

    def extra_repr(self):
        return f"in_features={self.in_features}, out_features={self.out_features}, " \
               f"bias={self.bias is not None}"


class Conv2d(Module):
    """2-D convolution, weight (out_channels, in_channels, kh, kw)."""

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, bias=True,
                 device=None, dtype=None):
        super().__init__()
        kh, kw = _pair(kernel_size)
        self.stride, self.padding = stride, padding
        self.weight = _parameter(out_channels, in_channels, kh, kw, device=device, dtype=dtype)
        self.bias = _parameter(out_channels, device=device, dtype=dtype) if bias else None
        _default_init(self.weight, self.bias, in_channels * kh * kw)

    def forward(self, x):
        return F.conv2d(x, self.weight, self.bias, self.stride, self.padding)

    def extra_repr(self):
        out_ch, in_ch, kh, kw = self.weight.shape
        return f"{in_ch}, {out_ch}, kernel_size=({kh}, {kw}), stride={self.stride}, " \
               f"padding={self.padding}"


class ConvTranspose2d(Module):
    """2-D transposed convolution, weight (in_channels, out_channels, kh, kw)."""

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0,
                 output_padding=0, bias=True, device=None, dtype=None):
        super().__init__()
        kh, kw = _pair(kernel_size)
        self.stride, self.padding, self.output_padding = stride, padding, output_padding
        self.weight = _parameter(in_channels, out_channels, kh, kw, device=device, dtype=dtype)
        self.bias = _parameter(out_channels, device=device, dtype=dtype) if bias else None
        _default_init(self.weight, self.bias, out_channels * kh * kw)

    def forward(self, x):
        return F.conv_transpose2d(x, self.weight, self.bias, self.stride, self.padding,
                                  self.output_padding)

    def extra_repr(self):
        in_ch, out_ch, kh, kw = self.weight.shape
        return f"{in_ch}, {out_ch}, kernel_size=({kh}, {kw}), stride={self.stride}, " \
               f"padding={self.padding}, output_padding={self.output_padding}"


class _BatchNorm(Module):
    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True, device=None, dtype=None):
        super().__init__()
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.weight = _parameter(num_features, device=device, dtype=dtype) if affine else None
        self.bias = _parameter(num_features, device=device, dtype=dtype) if affine else None
        if affine:
            init.ones_(self.weight)
        self.register_buffer("running_mean", zeros(num_features, device=device, dtype=dtype))
        running_var = zeros(num_features, device=device, dtype=dtype)
        self.register_buffer("running_var", init.ones_(running_var))

    def forward(self, x):
        if x.ndim != self.expected_ndim:
            raise ValueError(f"{type(self).__name__}: expected a {self.expected_ndim}-D input, "
                             f"got shape {x.shape}")
        return F.batch_norm(x, self.running_mean, self.running_var, self.weight, self.bias,
                            training=self.training, momentum=self.momentum, eps=self.eps)

    def extra_repr(self):
        return f"{self.num_features}, eps={self.eps}, momentum={self.momentum}"


class BatchNorm1d(_BatchNorm):
    """Batch norm over (N, C): statistics per feature."""
    expected_ndim = 2


class BatchNorm2d(_BatchNorm):
    """Batch norm over (N, C, H, W): statistics per channel."""
    expected_ndim = 4


class LSTM(Module):
    """A single-layer LSTM with PyTorch's names, shapes and gate order (i, f, g, o).

    forward(x, (h0, c0)) with x (T, N, I) and h0, c0 (1, N, H) (zeros if omitted) returns
    output (T, N, H) and (h_T, c_T), each (1, N, H). Weights start ~ U(-1/sqrt(H), 1/sqrt(H))."""

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__()
        self.input_size, self.hidden_size = input_size, hidden_size
        self.weight_ih = _parameter(4 * hidden_size, input_size, device=device, dtype=dtype)
        self.weight_hh = _parameter(4 * hidden_size, hidden_size, device=device, dtype=dtype)
        self.bias_ih = _parameter(4 * hidden_size, device=device, dtype=dtype) if bias else None
        self.bias_hh = _parameter(4 * hidden_size, device=device, dtype=dtype) if bias else None
        bound = 1.0 / math.sqrt(hidden_size)
        for p in self.parameters():
            init.uniform_(p, -bound, bound)

    def forward(self, x, state=None):
        if x.ndim != 3 or x.shape[2] != self.input_size:
            raise ValueError(f"LSTM: expected input (T, N, {self.input_size}), got {x.shape}")
        steps, batch = x.shape[0], x.shape[1]
        if state is None:
            h = zeros(batch, self.hidden_size, device=x.device, dtype=backend.dtype_name(x.dtype))
            c = h
        else:
            h, c = (s.reshape(batch, self.hidden_size) for s in state)
        outputs = []
        for t in range(steps):
            h, c = F.lstm_cell(x[t], (h, c), self.weight_ih, self.weight_hh, self.bias_ih,
                               self.bias_hh)
            outputs.append(h)
        shape = (1, batch, self.hidden_size)
        return stack(outputs, axis=0), (h.reshape(shape), c.reshape(shape))

    def extra_repr(self):
        return f"{self.input_size}, {self.hidden_size}"


def _activation(name, function, doc):
    def forward(self, x):
        return function(x)

    return type(name, (Module,), {"forward": forward, "__doc__": doc})


ReLU = _activation("ReLU", F.relu, "max(x, 0)")
Tanh = _activation("Tanh", F.tanh, "tanh(x)")
Sigmoid = _activation("Sigmoid", F.sigmoid, "1 / (1 + exp(-x))")


class LeakyReLU(Module):
    """x if x > 0 else negative_slope * x."""

    def __init__(self, negative_slope=0.01):
        super().__init__()
        self.negative_slope = negative_slope

    def forward(self, x):
        return F.leaky_relu(x, self.negative_slope)


class Flatten(Module):
    """(N, ...) -> (N, prod(...))."""

    def forward(self, x):
        return x.reshape(x.shape[0], -1)
