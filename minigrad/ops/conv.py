"""2-D convolution and its transpose, in PyTorch's layouts, as a closed family of three primitives.

Notation: x (N, C, H, W) is the input; s = (s_h, s_w) the stride; p = (p_h, p_w) the zero padding;
x_pad (N, C, H + 2p_h, W + 2p_w) the input with p zeros added on each side. A conv2d weight is
w (O, C, kh, kw); its output y (N, O, Ho, Wo) has Ho = floor((H + 2p_h - kh) / s_h) + 1 (same for
Wo). The *grid* of a convolution is the (Ho, Wo) positions where the kernel is placed.

* :class:`Conv2dOp`          y = conv2d(x, w)
* :class:`ConvTranspose2dOp` its adjoint in x: <conv2d(x, w), y> = <x, conv_transpose2d(y, w)>
* :class:`Conv2dWeight`      its adjoint in w: <conv2d(x, w), g> = <w, conv2d_weight(x, g)>

Every VJP of each is one of the three, so derivatives of any order stay inside the family:

==================  ======================================  ======================================
primitive           VJP for its first input                 VJP for its second input
==================  ======================================  ======================================
Conv2dOp(x, w)      dx = ConvTranspose2dOp(g, w)            dw = Conv2dWeight(x, g)
ConvTranspose2dOp   dy = Conv2dOp(g, w)                     dw = Conv2dWeight(g, y)
(y, w)
Conv2dWeight(x, g)  dx = ConvTranspose2dOp(g, E)            dg = Conv2dOp(x, E)
==================  ======================================  ======================================

(g is the gradient flowing into each primitive's result, named E for Conv2dWeight's as in its
docstring; all with the same stride and padding; a transposed conv that restores an image of a
given size gets the output_padding that makes its size exact). The forwards work on a column
matrix: ``_im2col`` slices x_pad once per kernel offset (a loop over kh*kw offsets, never over
the batch or pixels) and the convolution is then one matrix product; ``_col2im`` is its adjoint,
a scatter-add of the kh*kw offset slices.

The public functions ``conv2d``, ``conv_transpose2d`` and ``conv2d_weight`` check their arguments
and apply one primitive each; the first two then add the bias, if any, with ``+`` (a composite).
"""

import numbers

from .. import backend
from ..autodiff import Function
from .shape import reshape


# -- raw-array helpers (shared by the three forwards) -----------------------------------------

def _offset_slices(kernel, stride, grid):
    """For each kernel offset (i, j), the slices of x_pad's last two axes that it reads for every
    grid position (a, b): rows i + s_h a, columns j + s_w b."""
    (kh, kw), (sh, sw), (gh, gw) = kernel, stride, grid
    return [(slice(i, i + sh * (gh - 1) + 1, sh), slice(j, j + sw * (gw - 1) + 1, sw))
            for i in range(kh) for j in range(kw)]


def _im2col(x, kernel, stride, padding, grid):
    """x (N, C, H, W) -> columns (C*kh*kw, Ho*Wo*N) with
    columns[(c, i, j), (a, b, n)] = x_pad[n, c, s_h a + i, s_w b + j].

    The batch axis is the last one (x_pad is built as (C, H, W, N)): every slice copied below
    then moves runs of N contiguous numbers, where an (N, C, H, W) layout would move runs of
    Wo, often 4 or 7, and spend its time in numpy's loop overhead."""
    xp = backend.namespace_of(x)
    n, c, h, w = x.shape
    (ph, pw) = padding
    x = xp.permute_dims(x, (1, 2, 3, 0))  # (C, H, W, N)
    if ph or pw:
        padded = xp.zeros((c, h + 2 * ph, w + 2 * pw, n), dtype=x.dtype, device=x.device)
        padded[:, ph:ph + h, pw:pw + w, :] = x
        x = padded
    patches = [x[:, rows, cols, :] for rows, cols in _offset_slices(kernel, stride, grid)]
    stacked = xp.stack(patches, axis=1)  # (C, kh*kw, Ho, Wo, N)
    return xp.reshape(stacked, (c * kernel[0] * kernel[1], grid[0] * grid[1] * n))


def _col2im(columns, shape, kernel, stride, padding, grid):
    """The adjoint of :func:`_im2col`: columns (C*kh*kw, Ho*Wo*N) -> an image of ``shape``
    (N, C, H, W), each column entry added to the x_pad position it was read from (overlaps add
    up), and the padding cropped off."""
    xp = backend.namespace_of(columns)
    n, c, h, w = shape
    (ph, pw) = padding
    blocks = xp.reshape(columns, (c, kernel[0] * kernel[1], grid[0], grid[1], n))
    out = xp.zeros((c, h + 2 * ph, w + 2 * pw, n), dtype=columns.dtype, device=columns.device)
    for offset, (rows, cols) in enumerate(_offset_slices(kernel, stride, grid)):
        out[:, rows, cols, :] += blocks[:, offset, ...]
    return xp.permute_dims(out[:, ph:ph + h, pw:pw + w, :], (3, 0, 1, 2))


def _channels_first(xp, t):
    """(N, C, H, W) -> (C, H*W*N), the layout of the column matrices' right-hand side."""
    n, c, h, w = t.shape
    return xp.reshape(xp.permute_dims(t, (1, 2, 3, 0)), (c, h * w * n))


def _from_channels_first(xp, t, n, grid):
    """(C, Ho*Wo*N) -> (N, C, Ho, Wo), a view: the inverse of :func:`_channels_first`."""
    return xp.permute_dims(xp.reshape(t, (t.shape[0],) + tuple(grid) + (n,)), (3, 0, 1, 2))


def _grid_size(size, kernel, stride, padding):
    """floor((size + 2p - k) / s) + 1 for each axis (PyTorch's conv2d output size)."""
    return tuple((n + 2 * p - k) // s + 1 for n, k, s, p in zip(size, kernel, stride, padding))


def _transposed_size(grid, kernel, stride, padding, output_padding):
    """(grid - 1) s - 2p + k + output_padding for each axis (PyTorch's conv_transpose2d output
    size)."""
    return tuple((g - 1) * s - 2 * p + k + q
                 for g, k, s, p, q in zip(grid, kernel, stride, padding, output_padding))


def _restoring_output_padding(size, grid, kernel, stride, padding):
    """The output_padding that makes a transposed conv of ``grid`` give back exactly ``size``:
    size + 2p - k - (grid - 1) s, which lies in [0, s)."""
    return tuple(n + 2 * p - k - (g - 1) * s
                 for n, g, k, s, p in zip(size, grid, kernel, stride, padding))


# -- the primitives ---------------------------------------------------------------------------

class Conv2dOp(Function):
    """y = conv2d(x, w) (cross-correlation, as in PyTorch), no bias.

    Forward:  y[n, o, a, b] = sum_{c, i, j} w[o, c, i, j] * x_pad[n, c, s_h a + i, s_w b + j]
    with x (N, C, H, W), w (O, C, kh, kw), y (N, O, Ho, Wo); computed as one product
    W (O, C*kh*kw) @ im2col(x) (C*kh*kw, Ho*Wo*N).

    VJP, with g (N, O, Ho, Wo):
      dx = conv_transpose2d(g, w, s, p, output_padding = H + 2p_h - kh - (Ho - 1) s_h, ...)
           (N, C, H, W): dx[n, c, h, v] = sum over the (o, a, b, i, j) with s_h a + i = h + p_h,
           s_w b + j = v + p_w of g[n, o, a, b] w[o, c, i, j];
      dw = conv2d_weight(x, g)  (O, C, kh, kw):
           dw[o, c, i, j] = sum_{n, a, b} g[n, o, a, b] * x_pad[n, c, s_h a + i, s_w b + j].

    Saves: x, w, and the columns im2col(x), an array made by forward (for dw).
    """

    def __init__(self, stride, padding):
        self.stride = stride
        self.padding = padding

    def forward(self, x, w):
        xp = backend.namespace_of(x)
        out_ch, _, kh, kw = w.shape
        grid = _grid_size(x.shape[2:], (kh, kw), self.stride, self.padding)
        columns = _im2col(x, (kh, kw), self.stride, self.padding, grid)
        self.columns = columns  # kept for the weight gradient, which needs exactly these
        y = xp.matmul(xp.reshape(w, (out_ch, -1)), columns)  # (O, Ho*Wo*N)
        return _from_channels_first(xp, y, x.shape[0], grid)

    def backward(self, g):
        x, w = self.inputs
        need_x, need_w = self.needs_input_grad
        kernel = w.shape[2:]
        dx = dw = None
        if need_x:
            output_padding = _restoring_output_padding(x.shape[2:], g.shape[2:], kernel,
                                                       self.stride, self.padding)
            dx = ConvTranspose2dOp.apply(g, w, stride=self.stride, padding=self.padding,
                                       output_padding=output_padding)
        if need_w:
            dw = Conv2dWeight.apply(x, g, kernel=kernel, stride=self.stride, padding=self.padding,
                                    columns=self.columns)
        return dx, dw


class ConvTranspose2dOp(Function):
    """z = conv_transpose2d(y, w): the adjoint of conv2d(., w) in its input, no bias.

    Forward, with y (N, I, Hi, Wi), w (I, O, kh, kw), z (N, O, Ho, Wo),
    Ho = (Hi - 1) s_h - 2p_h + kh + output_padding_h:
      z_pad[n, o, s_h a + i, s_w b + j] += y[n, c, a, b] * w[c, o, i, j]
      (summed over c, a, b, i, j),
      z = z_pad cropped by p on each side;
    computed as one product W^T (O*kh*kw, I) @ y (I, Hi*Wi*N) followed by col2im.
    output_padding only picks which of the s sizes that conv2d maps to Hi the result has.

    VJP, with g (N, O, Ho, Wo):
      dy = conv2d(g, w, s, p)            (N, I, Hi, Wi)  (as <z, g> = <y, conv2d(g, w)>);
      dw = conv2d_weight(g, y)           (I, O, kh, kw):
           dw[c, o, i, j] = sum_{n, a, b} y[n, c, a, b] * g_pad[n, o, s_h a + i, s_w b + j].

    Saves: y and w.
    """

    def __init__(self, stride, padding, output_padding):
        self.stride = stride
        self.padding = padding
        self.output_padding = output_padding

    def forward(self, y, w):
        xp = backend.namespace_of(y)
        in_ch, out_ch, kh, kw = w.shape
        size = _transposed_size(y.shape[2:], (kh, kw), self.stride, self.padding,
                                self.output_padding)
        w_t = xp.permute_dims(xp.reshape(w, (in_ch, -1)), (1, 0))  # (O*kh*kw, I)
        columns = xp.matmul(w_t, _channels_first(xp, y))
        return _col2im(columns, (y.shape[0], out_ch) + size, (kh, kw), self.stride,
                       self.padding, y.shape[2:])

    def backward(self, g):
        y, w = self.inputs
        need_y, need_w = self.needs_input_grad
        dy = Conv2dOp.apply(g, w, stride=self.stride, padding=self.padding) if need_y else None
        dw = None
        if need_w:
            dw = Conv2dWeight.apply(g, y, kernel=w.shape[2:], stride=self.stride,
                                    padding=self.padding)
        return dy, dw


class Conv2dWeight(Function):
    """D = conv2d_weight(x, g): the gradient of <conv2d(x, w), g> with respect to w.

    Forward, with x (N, C, H, W), g (N, O, Ho, Wo) on conv2d's grid, D (O, C, kh, kw):
      D[o, c, i, j] = sum_{n, a, b} g[n, o, a, b] * x_pad[n, c, s_h a + i, s_w b + j],
    computed as one product g (O, Ho*Wo*N) @ im2col(x)^T (Ho*Wo*N, C*kh*kw).

    VJP, with E (O, C, kh, kw) the gradient flowing into D (<D, E> = <conv2d(x, E), g>):
      dx = conv_transpose2d(g, E, s, p, output_padding restoring H, W)   (N, C, H, W);
      dg = conv2d(x, E, s, p)                                            (N, O, Ho, Wo).

    Saves: x and g (and im2col(x) when its caller hands it over).
    """

    def __init__(self, kernel, stride, padding, columns=None):
        self.kernel = tuple(kernel)
        self.stride = stride
        self.padding = padding
        self.columns = columns  # im2col(x), when the caller already has it

    def forward(self, x, g):
        xp = backend.namespace_of(x)
        columns = self.columns
        if columns is None:
            columns = _im2col(x, self.kernel, self.stride, self.padding, g.shape[2:])
        d = xp.matmul(_channels_first(xp, g), xp.permute_dims(columns, (1, 0)))  # (O, C*kh*kw)
        return xp.reshape(d, (g.shape[1], x.shape[1]) + self.kernel)

    def backward(self, e):
        x, g = self.inputs
        need_x, need_g = self.needs_input_grad
        dx = dg = None
        if need_x:
            output_padding = _restoring_output_padding(x.shape[2:], g.shape[2:], self.kernel,
                                                       self.stride, self.padding)
            dx = ConvTranspose2dOp.apply(g, e, stride=self.stride, padding=self.padding,
                                       output_padding=output_padding)
        if need_g:
            dg = Conv2dOp.apply(x, e, stride=self.stride, padding=self.padding)
        return dx, dg


# -- the public functions ---------------------------------------------------------------------

def int_pair(value, name, op, minimum):
    """An int or a pair of ints, each >= ``minimum``, as a pair (a kernel size, stride or
    padding); else an error naming the op and the argument."""
    pair = (value, value) if isinstance(value, numbers.Integral) else value
    if (not isinstance(pair, (tuple, list)) or len(pair) != 2
            or not all(isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in pair)):
        raise TypeError(f"{op}: {name} must be an int or a pair of ints, got {value!r}")
    if any(v < minimum for v in pair):
        raise ValueError(f"{op}: {name} must be >= {minimum}, got {value!r}")
    return tuple(int(v) for v in pair)


def _check_4d(t, what, layout, op):
    if t.ndim != 4:
        raise ValueError(f"{op}: {what} must be 4-D {layout}, got shape {t.shape}")


def _check_channels(x, weight, weight_axis, layout, op):
    if x.shape[1] != weight.shape[weight_axis]:
        raise ValueError(f"{op}: input of shape {x.shape} has {x.shape[1]} channels, but the "
                         f"weight of shape {weight.shape} {layout} expects "
                         f"{weight.shape[weight_axis]}")


def _check_kernel_fits(x, kernel, padding, op):
    padded = tuple(n + 2 * p for n, p in zip(x.shape[2:], padding))
    if any(k > n for k, n in zip(kernel, padded)):
        raise ValueError(f"{op}: kernel size {tuple(kernel)} is larger than the padded input "
                         f"{padded} (input {x.shape} with padding {padding})")


def _add_bias(y, bias, op):
    if bias is None:
        return y
    if bias.shape != (y.shape[1],):
        raise ValueError(f"{op}: bias of shape {bias.shape}, expected ({y.shape[1]},) "
                         "(one value per output channel)")
    return y + reshape(bias, (1, -1, 1, 1))


def conv2d(x, weight, bias=None, stride=1, padding=0):
    """2-D convolution (cross-correlation) as ``torch.nn.functional.conv2d``, without groups
    or dilation.

    x (N, C, H, W), weight (out_ch, C, kh, kw), bias (out_ch,) or None -> (N, out_ch, Ho, Wo)
    with Ho = floor((H + 2 padding - kh) / stride) + 1. ``stride`` and ``padding`` are an int or
    a pair (rows, columns). See :class:`Conv2dOp` for the math of the forward and its VJPs."""
    op = "conv2d"
    backend.check_same_dtype(op, input=x, weight=weight, bias=bias)
    _check_4d(x, "input", "(N, C, H, W)", op)
    _check_4d(weight, "weight", "(out_ch, in_ch, kh, kw)", op)
    _check_channels(x, weight, 1, "(out_ch, in_ch, kh, kw)", op)
    stride = int_pair(stride, "stride", op, 1)
    padding = int_pair(padding, "padding", op, 0)
    _check_kernel_fits(x, weight.shape[2:], padding, op)
    return _add_bias(Conv2dOp.apply(x, weight, stride=stride, padding=padding), bias, op)


def conv_transpose2d(x, weight, bias=None, stride=1, padding=0, output_padding=0):
    """2-D transposed convolution as ``torch.nn.functional.conv_transpose2d``, without groups
    or dilation: the adjoint of :func:`conv2d` in its input (its gradient).

    x (N, in_ch, H, W), weight (in_ch, out_ch, kh, kw), bias (out_ch,) or None ->
    (N, out_ch, Ho, Wo) with Ho = (H - 1) stride - 2 padding + kh + output_padding, and
    output_padding < stride. See :class:`ConvTranspose2dOp` for the math."""
    op = "conv_transpose2d"
    backend.check_same_dtype(op, input=x, weight=weight, bias=bias)
    _check_4d(x, "input", "(N, C, H, W)", op)
    _check_4d(weight, "weight", "(in_ch, out_ch, kh, kw)", op)
    _check_channels(x, weight, 0, "(in_ch, out_ch, kh, kw)", op)
    stride = int_pair(stride, "stride", op, 1)
    padding = int_pair(padding, "padding", op, 0)
    output_padding = int_pair(output_padding, "output_padding", op, 0)
    if any(q >= s for q, s in zip(output_padding, stride)):
        raise ValueError(f"{op}: output_padding {output_padding} must be smaller than stride "
                         f"{stride} in each dimension")
    size = _transposed_size(x.shape[2:], weight.shape[2:], stride, padding, output_padding)
    if any(n < 1 for n in size):
        raise ValueError(f"{op}: the output size {size} is not positive for input {x.shape}, "
                         f"weight {weight.shape}, stride {stride}, padding {padding}, "
                         f"output_padding {output_padding}; reduce the padding")
    y = ConvTranspose2dOp.apply(x, weight, stride=stride, padding=padding,
                              output_padding=output_padding)
    return _add_bias(y, bias, op)


def conv2d_weight(x, weight_size, grad_output, stride=1, padding=0):
    """The gradient of conv2d with respect to its weight, as ``torch.nn.grad.conv2d_weight``:
    x (N, C, H, W), grad_output (N, out_ch, Ho, Wo) on conv2d's output grid, weight_size
    (out_ch, C, kh, kw) -> a tensor of weight_size. See :class:`Conv2dWeight` for the math."""
    op = "conv2d_weight"
    _check_4d(x, "input", "(N, C, H, W)", op)
    _check_4d(grad_output, "grad_output", "(N, out_ch, Ho, Wo)", op)
    weight_size = tuple(weight_size)
    stride = int_pair(stride, "stride", op, 1)
    padding = int_pair(padding, "padding", op, 0)
    if len(weight_size) != 4 or weight_size[1] != x.shape[1]:
        raise ValueError(f"{op}: weight_size {weight_size} must be (out_ch, in_ch, kh, kw) with "
                         f"in_ch = {x.shape[1]}, the channels of the input {x.shape}")
    _check_kernel_fits(x, weight_size[2:], padding, op)
    expected = (x.shape[0], weight_size[0]) + _grid_size(x.shape[2:], weight_size[2:], stride,
                                                         padding)
    if grad_output.shape != expected:
        raise ValueError(f"{op}: grad_output of shape {grad_output.shape}, expected {expected} "
                         f"(conv2d's output for input {x.shape}, weight {weight_size}, stride "
                         f"{stride}, padding {padding})")
    return Conv2dWeight.apply(x, grad_output, kernel=weight_size[2:], stride=stride,
                              padding=padding)
