"""Hypothesis strategies shared by every op test: shapes, broadcastable pairs, values kept away
from kinks, and the devices each op runs on.

Values are float64 in a moderate range; ``away_from`` keeps them a margin away from points where
an op is not differentiable (relu/abs at 0, ties in max), so tolerances never need loosening."""

import os

import numpy as np
from hypothesis import assume
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import minigrad as mg
from minigrad.testing import gradcheck

# The CPU, and array_api_strict's second device, which stands in for a GPU: it refuses silent
# conversion to numpy and refuses arrays of another device, as cupy would. MINIGRAD_TEST_DEVICES
# (comma-separated) runs the op tests on other devices instead, e.g. "cuda" on a GPU
# (benchmarks/gpu_check.py does that).
DEVICES = os.environ.get("MINIGRAD_TEST_DEVICES", "cpu,strict:device1").split(",")

FINITE = dict(allow_nan=False, allow_infinity=False)


def shapes(min_dims=0, max_dims=3, min_side=1, max_side=4):
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side,
                            max_side=max_side)


def arrays(shape, low=-2.0, high=2.0):
    """float64 arrays of ``shape`` (a shape or a strategy of shapes) with values in [low, high]."""
    return hnp.arrays(np.float64, shape, elements=st.floats(low, high, **FINITE))


def positive_arrays(shape, low=0.2, high=2.0):
    """Values bounded away from 0, for log, sqrt, division and pow."""
    return arrays(shape, low, high)


def away_from(array, points=(0.0,), margin=1e-2):
    """Reject examples with an element within ``margin`` of a kink."""
    for point in points:
        assume(np.all(np.abs(array - point) > margin))
    return array


def distinct(array, margin=1e-2):
    """Reject examples where two elements nearly tie (max, maximum)."""
    flat = np.sort(array.ravel())
    assume(flat.size < 2 or np.all(np.diff(flat) > margin))
    return array


@st.composite
def broadcastable_pair(draw, max_dims=3, max_side=4):
    """Two shapes that broadcast together (either may be the smaller one)."""
    shapes_ = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=max_dims,
                                                     max_side=max_side))
    return shapes_.input_shapes


def leaf(array, device, requires_grad=True):
    """A tensor on ``device`` made from a float64 numpy array."""
    return mg.tensor(array, requires_grad=requires_grad, device=device)


# -- conv geometries ----------------------------------------------------------------------------
# (imported here so that this section stays one self-contained block at the end of the module)
from typing import NamedTuple  # noqa: E402


class ConvGeometry(NamedTuple):
    """One conv2d layer: x (batch, in_channels, *size) and a weight (out_channels, in_channels,
    *kernel). The same weight read as (in_ch, out_ch, kh, kw) makes the transposed conv that
    maps conv2d's output (``y_shape``) back to ``x_shape`` with ``output_padding``."""

    batch: int
    in_channels: int
    out_channels: int
    size: tuple
    kernel: tuple
    stride: tuple
    padding: tuple

    @property
    def grid(self):
        """conv2d's output size: floor((H + 2p - k) / s) + 1 per axis."""
        return tuple((n + 2 * p - k) // s + 1
                     for n, k, s, p in zip(self.size, self.kernel, self.stride, self.padding))

    @property
    def output_padding(self):
        """The output_padding (< stride) for which conv_transpose2d gives back ``size``."""
        return tuple((n + 2 * p - k) % s
                     for n, k, s, p in zip(self.size, self.kernel, self.stride, self.padding))

    @property
    def x_shape(self):
        return (self.batch, self.in_channels) + self.size

    @property
    def weight_shape(self):
        return (self.out_channels, self.in_channels) + self.kernel

    @property
    def y_shape(self):
        return (self.batch, self.out_channels) + self.grid


@st.composite
def conv_geometries(draw, max_batch=2, max_channels=3, max_kernel=3, max_stride=3,
                    max_padding=2, max_side=5):
    """Conv geometries with square and non-square kernels, strides and inputs, kernels larger
    and smaller than the stride, and inputs at least as large as the kernel once padded."""
    kernel = (draw(st.integers(1, max_kernel)), draw(st.integers(1, max_kernel)))
    stride = (draw(st.integers(1, max_stride)), draw(st.integers(1, max_stride)))
    padding = (draw(st.integers(0, max_padding)), draw(st.integers(0, max_padding)))
    size = tuple(draw(st.integers(max(1, k - 2 * p), max(max_side, k)))
                 for k, p in zip(kernel, padding))
    return ConvGeometry(batch=draw(st.integers(1, max_batch)),
                        in_channels=draw(st.integers(1, max_channels)),
                        out_channels=draw(st.integers(1, max_channels)),
                        size=size, kernel=kernel, stride=stride, padding=padding)


# -- reductions, reshapes, indexing, matmul (tests/minigrad) ------------------------------------

def axes(ndim):
    """An ``axis`` argument for a reduction over ``ndim`` axes: None, an int (maybe negative)
    or a tuple of distinct axes (maybe empty, maybe negative)."""
    if ndim == 0:
        return st.none()
    single = st.integers(-ndim, ndim - 1)
    several = st.lists(st.integers(0, ndim - 1), unique=True, max_size=ndim).flatmap(
        lambda picked: st.tuples(*[st.sampled_from([a, a - ndim]) for a in picked]))
    return st.one_of(st.none(), single, several)


@st.composite
def distinct_arrays(draw, shape, low=-2.0, high=2.0):
    """float64 arrays of n elements at least 0.4 (high - low) / n apart (no ties for max)."""
    shape = draw(shape) if isinstance(shape, st.SearchStrategy) else shape
    n = int(np.prod(shape, dtype=np.int64))
    rank = np.array(draw(st.permutations(range(n))), dtype=np.float64)
    jitter = draw(arrays((n,), 0.0, 0.6)) if n else np.zeros(0)
    return (low + (rank + 0.2 + jitter) * (high - low) / max(n, 1)).reshape(shape)


@st.composite
def reshape_targets(draw, shape):
    """A shape with as many elements as ``shape``: its prime factors regrouped, 1s inserted,
    and maybe one side replaced by -1."""
    n = int(np.prod(shape, dtype=np.int64))
    factors, rest, p = [], n, 2
    while rest > 1:
        while rest % p == 0:
            factors.append(p)
            rest //= p
        p += 1
    factors = draw(st.permutations(factors))
    cuts = draw(st.lists(st.booleans(), min_size=len(factors), max_size=len(factors)))
    target, side = [], 1
    for factor, cut in zip(factors, cuts):
        side *= factor
        if cut:
            target.append(side)
            side = 1
    if side > 1 or not target:
        target.append(side)
    for _ in range(draw(st.integers(0, 2))):
        target.insert(draw(st.integers(0, len(target))), 1)
    if draw(st.booleans()):
        target[draw(st.integers(0, len(target) - 1))] = -1
    return tuple(target)


def integer_indices(size, max_len=5):
    """Integer index arrays (1-D or 2-D) into an axis of ``size``: repeats and negative indices."""
    return hnp.arrays(np.int64, hnp.array_shapes(min_dims=1, max_dims=2, min_side=1,
                                                 max_side=max_len),
                      elements=st.integers(-size, size - 1))


def matmul_shapes(max_batch_dims=2, max_side=3):
    """Operand shapes for matmul: 1-D or matrices, with broadcasting batch axes."""
    return hnp.mutually_broadcastable_shapes(signature=np.matmul.signature,
                                             max_dims=max_batch_dims, max_side=max_side)


def check_derivatives(fn, *inputs):
    """First and second derivatives of ``fn`` at ``inputs`` against central differences, and
    the compiled program of all three equal to the eager computation, bit for bit."""
    assert gradcheck(fn, inputs, order=2)
    check_compiled(fn, *inputs)


def _values_and_two_derivatives(fn):
    """x -> (fn(x), d phi/dx, d psi/dx) with phi = sum_k 0.37 <fn_k(x), 1> and psi = |dphi/dx|^2:
    the forward pass, a VJP and a VJP of a VJP, all in one function."""
    def all_orders(*xs):
        outputs = fn(*xs)
        outputs = (outputs,) if isinstance(outputs, mg.Tensor) else tuple(outputs)
        wrt = [x for x in xs if x.requires_grad]
        recorded = [o for o in outputs if o.requires_grad]
        if not recorded:
            return outputs
        phi = sum((o * 0.37).sum() for o in recorded)
        first = [g for g in mg.grad(phi, wrt, create_graph=True, allow_unused=True)
                 if g is not None]
        psi = [(g * g).sum() for g in first if g.requires_grad]
        second = mg.grad(sum(psi), wrt, allow_unused=True) if psi else ()
        return outputs + tuple(first) + tuple(g for g in second if g is not None)
    return all_orders


def _permuted(x, generator):
    """x with its elements shuffled: a new point in the same domain (positive stays positive,
    distinct stays distinct), where every data-dependent mask moves."""
    array = x.numpy()
    shuffled = generator.permutation(array.ravel()).reshape(array.shape)
    return mg.tensor(shuffled, requires_grad=x.requires_grad, device=x.device)


def check_compiled(fn, *inputs):
    """Compile the value and first two derivatives of ``fn``; replayed at two new points, they
    equal the eager computation bit for bit (the first replay also runs compile's own check)."""
    all_orders = _values_and_two_derivatives(fn)
    compiled = mg.compile(all_orders)
    compiled(*inputs)
    generator = np.random.default_rng(0)
    for _ in range(2):
        point = [_permuted(x, generator) if isinstance(x, mg.Tensor) else x for x in inputs]
        replayed, eager = compiled(*point), all_orders(*point)
        assert compiled.traces == 1 or compiled.check  # replayed, not traced again
        for r, e in zip(replayed, eager):
            assert r.numpy().tobytes() == e.numpy().tobytes()
    assert compiled.traces == 2  # the first call and compile's check of the first replay
