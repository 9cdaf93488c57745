"""Hypothesis strategies shared by every op test: shapes, broadcastable pairs, values kept away
from kinks, and the devices each op runs on.

Values are float64 in a moderate range; ``away_from`` keeps them a margin away from points where
an op is not differentiable (relu/abs at 0, ties in max), so tolerances never need loosening."""

import numpy as np
from hypothesis import assume
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import minigrad as mg

# The CPU, and array_api_strict's second device, which stands in for a GPU: it refuses silent
# conversion to numpy and refuses arrays of another device, as cupy would.
DEVICES = ["cpu", "strict:device1"]

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
