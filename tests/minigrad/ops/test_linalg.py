"""matmul: 1-D operands, matrices, and batches whose batch axes broadcast. Values against numpy,
first and second derivatives against central finite differences, on every device."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad as mg
import strategies as S
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
