"""Max pooling, PyTorch's ``max_pool2d``: the largest element of each kernel window.

x (N, C, H, W); kernel (kh, kw), stride s (the kernel by default), padding p, dilation d, per
axis; the output (N, C, Ho, Wo) has Ho = floor((H + 2 p_h - d_h (kh - 1) - 1) / s_h) + 1 (same
for Wo), and window (a, b) reads rows s_h a - p_h + d_h i and columns s_w b - p_w + d_w j.

Two steps, so that every derivative is written with Tensor ops:

* :class:`MaxPoolIndices` (not differentiable) finds the position of each window's largest
  element in x's (H, W) plane, the first in row-major window order at ties but the last NaN if
  there is one, as PyTorch's kernel does; padding is never chosen;
* y = pick(x, idx) reads the values there (``Take`` on the flattened x).

So the VJP is dx = g added back at idx (windows that overlap add up: ``IndexAdd``), and the VJP
of that is the read again: derivatives of every order are exact, and a compiled program
recomputes the indices for new data.
"""

import numpy as np

from .. import backend
from ..autodiff import Function
from .conv import int_pair
from .argreduce import pick
from .shape import reshape


def _taps(out, kernel, stride, padding, dilation):
    """Row (or column) positions read by each window: (out, kernel), maybe outside 0..size-1."""
    return (np.arange(out)[:, None] * stride - padding) + np.arange(kernel)[None, :] * dilation


class MaxPoolIndices(Function):
    """idx[n, c, a, b] = r W + q for the position (r, q) of the largest x[n, c, r, q] in window
    (a, b). Not differentiable: an index is a constant of the graph.

    Saves: nothing (no VJP)."""

    differentiable = False

    def __init__(self, rows, columns):
        self.rows, self.columns = rows, columns  # the taps (Ho, kh) and (Wo, kw), numpy ints

    def forward(self, x):
        xp = backend.namespace_of(x)
        n, c, h, w = x.shape
        device = backend.device_of(x)
        (ho, kh), (wo, kw) = self.rows.shape, self.columns.shape
        tiled = _tiles(self.rows) and _tiles(self.columns)
        if tiled:  # stride = kernel, no padding or dilation: each offset's window is a view
            blocks = xp.reshape(x[:, :, :ho * kh, :wo * kw], (n, c, ho, kh, wo, kw))
        else:
            planes = xp.reshape(x, (n, c, h * w))
        shape = (n, c, ho, wo)
        best = xp.zeros(shape, dtype=x.dtype, device=x.device)
        chosen = xp.zeros(shape, dtype=xp.int64, device=x.device)
        found = xp.zeros(shape, dtype=xp.bool, device=x.device)  # a real element seen yet?
        for i, rows in enumerate(self.rows.T):  # one kernel offset (i, j) at a time, for every
            for j, columns in enumerate(self.columns.T):  # window
                inside = ((rows >= 0) & (rows < h))[:, None] & ((columns >= 0) & (columns < w))
                position = np.clip(rows, 0, h - 1)[:, None] * w + np.clip(columns, 0, w - 1)
                if tiled:
                    window = blocks[:, :, :, i, :, j]
                else:
                    window = xp.take(planes, backend.array_from_numpy(position.reshape(-1), device),
                                     axis=2)
                    window = xp.reshape(window, shape)
                better = backend.array_from_numpy(inside, device) & (
                    ~found | (window > best) | xp.isnan(window))
                best = xp.where(better, window, best)
                chosen = xp.where(better, backend.array_from_numpy(position, device), chosen)
                found = found | better
        return chosen


def _tiles(taps):
    """Whether the windows' taps (out, kernel) are consecutive blocks 0..k-1, k..2k-1, ...: a
    stride equal to the kernel, without padding or dilation."""
    return np.array_equal(taps, np.arange(taps.size).reshape(taps.shape))


def max_pool2d(x, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """PyTorch's ``max_pool2d`` on (N, C, H, W) or (C, H, W) floating-point input (see the module
    docstring). With ``return_indices``, also the int64 positions r W + q of the maxima in each
    (H, W) plane, as PyTorch. ``ceil_mode=True`` is not supported."""
    if ceil_mode:
        raise NotImplementedError("max_pool2d: ceil_mode=True is not supported; pad the input "
                                  "(padding=) to cover the last window instead")
    if x.ndim not in (3, 4):
        raise ValueError(f"max_pool2d: expected input (N, C, H, W) or (C, H, W), got shape "
                         f"{x.shape}")
    if backend.dtype_name(x.dtype) not in ("float16", "float32", "float64"):
        raise TypeError(f"max_pool2d: expected a floating-point input, got dtype "
                        f"{backend.dtype_name(x.dtype)}")
    kernel = int_pair(kernel_size, "kernel_size", "max_pool2d", 1)
    stride = kernel if stride is None else int_pair(stride, "stride", "max_pool2d", 1)
    padding = int_pair(padding, "padding", "max_pool2d", 0)
    dilation = int_pair(dilation, "dilation", "max_pool2d", 1)
    if any(p > k // 2 for p, k in zip(padding, kernel)):
        raise ValueError(f"max_pool2d: padding {padding} must be at most half of kernel_size "
                         f"{kernel} (as in PyTorch)")
    batched = x if x.ndim == 4 else reshape(x, (1,) + x.shape)
    n, c, h, w = batched.shape
    taps = []
    for size, k, s, p, d in zip((h, w), kernel, stride, padding, dilation):
        out = (size + 2 * p - d * (k - 1) - 1) // s + 1
        tap = _taps(max(out, 0), k, s, p, d)
        if out < 1 or not np.all(np.any((tap >= 0) & (tap < size), axis=1)):
            raise ValueError(f"max_pool2d: input of shape {x.shape} is too small for "
                             f"kernel_size {kernel}, stride {stride}, padding {padding} and "
                             f"dilation {dilation} (a window would hold no element of it)")
        taps.append(tap)
    indices = MaxPoolIndices.apply(batched, rows=taps[0], columns=taps[1])
    grid = indices.shape[2:]
    values = pick(reshape(batched, (n, c, h * w)), 2, reshape(indices, (n, c, -1)))
    values = reshape(values, x.shape[:-2] + grid)
    if return_indices:
        return values, reshape(indices, values.shape)
    return values
