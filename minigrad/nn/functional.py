"""Neural-network functions (``import minigrad.nn.functional as F``), as in PyTorch.

All are built from differentiable primitives, so every one can be differentiated twice (the
unrolled GAN differentiates the discriminator's gradient)."""

from .. import tracing
from ..backend import check_same_dtype, dtype_name
from ..creation import arange, rand
from ..grad_mode import no_grad
from ..ops import sigmoid, softplus, tanh
from ..ops.conv import conv2d, conv_transpose2d
from ..ops.elementwise import leaky_relu, lift, relu
from ..ops.linalg import linear
from ..ops.normalize import standardize

__all__ = ["linear", "conv2d", "conv_transpose2d", "batch_norm", "relu", "leaky_relu", "tanh",
           "sigmoid", "softplus", "binary_cross_entropy_with_logits", "mse_loss", "lstm_cell",
           "dropout", "binary_cross_entropy", "log_softmax", "nll_loss", "cross_entropy"]


def _reduce(loss, reduction, op_name):
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    if reduction == "none":
        return loss
    raise ValueError(f"{op_name}: reduction must be 'mean', 'sum' or 'none', got {reduction!r}")


def binary_cross_entropy_with_logits(logits, target, reduction="mean"):
    """-[t log sigmoid(x) + (1 - t) log(1 - sigmoid(x))] = softplus(x) - t x.

    ``softplus`` is computed as max(x, 0) + log1p(exp(-|x|)), which never overflows and keeps full
    precision for logits of any size. Gradient: sigmoid(x) - t."""
    target = lift(target, logits)
    if target.shape != logits.shape:
        target = target.broadcast_to(logits.shape)
    return _reduce(softplus(logits) - logits * target, reduction, "binary_cross_entropy_with_logits")


def mse_loss(prediction, target, reduction="mean"):
    """(prediction - target)^2, averaged (or summed)."""
    difference = prediction - target
    return _reduce(difference * difference, reduction, "mse_loss")


def binary_cross_entropy(probabilities, target, reduction="mean"):
    """-[t log p + (1 - t) log(1 - p)] for probabilities p in [0, 1]; each log is clamped at
    -100 as PyTorch does, so p = 0 or 1 gives a finite loss. Prefer
    :func:`binary_cross_entropy_with_logits`, which is exact for logits of any size."""
    target = lift(target, probabilities)
    log_p = probabilities.log().clip(low=-100.0)
    log_not_p = (1.0 - probabilities).log().clip(low=-100.0)
    return _reduce(-(target * log_p + (1.0 - target) * log_not_p), reduction,
                   "binary_cross_entropy")


def log_softmax(x, dim):
    """x - logsumexp(x) along ``dim``: log-probabilities, computed without overflow."""
    return x - x.logsumexp(axis=dim, keepdims=True)


def _one_hot(target, classes, like):
    """A float (N, C) array with 1 at each row's class: ``target`` (N,) int64 against 0..C-1, by
    a recorded comparison, so that a compiled step recomputes it for each batch."""
    if target.ndim != 1 or dtype_name(target.dtype) not in ("int64", "int32"):
        raise TypeError(f"nll_loss: target must be a 1-d integer tensor of class indices, got "
                        f"shape {target.shape} and dtype {dtype_name(target.dtype)}")
    classes_row = arange(classes, device=target.device).reshape(1, classes)
    return (target.reshape(-1, 1) == classes_row).astype(like.dtype)


def nll_loss(log_probabilities, target, reduction="mean"):
    """-log_probabilities[i, target[i]] for (N, C) log-probabilities and (N,) class indices
    (PyTorch's negative log likelihood). The pick is a product with a one-hot matrix: exactly
    the picked value, and its gradient is the one-hot matrix itself. The log-probabilities must
    be finite (0 * -inf would be nan where PyTorch's index gives a number); ``log_softmax`` of
    finite logits always is."""
    if log_probabilities.ndim != 2:
        raise ValueError(f"nll_loss: expects (N, C) log-probabilities, got shape "
                         f"{log_probabilities.shape}")
    picked = (log_probabilities * _one_hot(target, log_probabilities.shape[1],
                                           log_probabilities)).sum(axis=1)
    return _reduce(-picked, reduction, "nll_loss")


def cross_entropy(logits, target, reduction="mean"):
    """nll_loss(log_softmax(logits, 1), target): PyTorch's classification loss on (N, C) logits."""
    return nll_loss(log_softmax(logits, 1), target, reduction)


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
                running_mean.data = ((1 - momentum) * running_mean.detach()
                                     + momentum * mean.reshape((channels,))).data
                running_var.data = ((1 - momentum) * running_var.detach()
                                    + (momentum * count / (count - 1)) * var.reshape((channels,))).data
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



def dropout(x, p=0.5, training=True):
    """In training, each element of x is zeroed with probability p and the others are scaled by
    1 / (1 - p) (inverted dropout, as ``torch.nn.functional.dropout``); otherwise x itself.

    y = x * mask with a constant mask (0 or 1 / (1 - p)), so the VJP is dx = g * mask. The mask
    is drawn on the host with the default generator (:func:`minigrad.manual_seed`); a compiled
    function refuses dropout in training, since a replay would reuse the trace's mask."""
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout: p must be in [0, 1], got {p!r}")
    if not training or p == 0.0:
        return x
    tracing.refuse("dropout in training mode", "a replay would reuse the trace's mask; call "
                   "module.eval() (or training=False) in the compiled function, or draw a mask "
                   "outside it and pass it in")
    keep = rand(*x.shape, dtype=dtype_name(x.dtype), device=x.device) >= p
    return x * (keep.astype(x.dtype) * (0.0 if p == 1.0 else 1.0 / (1.0 - p)))
