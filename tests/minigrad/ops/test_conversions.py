"""PyTorch's conversion methods (to(dtype), to(device, dtype), to(other), clone, long, ...):
dtypes and devices, and first and second derivatives of the differentiable ones against central
differences (compiled equal to eager)."""

import numpy as np
import pytest
from hypothesis import given

import minigrad as mg
import strategies as S
from strategies import check_derivatives


@pytest.mark.parametrize("device", S.DEVICES)
@given(x=S.arrays(S.shapes()))
def test_clone_is_a_copy_in_the_graph(device, x):
    leaf = S.leaf(x, device)
    copy = leaf.clone()
    assert copy is not leaf and copy.array is not leaf.array and copy.requires_grad
    np.testing.assert_array_equal(copy.numpy(), x)
    check_derivatives(lambda t: t.clone() * t, leaf)


@pytest.mark.parametrize("device", S.DEVICES)
@given(x=S.arrays(S.shapes()))
def test_to_a_dtype_is_differentiable_back_to_the_input_s_dtype(device, x):
    leaf = S.leaf(x, device)
    assert leaf.to(device, mg.float64) is leaf  # nothing changes: x itself
    (g,) = mg.grad((leaf.to(mg.float32) * 3.0).sum(), leaf)
    assert mg.tensor(g.numpy()).dtype == np.float64 and np.all(g.numpy() == 3.0)


def test_to_reads_a_device_a_dtype_both_or_another_tensor():
    x = mg.tensor([1.5, -2.0])
    assert x.to(mg.double).dtype == np.float64 and x.to("cpu", "float64").dtype == np.float64
    assert x.to(mg.tensor([1], dtype="int64")).dtype == np.int64
    assert x.to(dtype=mg.float16).dtype == np.float16
    assert [x.long().dtype, x.int().dtype, x.bool().dtype, x.half().dtype] == \
        [np.int64, np.int32, np.bool_, np.float16]
    assert x.long().tolist() == [1, -2]
