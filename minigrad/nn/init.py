"""In-place initialisers, as in ``torch.nn.init``. Values are drawn on the host from a
``numpy.random.Generator`` (``minigrad.manual_seed`` seeds the default one) and moved to the
tensor's device, so a seed gives the same weights on every device."""

import math

import numpy as np

from .. import backend, tracing
from ..creation import default_generator


def _fill(tensor, array):
    tracing.refuse("an nn.init initialiser", "it draws on the host, and a replay would repeat "
                   "the trace's values; initialise outside the compiled function")
    tensor._set_array(backend.array_from_numpy(np.asarray(array), tensor.device, tensor.dtype))
    return tensor


def _fans(tensor):
    """(fan_in, fan_out) of a weight: (out, in, *kernel) -> (in * k, out * k)."""
    if tensor.ndim < 2:
        raise ValueError(f"init: fan in/out need a weight of at least 2 dimensions, got shape "
                         f"{tensor.shape}")
    receptive = int(np.prod(tensor.shape[2:], dtype=np.int64))
    return tensor.shape[1] * receptive, tensor.shape[0] * receptive


def zeros_(tensor):
    return _fill(tensor, np.zeros(tensor.shape))


def ones_(tensor):
    return _fill(tensor, np.ones(tensor.shape))


def constant_(tensor, value):
    return _fill(tensor, np.full(tensor.shape, value))


def uniform_(tensor, a=0.0, b=1.0, generator=None):
    return _fill(tensor, (generator or default_generator()).uniform(a, b, tensor.shape))


def normal_(tensor, mean=0.0, std=1.0, generator=None):
    return _fill(tensor, (generator or default_generator()).normal(mean, std, tensor.shape))


def xavier_uniform_(tensor, gain=1.0, generator=None):
    """U(-a, a) with a = gain * sqrt(6 / (fan_in + fan_out))."""
    fan_in, fan_out = _fans(tensor)
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform_(tensor, -bound, bound, generator)


def xavier_normal_(tensor, gain=1.0, generator=None):
    """N(0, std^2) with std = gain * sqrt(2 / (fan_in + fan_out))."""
    fan_in, fan_out = _fans(tensor)
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / (fan_in + fan_out)), generator)


def kaiming_uniform_(tensor, a=0.0, generator=None):
    """U(-b, b) with b = sqrt(6 / ((1 + a^2) fan_in)); with a = sqrt(5) this is PyTorch's default
    for Linear and Conv weights, U(-1/sqrt(fan_in), 1/sqrt(fan_in))."""
    fan_in, _ = _fans(tensor)
    bound = math.sqrt(6.0 / ((1.0 + a * a) * fan_in))
    return uniform_(tensor, -bound, bound, generator)


def orthogonal_(tensor, gain=1.0, generator=None):
    """A (semi-)orthogonal matrix times ``gain``: the weight flattened to (rows, cols) has
    orthonormal rows or columns. Made from the QR decomposition of a Gaussian matrix, with the
    signs of R's diagonal folded into Q so that the result is uniformly distributed."""
    rows = tensor.shape[0]
    cols = int(np.prod(tensor.shape[1:], dtype=np.int64))
    generator = generator or default_generator()
    gaussian = generator.standard_normal((max(rows, cols), min(rows, cols)))
    q, r = np.linalg.qr(gaussian)
    q = q * np.sign(np.diag(r))
    if rows < cols:
        q = q.T
    return _fill(tensor, gain * q.reshape(tensor.shape))
