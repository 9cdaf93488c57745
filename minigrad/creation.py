"""Tensors made from a shape: zeros, ones, full, arange, randn, rand.

Random numbers are drawn with numpy on the host (from a ``numpy.random.Generator`` when given)
and then moved to the device, so that a seed gives the same numbers on every device."""

import numpy as np

from . import backend, tracing
from .tensor import Tensor

_DEFAULT_FLOAT = "float32"
_generator = np.random.default_rng()


def manual_seed(seed):
    """Seed the generator that randn, rand, dropout and the nn.init functions use when given
    none. ``seed`` is what ``np.random.default_rng`` takes; a ``numpy.random.Generator`` becomes
    the default one as it is, so that a generator taken from :func:`default_generator` can be
    put back (and go on where it stopped)."""
    global _generator
    _generator = np.random.default_rng(seed)


def default_generator():
    return _generator


def _shape(shape):
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        return tuple(shape[0])
    return tuple(shape)


def full(shape, value, dtype=None, device=None, requires_grad=False):
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    array = np.full(shape, value, dtype=backend.dtype_name(dtype or _DEFAULT_FLOAT))
    return Tensor(backend.from_numpy(array, device), requires_grad=requires_grad)


def zeros(*shape, dtype=None, device=None, requires_grad=False):
    return full(_shape(shape), 0, dtype, device, requires_grad)


def ones(*shape, dtype=None, device=None, requires_grad=False):
    return full(_shape(shape), 1, dtype, device, requires_grad)


def new_zeros(x, *shape, dtype=None, requires_grad=False):
    """Zeros of ``shape`` with x's dtype (unless ``dtype`` is given) on x's device
    (PyTorch's ``x.new_zeros``)."""
    return full(_shape(shape), 0, dtype or x.dtype, x.device, requires_grad)


def zeros_like(x, requires_grad=False):
    xp = backend.namespace_of(x.data)
    return Tensor(xp.zeros_like(x.data), requires_grad=requires_grad)


def ones_like(x, requires_grad=False):
    xp = backend.namespace_of(x.data)
    return Tensor(xp.ones_like(x.data), requires_grad=requires_grad)


def arange(start, stop=None, step=1, dtype=None, device=None):
    array = np.arange(start, stop, step) if stop is not None else np.arange(start)
    return Tensor(backend.from_numpy(array, device, dtype))


def randn(*shape, generator=None, dtype=None, device=None, requires_grad=False):
    """Standard normal samples; ``generator`` is a ``numpy.random.Generator`` (if None, the
    default generator, the one :func:`manual_seed` seeds)."""
    return _random("randn", "standard_normal", shape, generator, dtype, device, requires_grad)


def rand(*shape, generator=None, dtype=None, device=None, requires_grad=False):
    """Uniform samples in [0, 1); ``generator`` as for :func:`randn`."""
    return _random("rand", "random", shape, generator, dtype, device, requires_grad)


def _random(name, method, shape, generator, dtype, device, requires_grad):
    tracing.refuse(name, "a replay would repeat the trace's numbers; draw them outside "
                   "and pass them to the compiled function as an input")
    generator = generator if generator is not None else _generator
    array = getattr(generator, method)(_shape(shape))
    return Tensor(backend.from_numpy(array, device, dtype or _DEFAULT_FLOAT),
                  requires_grad=requires_grad)
