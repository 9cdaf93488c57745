"""matmul: 1-D operands, matrices, and batches whose batch axes broadcast; linear (the fused
x W^T + b), batched or not, with or without a bias. Values against numpy, first and second
derivatives against central finite differences, on every device."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad as mg
import strategies as S
from minigrad.ops.linalg import linear
from minigrad.testing import gradcheck, gradgradcheck
from strategies import check_derivatives


def matmul(a, b):
    return a @ b


@pytest.mark.parametrize("device", S.DEVICES)
@given(shapes=S.matmul_shapes(max_batch_dims=2, max_side=3), data=st.data())
def test_matmul(device, shapes, data):
    a_shape, b_shape = shapes.input_shapes
    a, b = data.draw(S.arrays(a_shape)), data.draw(S.arrays(b_shape))
    ta, tb = S.leaf(a, device), S.leaf(b, device)
    y = ta @ tb
    assert y.shape == shapes.result_shape and y.device == device
    np.testing.assert_allclose(y.numpy(), a @ b, rtol=1e-12, atol=1e-14)
    np.testing.assert_array_equal(mg.matmul(ta, tb).numpy(), y.numpy())
    check_derivatives(matmul, ta, tb)


# the kinds of operands, each checked whatever hypothesis draws
SHAPE_PAIRS = {
    "vector . vector": ((3,), (3,)),
    "vector @ matrix": ((3,), (3, 2)),
    "matrix @ vector": ((2, 3), (3,)),
    "matrix @ matrix": ((2, 3), (3, 4)),
    "vector @ batch": ((3,), (2, 3, 2)),
    "batch @ vector": ((2, 2, 3), (3,)),
    "batch @ matrix": ((2, 2, 3), (3, 2)),
    "broadcast batch axes": ((2, 1, 2, 3), (3, 3, 2)),
    # k = 1 is computed as a broadcast multiply, not by BLAS
    "outer product": ((4, 1), (1, 3)),
    "column @ row vector": ((4, 1), (1,)),
    "batched outer products": ((2, 1, 4, 1), (3, 1, 2)),
}


@pytest.mark.parametrize("device", S.DEVICES)
@pytest.mark.parametrize("name", sorted(SHAPE_PAIRS))
def test_matmul_examples(device, name):
    a_shape, b_shape = SHAPE_PAIRS[name]
    rng = np.random.default_rng(len(name))
    a, b = rng.uniform(-2, 2, a_shape), rng.uniform(-2, 2, b_shape)
    ta, tb = S.leaf(a, device), S.leaf(b, device)
    np.testing.assert_allclose((ta @ tb).numpy(), np.matmul(a, b), rtol=1e-12)
    check_derivatives(matmul, ta, tb)


@pytest.mark.parametrize("device", S.DEVICES)
def test_matmul_with_constants(device):
    a = mg.tensor(np.arange(6.0).reshape(2, 3), requires_grad=True, device=device)
    (g,) = mg.grad((a @ [[1.0], [2.0], [3.0]]).sum(), a)
    np.testing.assert_array_equal(g.numpy(), [[1.0, 2.0, 3.0]] * 2)
    (g,) = mg.grad(([1.0, -1.0] @ a).sum(), a)
    np.testing.assert_array_equal(g.numpy(), [[1.0] * 3, [-1.0] * 3])


# -- linear ---------------------------------------------------------------------------------------

# finite differences on the strict device are slow: a few small examples
some_examples = settings(max_examples=10)
few_examples = settings(max_examples=5)
sides = st.integers(1, 3)


@st.composite
def linear_inputs(draw, device):
    """x (*batch, in), weight (out, in) and maybe a bias (out,); batch may be empty."""
    batch = draw(st.lists(sides, max_size=2))
    n_in, n_out = draw(sides), draw(sides)
    x = S.leaf(draw(S.arrays(tuple(batch) + (n_in,))), device)
    weight = S.leaf(draw(S.arrays((n_out, n_in))), device)
    bias = S.leaf(draw(S.arrays((n_out,))), device) if draw(st.booleans()) else None
    return (x, weight) if bias is None else (x, weight, bias)


@pytest.mark.parametrize("device", S.DEVICES)
@some_examples
@given(data=st.data())
def test_linear_gradcheck(device, data):
    assert gradcheck(linear, data.draw(linear_inputs(device)))


@pytest.mark.parametrize("device", S.DEVICES)
@few_examples
@given(data=st.data())
def test_linear_gradgradcheck(device, data):
    assert gradgradcheck(linear, data.draw(linear_inputs(device)))


@pytest.mark.parametrize("device", S.DEVICES)
@pytest.mark.parametrize("bias", [True, False])
def test_linear_gradgradcheck_with_an_unbatched_input(device, bias):
    """x of shape (in,), as PyTorch allows: its second derivative must work too."""
    rng = np.random.default_rng(0)
    inputs = [S.leaf(rng.standard_normal(shape), device) for shape in [(3,), (2, 3), (2,)]]
    assert gradgradcheck(linear, inputs if bias else inputs[:2])


@pytest.mark.parametrize("device", S.DEVICES)
@given(data=st.data())
def test_linear_equals_x_times_weight_transposed_plus_bias(device, data):
    x, weight, *bias = data.draw(linear_inputs(device))
    expected = x.numpy() @ weight.numpy().T + (bias[0].numpy() if bias else 0.0)
    np.testing.assert_allclose(linear(x, weight, *bias).numpy(), expected, rtol=1e-12,
                               atol=1e-12)
