"""Tensors made from a shape: zeros, ones, full, empty, eye, arange, linspace, randn, rand,
randint, randperm, normal, bernoulli, multinomial, and the ``*_like`` and ``new_*`` forms that
take another tensor's shape, dtype and device.

Random numbers are drawn with numpy on the host (from a ``numpy.random.Generator`` when given)
and then moved to the device, so that a seed gives the same numbers on every device."""

import contextlib
import contextvars

import numpy as np

from . import backend, tracing
from .tensor import Tensor

_DEFAULT_FLOAT = "float32"
_generator = np.random.default_rng()  # the process's; see default_generator
_local_generator = contextvars.ContextVar("minigrad_local_generator", default=None)


def manual_seed(seed):
    """Seed the generator that randn, rand, dropout and the nn.init functions use when given
    none: the process's, or, inside a :func:`minigrad.local_defaults` block, that block's.
    ``seed`` is what ``np.random.default_rng`` takes; a ``numpy.random.Generator`` becomes
    the default one as it is, so that a generator taken from :func:`default_generator` can be
    put back (and go on where it stopped)."""
    global _generator
    generator = np.random.default_rng(seed)
    if _local_generator.get() is not None:
        _local_generator.set(generator)
    else:
        _generator = generator


def default_generator():
    """The generator of random draws given none: the innermost :func:`minigrad.local_defaults`
    block's in this context, else the process's."""
    local = _local_generator.get()
    return local if local is not None else _generator


@contextlib.contextmanager
def local_defaults(device=None, seed=None):
    """``with local_defaults(device="cuda", seed=0):`` gives this context (this thread, or this
    asyncio task) its own default device and random generator for the block, and leaves the
    process's defaults and every other thread's alone. ``device`` None keeps the current
    default device; ``seed`` None draws a fresh seed (as ``np.random.default_rng()``; a
    ``numpy.random.Generator`` is used as it is). Inside, ``set_default_device`` and
    ``manual_seed`` change the block's defaults; after it, the defaults are what they were.
    Grad mode and compile's trace are context-local always."""
    device_token = backend._local_device.set(
        backend.canonical_device(device if device is not None else backend.default_device()))
    generator_token = _local_generator.set(np.random.default_rng(seed))
    try:
        yield
    finally:
        _local_generator.reset(generator_token)
        backend._local_device.reset(device_token)


def _shape(shape):
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        return tuple(shape[0])
    return tuple(shape)


def full(shape, value, dtype=None, device=None, requires_grad=False):
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    array = np.full(shape, value, dtype=backend.dtype_name(dtype or _DEFAULT_FLOAT))
    return Tensor(backend.array_from_numpy(array, device), requires_grad=requires_grad)


def zeros(*shape, dtype=None, device=None, requires_grad=False):
    return full(_shape(shape), 0, dtype, device, requires_grad)


def ones(*shape, dtype=None, device=None, requires_grad=False):
    return full(_shape(shape), 1, dtype, device, requires_grad)


def new_zeros(x, *shape, dtype=None, requires_grad=False):
    """Zeros of ``shape`` with x's dtype (unless ``dtype`` is given) on x's device
    (PyTorch's ``x.new_zeros``)."""
    return full(_shape(shape), 0, dtype or x.dtype, x.device, requires_grad)


def new_ones(x, *shape, dtype=None, requires_grad=False):
    """Ones of ``shape`` with x's dtype (unless given) on x's device (``x.new_ones``)."""
    return full(_shape(shape), 1, dtype or x.dtype, x.device, requires_grad)


def new_full(x, shape, value, dtype=None, requires_grad=False):
    """``value`` everywhere, of ``shape``, with x's dtype (unless given) and device."""
    return full(shape, value, dtype or x.dtype, x.device, requires_grad)


def new_tensor(x, data, dtype=None, requires_grad=False):
    """A tensor of ``data`` (a copy) with x's dtype (unless given) and device, as
    ``x.new_tensor``."""
    array = np.asarray(data, dtype=backend.dtype_name(dtype or x.dtype))
    return Tensor(backend.array_from_numpy(array, x.device), requires_grad=requires_grad)


def zeros_like(x, requires_grad=False):
    xp = backend.namespace_of(x.array)
    return Tensor(xp.zeros_like(x.array), requires_grad=requires_grad)


def ones_like(x, requires_grad=False):
    xp = backend.namespace_of(x.array)
    return Tensor(xp.ones_like(x.array), requires_grad=requires_grad)


def empty(*shape, dtype=None, device=None, requires_grad=False):
    """PyTorch's ``empty``: here zeros (numpy would give whatever the memory held)."""
    return zeros(*shape, dtype=dtype, device=device, requires_grad=requires_grad)


def full_like(x, value, dtype=None, requires_grad=False):
    """``value`` everywhere, with x's shape, dtype (unless given) and device."""
    return full(x.shape, value, dtype or x.dtype, x.device, requires_grad)


def eye(n, m=None, dtype=None, device=None, requires_grad=False):
    """The n x m identity matrix (n x n if ``m`` is None)."""
    array = np.eye(n, m, dtype=backend.dtype_name(dtype or _DEFAULT_FLOAT))
    return Tensor(backend.array_from_numpy(array, device), requires_grad=requires_grad)


def arange(start, stop=None, step=1, dtype=None, device=None):
    """start, start + step, ... up to ``stop`` (excluded); ``arange(n)`` is 0..n-1. int64 for
    integer arguments, float32 if any is a float (as PyTorch; numpy would give float64)."""
    array = np.arange(start, stop, step) if stop is not None else np.arange(start)
    if dtype is None and array.dtype.kind == "f":
        dtype = _DEFAULT_FLOAT
    return Tensor(backend.array_from_numpy(array, device, dtype))


def linspace(start, end, steps, dtype=None, device=None, requires_grad=False):
    """``steps`` evenly spaced values from ``start`` to ``end``, both included."""
    array = np.linspace(start, end, steps, dtype=backend.dtype_name(dtype or _DEFAULT_FLOAT))
    return Tensor(backend.array_from_numpy(array, device), requires_grad=requires_grad)


def randn(*shape, generator=None, dtype=None, device=None, requires_grad=False):
    """Standard normal samples; ``generator`` is a ``numpy.random.Generator`` (if None, the
    default generator, the one :func:`manual_seed` seeds)."""
    return _random("randn", "standard_normal", shape, generator, dtype, device, requires_grad)


def rand(*shape, generator=None, dtype=None, device=None, requires_grad=False):
    """Uniform samples in [0, 1); ``generator`` as for :func:`randn`."""
    return _random("rand", "random", shape, generator, dtype, device, requires_grad)


def randn_like(x, dtype=None, generator=None, requires_grad=False):
    """Standard normal samples with x's shape, dtype (unless given) and device."""
    return randn(*x.shape, generator=generator, dtype=dtype or x.dtype, device=x.device,
                 requires_grad=requires_grad)


def rand_like(x, dtype=None, generator=None, requires_grad=False):
    """Uniform samples in [0, 1) with x's shape, dtype (unless given) and device."""
    return rand(*x.shape, generator=generator, dtype=dtype or x.dtype, device=x.device,
                requires_grad=requires_grad)


def random_like(x, distribution, a, b, generator=None):
    """Samples of U(a, b) (``distribution`` "uniform") or N(a, b^2) ("normal") with x's shape,
    dtype and device, for the in-place ``uniform_`` and ``normal_``."""
    tracing.refuse(f"{distribution}_", "a replay would repeat the trace's numbers")
    generator = generator if generator is not None else default_generator()
    array = getattr(generator, distribution)(a, b, size=x.shape)
    return Tensor(backend.array_from_numpy(array, x.device, x.dtype))


def randint(low, high=None, size=None, generator=None, dtype="int64", device=None):
    """Integers drawn uniformly from low..high - 1, as PyTorch's ``randint(low, high, size)``
    and ``randint(high, size)`` (from 0)."""
    tracing.refuse("randint", "a replay would repeat the trace's numbers")
    if size is None and isinstance(high, (tuple, list)):
        low, high, size = 0, low, high
    elif high is None:
        low, high = 0, low
    size = (size,) if isinstance(size, int) else tuple(size or ())
    generator = generator if generator is not None else default_generator()
    array = generator.integers(low, high, size=size)
    return Tensor(backend.array_from_numpy(np.asarray(array), device, dtype))


def randperm(n, generator=None, dtype="int64", device=None):
    """A random permutation of 0..n-1."""
    tracing.refuse("randperm", "a replay would repeat the trace's numbers")
    generator = generator if generator is not None else default_generator()
    return Tensor(backend.array_from_numpy(generator.permutation(n), device, dtype))


def normal(mean, std, size=None, generator=None, dtype=None, device=None):
    """Samples of N(mean, std^2): elementwise for tensors ``mean`` and/or ``std`` (their
    broadcast shape, dtype and device), or of ``size`` for two numbers, as PyTorch's ``normal``.
    Not differentiable (PyTorch's is not either)."""
    tracing.refuse("normal", "a replay would repeat the trace's numbers")
    like = mean if isinstance(mean, Tensor) else std if isinstance(std, Tensor) else None
    generator = generator if generator is not None else default_generator()
    as_numbers = [t.numpy() if isinstance(t, Tensor) else t for t in (mean, std)]
    if like is None:
        array = generator.normal(*as_numbers, size=_shape((size,) if isinstance(size, int)
                                                          else size))
        return Tensor(backend.array_from_numpy(array, device, dtype or _DEFAULT_FLOAT))
    array = generator.normal(*as_numbers)
    return Tensor(backend.array_from_numpy(np.asarray(array), like.device, dtype or like.dtype))


def bernoulli(p, generator=None):
    """1 with probability p, else 0, for each element of the tensor ``p`` (its dtype)."""
    tracing.refuse("bernoulli", "a replay would repeat the trace's numbers")
    generator = generator if generator is not None else default_generator()
    draws = generator.random(p.shape) < p.numpy()
    return Tensor(backend.array_from_numpy(draws, p.device, p.dtype))


def multinomial(probs, num_samples, replacement=False, generator=None):
    """``num_samples`` indices drawn with the weights ``probs`` (1-D, or 2-D: one draw per
    row), without replacement unless ``replacement``; int64, as PyTorch's."""
    tracing.refuse("multinomial", "a replay would repeat the trace's numbers")
    generator = generator if generator is not None else default_generator()
    weights = probs.numpy().astype(np.float64)
    rows = weights.reshape(-1, weights.shape[-1])
    drawn = np.stack([generator.choice(row.size, num_samples, replace=replacement,
                                       p=row / row.sum()) for row in rows])
    drawn = drawn.reshape(weights.shape[:-1] + (num_samples,))
    return Tensor(backend.array_from_numpy(drawn.astype(np.int64), probs.device))


def _random(name, method, shape, generator, dtype, device, requires_grad):
    tracing.refuse(name, "a replay would repeat the trace's numbers; draw them outside "
                   "and pass them to the compiled function as an input")
    generator = generator if generator is not None else default_generator()
    array = getattr(generator, method)(_shape(shape))
    return Tensor(backend.array_from_numpy(array, device, dtype or _DEFAULT_FLOAT),
                  requires_grad=requires_grad)
