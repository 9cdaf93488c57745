"""Layers with parameters, PyTorch's names, shapes and default initialisation."""

import math

from ..creation import arange, zeros
from ..grad_mode import no_grad
from ..ops import minimum, where
from ..ops.conv import int_pair
from . import functional as F
from . import init
from .module import Module, Parameter


def _parameter(*shape, device=None, dtype=None):
    return Parameter(zeros(*shape, device=device, dtype=dtype))


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
        kh, kw = int_pair(kernel_size, "kernel_size", "nn.Conv2d", 1)
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
        kh, kw = int_pair(kernel_size, "kernel_size", "nn.ConvTranspose2d", 1)
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
    # PyTorch counts the training batches, for momentum=None (a cumulative average), which
    # minigrad does not offer: a PyTorch state dict's count is accepted and left out, and
    # PyTorch fills in its own when it loads minigrad's state dict
    torch_only_state = ("num_batches_tracked",)

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


class LayerNorm(Module):
    """``F.layer_norm`` over the last axes, ``normalized_shape``; ``weight`` (ones) and ``bias``
    (zeros) of that shape with ``elementwise_affine``, as PyTorch's."""

    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True, bias=True,
                 device=None, dtype=None):
        super().__init__()
        shape = (normalized_shape,) if isinstance(normalized_shape, int) else \
            tuple(normalized_shape)
        self.normalized_shape, self.eps = shape, eps
        self.weight = init.ones_(_parameter(*shape, device=device, dtype=dtype)) \
            if elementwise_affine else None
        self.bias = init.zeros_(_parameter(*shape, device=device, dtype=dtype)) \
            if elementwise_affine and bias else None

    def forward(self, x):
        return F.layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return f"{self.normalized_shape}, eps={self.eps}"


def _activation(name, function, doc):
    def forward(self, x):
        return function(x)

    return type(name, (Module,), {"forward": forward, "__doc__": doc})


Tanh = _activation("Tanh", F.tanh, "tanh(x)")
Sigmoid = _activation("Sigmoid", F.sigmoid, "1 / (1 + exp(-x))")
SiLU = _activation("SiLU", lambda x: x * F.sigmoid(x), "x * sigmoid(x) (the swish)")
Identity = _activation("Identity", lambda x: x, "x itself (a placeholder layer)")


class ELU(Module):
    """x for x > 0, alpha (exp(x) - 1) otherwise. Composite: where, exp and minimum (exp of
    min(x, 0), so that the branch not taken never overflows into a NaN gradient)."""

    def __init__(self, alpha=1.0, inplace=False):
        super().__init__()
        self.alpha, self.inplace = alpha, inplace

    def forward(self, x):
        return where(x > 0, x, self.alpha * (minimum(x, 0.0).exp() - 1.0))


class Softmax(Module):
    """softmax(x) along ``dim``, as ``F.softmax(x, dim)``."""

    def __init__(self, dim):
        super().__init__()
        self.dim = dim

    def forward(self, x):
        return F.softmax(x, self.dim)


class LogSoftmax(Softmax):
    """log_softmax(x) along ``dim``, as ``F.log_softmax(x, dim)``."""

    def forward(self, x):
        return F.log_softmax(x, self.dim)


class ReLU(Module):
    """max(x, 0). ``inplace`` is accepted for PyTorch's signature (``nn.ReLU(True)``), but the
    result is always a new tensor and x is left unchanged (the values are the same)."""

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, x):
        return F.relu(x)


class LeakyReLU(Module):
    """x if x > 0 else negative_slope * x; ``inplace`` as for :class:`ReLU` (out of place)."""

    def __init__(self, negative_slope=0.01, inplace=False):
        super().__init__()
        self.negative_slope, self.inplace = negative_slope, inplace

    def forward(self, x):
        return F.leaky_relu(x, self.negative_slope)


class Dropout(Module):
    """Zeroes each element with probability p and scales the rest by 1 / (1 - p) in training
    mode; the identity in eval mode (:func:`functional.dropout`). ``inplace`` as for
    :class:`ReLU`."""

    def __init__(self, p=0.5, inplace=False):
        super().__init__()
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"Dropout: p must be in [0, 1], got {p!r}")
        self.p, self.inplace = p, inplace

    def forward(self, x):
        return F.dropout(x, self.p, self.training)

    def extra_repr(self):
        return f"p={self.p}"


class MaxPool2d(Module):
    """The largest element of each window, :func:`functional.max_pool2d` (PyTorch's
    ``nn.MaxPool2d``; ``ceil_mode=True`` is not supported)."""

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1, return_indices=False,
                 ceil_mode=False):
        super().__init__()
        self.kernel_size, self.stride, self.padding = kernel_size, stride, padding
        self.dilation, self.return_indices, self.ceil_mode = dilation, return_indices, ceil_mode

    def forward(self, x):
        return F.max_pool2d(x, self.kernel_size, self.stride, self.padding, self.dilation,
                            self.ceil_mode, self.return_indices)

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, " \
               f"dilation={self.dilation}"


class Embedding(Module):
    """A lookup table, PyTorch's ``nn.Embedding``: forward(indices) returns the rows of
    ``weight`` (num_embeddings, embedding_dim) at the integer ``indices`` (any shape),
    :func:`functional.embedding`. The weight starts ~ N(0, 1), as in PyTorch, with row
    ``padding_idx`` (if given) zero; that row gets no gradient. max_norm, scale_grad_by_freq and
    sparse are not supported."""

    def __init__(self, num_embeddings, embedding_dim, padding_idx=None, *, device=None,
                 dtype=None):
        super().__init__()
        if padding_idx is not None and not -num_embeddings <= padding_idx < num_embeddings:
            raise ValueError(f"Embedding: padding_idx {padding_idx} is out of range for "
                             f"{num_embeddings} embeddings")
        self.num_embeddings, self.embedding_dim = num_embeddings, embedding_dim
        self.padding_idx = None if padding_idx is None else padding_idx % num_embeddings
        self.weight = _parameter(num_embeddings, embedding_dim, device=device, dtype=dtype)
        init.normal_(self.weight)
        if self.padding_idx is not None:
            kept = arange(num_embeddings, device=self.weight.device) != self.padding_idx
            with no_grad():
                self.weight.copy_(where(kept.reshape(-1, 1), self.weight, 0.0))

    def forward(self, indices):
        return F.embedding(indices, self.weight, self.padding_idx)

    def extra_repr(self):
        padding = "" if self.padding_idx is None else f", padding_idx={self.padding_idx}"
        return f"{self.num_embeddings}, {self.embedding_dim}{padding}"


class Flatten(Module):
    """(N, ...) -> (N, prod(...))."""

    def forward(self, x):
        return x.reshape(x.shape[0], -1)
