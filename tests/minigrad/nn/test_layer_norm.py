"""F.layer_norm and nn.LayerNorm: values against numpy, first and second derivatives against
central differences (compiled equal to eager), on every device. (Against PyTorch:
tests/minigrad/test_against_torch.py.)"""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad as mg
import minigrad.nn.functional as F
import strategies as S
from strategies import check_derivatives


@pytest.mark.parametrize("device", S.DEVICES)
@given(data=st.data())
def test_layer_norm(device, data):
    x = data.draw(S.distinct_arrays(S.shapes(min_dims=1, max_side=3)))
    last = data.draw(st.integers(1, x.ndim))
    shape = x.shape[x.ndim - last:]
    axes = tuple(range(x.ndim - last, x.ndim))
    weight, bias = data.draw(S.arrays(shape)), data.draw(S.arrays(shape))
    leaves = [S.leaf(a, device) for a in (x, weight, bias)]
    expected = (x - x.mean(axis=axes, keepdims=True)) / np.sqrt(
        x.var(axis=axes, keepdims=True) + 1e-5) * weight + bias
    np.testing.assert_allclose(F.layer_norm(*leaves[:1], shape, *leaves[1:]).numpy(), expected,
                               rtol=1e-9, atol=1e-12)
    if np.prod(shape) > 1:  # a single value has variance 0: its derivatives are those of eps
        check_derivatives(lambda t, w, b: F.layer_norm(t, shape, w, b), *leaves)


def test_layer_norm_module_and_its_errors():
    layer = mg.nn.LayerNorm(4)
    assert [n for n, _ in layer.named_parameters()] == ["weight", "bias"]
    assert layer(mg.ones(2, 4)).shape == (2, 4)
    assert list(mg.nn.LayerNorm((2, 4), elementwise_affine=False).parameters()) == []
    with pytest.raises(ValueError, match=r"layer_norm: normalized_shape \(3,\) is not the end of "
                                         r"the input's shape \(2, 4\)"):
        F.layer_norm(mg.ones(2, 4), 3)
