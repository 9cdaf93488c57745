"""Neural-network functions (``import minigrad.nn.functional as F``), as in PyTorch.

All are built from differentiable primitives, so every one can be differentiated twice (the
unrolled GAN differentiates the discriminator's gradient)."""

import math

from .. import tracing
from ..backend import check_same_dtype, dtype_name
from ..creation import arange, rand
from ..grad_mode import no_grad
from ..ops import erf, sigmoid, softplus, tanh, where
from ..ops import leaky_relu as _leaky_relu
from ..ops import relu as _relu
from ..ops.conv import conv2d, conv_transpose2d
from ..ops.elementwise import lift
from ..ops.indexing import CheckIndices
from ..ops.pool import max_pool2d
from ..ops.limits import infinite_logit_limit, zero_dropping_mul
from ..ops.linalg import linear
from ..ops.normalize import standardize
from ..ops.reduce import log_softmax, softmax

__all__ = ["linear", "conv2d", "conv_transpose2d", "batch_norm", "relu", "leaky_relu", "tanh",
           "sigmoid", "softplus", "binary_cross_entropy_with_logits", "mse_loss", "lstm_cell",
           "gru_cell", "rnn_cell",
           "dropout", "binary_cross_entropy", "log_softmax", "softmax", "nll_loss",
           "cross_entropy", "embedding", "max_pool2d", "layer_norm", "gelu"]


def relu(x, inplace=False):
    """max(x, 0). ``inplace`` is accepted for PyTorch's signature; the result is always a new
    tensor and x is left unchanged (the values are the same)."""
    return _relu(x)


def gelu(x, approximate="none"):
    """The Gaussian error linear unit, ``torch.nn.functional.gelu``: x Phi(x) with Phi the
    standard normal's distribution function,

        approximate="none":  0.5 x (1 + erf(x / sqrt 2))
        approximate="tanh":  0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3)))

    Composites of erf (or tanh), so their derivatives of every order come from their parts."""
    if approximate == "none":
        return 0.5 * x * (1.0 + erf(x * _SQRT_HALF))
    if approximate == "tanh":
        return 0.5 * x * (1.0 + tanh(_SQRT_TWO_OVER_PI * (x + 0.044715 * (x * x * x))))
    raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")


_SQRT_HALF = math.sqrt(0.5)
_SQRT_TWO_OVER_PI = math.sqrt(2.0) * (2.0 / math.sqrt(math.pi)) * 0.5  # PyTorch's kBeta


def leaky_relu(x, negative_slope=0.01, inplace=False):
    """x if x > 0 else negative_slope * x; ``inplace`` as for :func:`relu` (out of place)."""
    return _leaky_relu(x, negative_slope)


def _reduce(loss, reduction, op_name):
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    if reduction == "none":
        return loss
    raise ValueError(f"{op_name}: reduction must be 'mean', 'sum' or 'none', got {reduction!r}")


def _weighted(op, loss, weight, reduction):
    """weight * loss (``weight`` broadcast to it, as PyTorch's), then reduced."""
    if isinstance(weight, str):
        raise TypeError(f"{op}: the third argument is weight, as in PyTorch; give the reduction by "
                        f"name: reduction={weight!r}")
    if weight is not None:
        check_same_dtype(op, input=loss, weight=weight)
        loss = loss * weight
    return _reduce(loss, reduction, op)


def binary_cross_entropy_with_logits(logits, target, weight=None, reduction="mean",
                                     pos_weight=None):
    """-w [p t log sigmoid(x) + (1 - t) log(1 - sigmoid(x))] = w [(1 - t + p t) softplus(x) - p t x]
    with w = ``weight`` and p = ``pos_weight`` (1 if None; broadcast along the last axis, one per
    class, as in PyTorch), since log sigmoid(x) = x - softplus(x) and log(1 - sigmoid(x)) =
    -softplus(x).

    ``softplus`` is computed as max(x, 0) + log1p(exp(-|x|)), which never overflows and keeps full
    precision for logits of any size. Gradient: w [(1 - t + p t) sigmoid(x) - p t].

    At x = +-inf that formula meets inf - inf or 0 * inf; the loss there is its limit instead
    (:class:`~minigrad.ops.limits.InfiniteLogitLimit`): (1 - t) inf at +inf and p t inf at -inf,
    0 where the factor is 0. PyTorch's agrees wherever its value is a number (it gives nan at
    -inf, and at +inf with t = 1)."""
    target = lift(target, logits)
    if target.shape != logits.shape:
        target = target.broadcast_to(logits.shape)
    if pos_weight is None:
        positive = target
        loss = softplus(logits) - logits * target
    else:
        check_same_dtype("binary_cross_entropy_with_logits", input=logits, pos_weight=pos_weight)
        positive = pos_weight * target
        loss = (1.0 - target + positive) * softplus(logits) - logits * positive
    loss = infinite_logit_limit(loss, logits, 1.0 - target, positive)
    return _weighted("binary_cross_entropy_with_logits", loss, weight, reduction)


def mse_loss(prediction, target, reduction="mean"):
    """(prediction - target)^2, averaged (or summed)."""
    difference = prediction - target
    return _reduce(difference * difference, reduction, "mse_loss")


def binary_cross_entropy(probabilities, target, weight=None, reduction="mean"):
    """-w [t log p + (1 - t) log(1 - p)] for probabilities p in [0, 1] and w = ``weight`` (1 if
    None); each log is clamped at -100 as PyTorch does, so p = 0 or 1 gives a finite loss.
    Prefer :func:`binary_cross_entropy_with_logits`, which is exact for logits of any size.
    A target of another shape is refused, as in PyTorch (broadcasting (4, 1) against (4,) would
    silently average 16 terms)."""
    target = lift(target, probabilities)
    if target.ndim and target.shape != probabilities.shape:
        raise ValueError(f"binary_cross_entropy: target shape {target.shape} differs from the "
                         f"input's {probabilities.shape}; PyTorch refuses this too (reshape one, "
                         "e.g. target.view(-1, 1))")
    log_p = probabilities.log().clip(low=-100.0)
    log_not_p = (1.0 - probabilities).log().clip(low=-100.0)
    return _weighted("binary_cross_entropy", -(target * log_p + (1.0 - target) * log_not_p),
                     weight, reduction)


def _one_hot(target, classes, like, op):
    """A float (N, C) array with 1 at each row's class: ``target`` (N,) int64 against 0..C-1, by
    a recorded comparison, so that a compiled step recomputes it for each batch."""
    if target.ndim != 1 or dtype_name(target.dtype) not in ("int64", "int32"):
        probabilities = f", or class probabilities of shape {like.shape}" \
            if op == "cross_entropy" else ""
        raise TypeError(f"{op}: target must be a 1-d integer tensor of class indices"
                        f"{probabilities}, got shape {target.shape} and dtype "
                        f"{dtype_name(target.dtype)}")
    classes_row = arange(classes, device=target.device).reshape(1, classes)
    return (target.reshape(-1, 1) == classes_row).astype(like.dtype)


def _classification_loss(op, log_probabilities, target, weight, ignore_index, reduction,
                         label_smoothing=0.0):
    """loss_n = -sum_c Q[n, c] log_probabilities[n, c], reduced; PyTorch's definitions.

    With class indices y_n, weights w (ones if None) and smoothing e over C classes:
    Q[n, c] = v_n ((1 - e) w_c [c = y_n] + e w_c / C), where v_n = 0 for y_n = ignore_index and 1
    otherwise; 'mean' divides the sum by sum_n v_n w_{y_n}. With class probabilities t (N, C)
    (cross_entropy only): Q[n, c] = w_c ((1 - e) t[n, c] + e / C), and 'mean' divides by N.
    Q is a constant of the graph, so the VJP is d log_probabilities = -g Q (spread as reduced).
    A term with Q[n, c] = 0 adds 0 even where log_probabilities[n, c] is -inf (a masked class;
    0 * -inf would be nan), as PyTorch's pick by index does: :func:`zero_dropping_mul`."""
    if log_probabilities.ndim != 2:
        raise ValueError(f"{op}: expects (N, C) inputs, got shape {log_probabilities.shape}")
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"{op}: label_smoothing must be in [0, 1], got {label_smoothing!r}")
    classes = log_probabilities.shape[1]
    class_weights = lift(1.0, log_probabilities)
    if weight is not None:
        if weight.shape != (classes,):
            raise ValueError(f"{op}: weight has shape {weight.shape}, expected ({classes},), one "
                             f"per class of the input of shape {log_probabilities.shape}")
        check_same_dtype(op, input=log_probabilities, weight=weight)
        class_weights = weight.reshape(1, classes)
    if target.shape == log_probabilities.shape and op == "cross_entropy":
        smoothed = target * (1.0 - label_smoothing) + label_smoothing / classes
        coefficients = smoothed * class_weights
        total_weight = lift(float(target.shape[0]), log_probabilities)
    else:
        one_hot = _one_hot(target, classes, log_probabilities, op)
        target = CheckIndices.apply(target, op=op, size=classes, ignored=ignore_index)
        counted = (target != ignore_index).astype(log_probabilities.dtype).reshape(-1, 1)
        picked = one_hot * counted * class_weights
        total_weight = picked.sum()
        coefficients = picked * (1.0 - label_smoothing) + \
            counted * class_weights * (label_smoothing / classes)
    losses = -zero_dropping_mul(log_probabilities, coefficients).sum(axis=1)
    if reduction == "mean":
        return losses.sum() / total_weight
    return _reduce(losses, reduction, op)


def nll_loss(log_probabilities, target, weight=None, ignore_index=-100, reduction="mean"):
    """-w_{y_n} log_probabilities[n, y_n] for (N, C) log-probabilities and (N,) class indices y
    (PyTorch's negative log likelihood), with optional class ``weight`` (C,), 0 for targets equal
    to ``ignore_index``; 'mean' divides by the sum of the weights of the targets not ignored.
    The pick is a product with a one-hot matrix: exactly the picked value, and its gradient is
    the one-hot matrix itself; a -inf log-probability off the target adds nothing (not
    0 * -inf = nan), and one at the target gives inf, as PyTorch's."""
    return _classification_loss("nll_loss", log_probabilities, target, weight, ignore_index,
                                reduction)


def cross_entropy(logits, target, weight=None, ignore_index=-100, reduction="mean",
                  label_smoothing=0.0):
    """PyTorch's classification loss on (N, C) logits: for (N,) class indices,
    nll_loss(log_softmax(logits, 1), target, weight, ignore_index) mixed with weight
    ``label_smoothing`` with the loss against the uniform distribution over the C classes; for
    (N, C) class probabilities, -sum_c w_c t[n, c] log_softmax(logits)[n, c] (smoothed alike).
    A masked logit (-inf) has log_softmax -inf and softmax 0: off the target it adds nothing to
    the loss (a finite loss, as PyTorch's) and its gradient is 0; at the target the loss is inf.
    (With class probabilities, a 0 probability at a masked class adds 0, where PyTorch's
    0 * -inf gives nan.)
    The exact formulas: :func:`_classification_loss`."""
    return _classification_loss("cross_entropy", log_softmax(logits, 1), target, weight,
                                ignore_index, reduction, label_smoothing)


def embedding(input, weight, padding_idx=None, max_norm=None, scale_grad_by_freq=False,
              sparse=False):
    """y[..., :] = weight[input[...], :]: the rows of ``weight`` (num_embeddings, embedding_dim)
    at the integer indices ``input`` (any shape, each in 0..num_embeddings - 1), so y has shape
    input.shape + (embedding_dim,). VJP: dweight = the rows of g added up
    at their indices (``IndexAdd``), and nothing added to row ``padding_idx``: its gradient is
    zero, as in PyTorch (its values are still read). ``max_norm``, ``scale_grad_by_freq`` and
    ``sparse`` are not supported."""
    if max_norm is not None or scale_grad_by_freq or sparse:
        raise NotImplementedError("embedding: max_norm, scale_grad_by_freq and sparse are not "
                                  "supported; rescale the weight explicitly instead of max_norm")
    if weight.ndim != 2:
        raise ValueError(f"embedding: weight must be (num_embeddings, embedding_dim), got shape "
                         f"{weight.shape}")
    if dtype_name(input.dtype) not in ("int64", "int32"):
        raise TypeError(f"embedding: input must hold integer indices, got dtype "
                        f"{dtype_name(input.dtype)}")
    rows = weight[CheckIndices.apply(input, op="embedding", size=weight.shape[0])]
    if padding_idx is None:
        return rows
    size = weight.shape[0]
    if not -size <= padding_idx < size:
        raise ValueError(f"embedding: padding_idx {padding_idx} is out of range for "
                         f"{size} embeddings")
    counted = (input != padding_idx % size).reshape(input.shape + (1,))
    return where(counted, rows, rows.detach())


def layer_norm(x, normalized_shape, weight=None, bias=None, eps=1e-5):
    """y = (x - mean) / sqrt(var + eps) * weight + bias, the statistics (biased variance) of each
    sample over its last axes, ``normalized_shape`` (an int or a tuple), as PyTorch's.
    Composite: the ``Standardize`` primitive of batch norm, over other axes, then mul and add."""
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    if x.shape[x.ndim - len(shape):] != shape:
        raise ValueError(f"layer_norm: normalized_shape {shape} is not the end of the input's "
                         f"shape {x.shape}")
    check_same_dtype("layer_norm", input=x, weight=weight, bias=bias)
    y, _, _ = standardize(x, tuple(range(x.ndim - len(shape), x.ndim)), eps)
    if weight is not None:
        y = y * weight
    return y if bias is None else y + bias


def batch_norm(x, running_mean, running_var, weight=None, bias=None, training=False,
               momentum=0.1, eps=1e-5):
    """y = (x - mean) / sqrt(var + eps) * weight + bias, per channel (axis 1 of (N, C) or
    (N, C, H, W)).

    In training, mean and (biased) variance come from the batch, and the running statistics
    move towards them: r <- (1 - momentum) r + momentum * batch_stat (the unbiased variance for
    running_var, as PyTorch). In eval, the running statistics are used: y is then an affine map
    of x. Running statistics may be None in training (then they are not tracked)."""
    if x.ndim not in (2, 4):
        raise ValueError(f"batch_norm: expected input (N, C) or (N, C, H, W), got shape {x.shape}")
    check_same_dtype("batch_norm", input=x, running_mean=running_mean, running_var=running_var,
                     weight=weight, bias=bias)
    channels = x.shape[1]
    axes = (0,) if x.ndim == 2 else (0, 2, 3)
    stat_shape = (1, channels) + (1,) * (x.ndim - 2)
    for name, t in (("running_mean", running_mean), ("running_var", running_var),
                    ("weight", weight), ("bias", bias)):
        if t is not None and t.shape != (channels,):
            raise ValueError(f"batch_norm: {name} has shape {t.shape}, expected ({channels},) "
                             f"for input of shape {x.shape}")
    if training:
        count = x.numel() // channels
        if count < 2:
            raise ValueError(f"batch_norm: training needs more than one value per channel, got "
                             f"input of shape {x.shape}")
        y, mean, var = standardize(x, axes, eps)  # one primitive, see minigrad.ops.normalize
        if running_mean is not None:
            with no_grad():
                running_mean._set_array(((1 - momentum) * running_mean.detach()
                                         + momentum * mean.reshape((channels,))).array)
                unbiased = (momentum * count / (count - 1)) * var.reshape((channels,))
                running_var._set_array(((1 - momentum) * running_var.detach() + unbiased).array)
    else:
        if running_mean is None or running_var is None:
            raise ValueError("batch_norm: eval mode needs running_mean and running_var")
        y = (x - running_mean.reshape(stat_shape)) / (running_var.reshape(stat_shape) + eps).sqrt()
    if weight is not None:
        y = y * weight.reshape(stat_shape)
    if bias is not None:
        y = y + bias.reshape(stat_shape)
    return y


def lstm_cell(x, state, weight_ih, weight_hh, bias_ih=None, bias_hh=None):
    """One LSTM step, PyTorch's gate order (i, f, g, o):

        [i, f, g, o] = x W_ih^T + b_ih + h W_hh^T + b_hh    (each (N, H))
        c' = sigmoid(f) c + sigmoid(i) tanh(g)
        h' = sigmoid(o) tanh(c')

    ``state`` is (h, c), each (N, H). Returns (h', c'). With ``x`` None the cell has no input
    (the x W_ih^T + b_ih term is left out; weight_ih and bias_ih must then be None): its gates
    read the state alone, as in a recurrent generator driven only by its initial state."""
    h, c = state
    hidden = weight_hh.shape[1]
    gates = linear(h, weight_hh, bias_hh)
    if x is not None:
        gates = linear(x, weight_ih, bias_ih) + gates
    elif weight_ih is not None or bias_ih is not None:
        raise ValueError("lstm_cell: without an input x there is no x W_ih^T + b_ih term; pass "
                         "weight_ih=None and bias_ih=None")
    i = sigmoid(gates[:, :hidden])
    f = sigmoid(gates[:, hidden:2 * hidden])
    g = tanh(gates[:, 2 * hidden:3 * hidden])
    o = sigmoid(gates[:, 3 * hidden:])
    c_next = f * c + i * g
    return o * tanh(c_next), c_next


def gru_cell(x, h, weight_ih, weight_hh, bias_ih=None, bias_hh=None):
    """One GRU step, PyTorch's gate order (r, z, n):

        [a_r, a_z, a_n] = x W_ih^T + b_ih,   [b_r, b_z, b_n] = h W_hh^T + b_hh   (each (N, H))
        r = sigmoid(a_r + b_r),   z = sigmoid(a_z + b_z)
        n = tanh(a_n + r b_n)
        h' = (1 - z) n + z h

    (the reset gate scales the state's whole term b_n, bias included, as in PyTorch). Built from
    differentiable primitives, so its derivatives of every order come from theirs."""
    hidden = weight_hh.shape[1]
    from_input = linear(x, weight_ih, bias_ih)
    from_state = linear(h, weight_hh, bias_hh)
    r = sigmoid(from_input[:, :hidden] + from_state[:, :hidden])
    z = sigmoid(from_input[:, hidden:2 * hidden] + from_state[:, hidden:2 * hidden])
    n = tanh(from_input[:, 2 * hidden:] + r * from_state[:, 2 * hidden:])
    return (1.0 - z) * n + z * h


def rnn_cell(x, h, weight_ih, weight_hh, bias_ih=None, bias_hh=None, nonlinearity="tanh"):
    """One Elman RNN step: h' = act(x W_ih^T + b_ih + h W_hh^T + b_hh) with act tanh or relu
    (``torch.nn.RNNCell``'s ``nonlinearity``)."""
    if nonlinearity not in ("tanh", "relu"):
        raise ValueError(f"rnn_cell: nonlinearity must be 'tanh' or 'relu', got {nonlinearity!r}")
    act = tanh if nonlinearity == "tanh" else _relu
    return act(linear(x, weight_ih, bias_ih) + linear(h, weight_hh, bias_hh))



def dropout(x, p=0.5, training=True, inplace=False):
    """In training, each element of x is zeroed with probability p and the others are scaled by
    1 / (1 - p) (inverted dropout, as ``torch.nn.functional.dropout``); otherwise x itself.

    y = x * mask with a constant mask (0 or 1 / (1 - p)), so the VJP is dx = g * mask. The mask
    is drawn on the host with the default generator (:func:`minigrad.manual_seed`); a compiled
    function refuses dropout in training, since a replay would reuse the trace's mask.
    ``inplace`` as for :func:`relu` (out of place)."""
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout: p must be in [0, 1], got {p!r}")
    if not training or p == 0.0:
        return x
    tracing.refuse("dropout in training mode", "a replay would reuse the trace's mask; call "
                   "module.eval() (or training=False) in the compiled function, or draw a mask "
                   "outside it and pass it in")
    keep = rand(*x.shape, dtype=dtype_name(x.dtype), device=x.device) >= p
    return x * (keep.astype(x.dtype) * (0.0 if p == 1.0 else 1.0 / (1.0 - p)))
