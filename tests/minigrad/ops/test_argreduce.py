"""PyTorch's max(x, dim) and min(x, dim), which return (values, indices), and argmin: values and
indices against numpy, first and second derivatives against central finite differences (and
compiled replays) on every device; the gradient at ties goes to the index returned, as in
PyTorch. (The same against PyTorch itself: test_against_torch.py.)"""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad as mg
import strategies as S
from strategies import check_derivatives

# name: (minigrad function, numpy's index function, numpy's value function)
EXTREMES = {"max": (mg.max, np.argmax, np.max), "min": (mg.min, np.argmin, np.min)}


@pytest.mark.parametrize("device", S.DEVICES)
@pytest.mark.parametrize("name", sorted(EXTREMES))
@given(data=st.data(), keepdim=st.booleans())
def test_values_and_indices_along_a_dim(name, device, data, keepdim):
    op, np_index, np_value = EXTREMES[name]
    x = data.draw(S.distinct_arrays(S.shapes(min_dims=1, max_side=3)))
    dim = data.draw(st.integers(-x.ndim, x.ndim - 1))
    leaf = S.leaf(x, device)
    result = op(leaf, dim, keepdim=keepdim)
    values, indices = result  # a named tuple, as PyTorch's
    assert result.values is values and result.indices is indices
    np.testing.assert_array_equal(values.numpy(), np_value(x, axis=dim, keepdims=keepdim))
    np.testing.assert_array_equal(indices.numpy(), np_index(x, axis=dim, keepdims=keepdim))
    assert indices.type() == mg.int64 and not indices.requires_grad and values.device == device
    check_derivatives(lambda t: op(t, dim=dim, keepdim=keepdim).values, leaf)


@pytest.mark.parametrize("device", S.DEVICES)
def test_the_gradient_at_ties_goes_to_the_first_index_and_amax_shares_it(device):
    x = mg.tensor(np.array([[1.0, 3.0, 3.0], [2.0, 0.0, 2.0]]), requires_grad=True, device=device)
    values, indices = x.max(1)
    np.testing.assert_array_equal(indices.numpy(), [1, 0])
    (g,) = mg.grad(values.sum(), x)
    np.testing.assert_array_equal(g.numpy(), [[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])
    (g,) = mg.grad(x.amax(dim=1).sum(), x)
    np.testing.assert_array_equal(g.numpy(), [[0.0, 0.5, 0.5], [0.5, 0.0, 0.5]])
    values, indices = mg.min(x, dim=0)
    np.testing.assert_array_equal(indices.numpy(), [0, 1, 1])
    np.testing.assert_array_equal(values.numpy(), [1.0, 0.0, 2.0])


@pytest.mark.parametrize("device", S.DEVICES)
def test_the_other_forms_of_max_and_min(device):
    x = mg.tensor(np.array([[1.0, 5.0], [4.0, -2.0]]), device=device)
    assert x.max().item() == 5.0 and mg.min(x).item() == -2.0  # no dim: the values only
    values, indices = x.max(axis=1)  # numpy's axis is dim, as in PyTorch (issue 35)
    np.testing.assert_array_equal(values.numpy(), [5.0, 4.0])
    np.testing.assert_array_equal(indices.numpy(), [1, 0])
    assert x.min(axis=0, keepdims=True).values.shape == (1, 2)
    other = mg.tensor(np.array([[2.0, 2.0], [2.0, 2.0]]), device=device)
    np.testing.assert_array_equal(mg.max(x, other).numpy(), [[2.0, 5.0], [4.0, 2.0]])
    np.testing.assert_array_equal(x.min(other).numpy(), [[1.0, 2.0], [2.0, -2.0]])
    scalar = mg.tensor(3.0, device=device)
    assert scalar.max(0).values.item() == 3.0 and scalar.max(-1).indices.item() == 0
    np.testing.assert_array_equal(x.argmin(dim=1).numpy(), [0, 1])
    assert x.argmin().item() == 3 and x.argmin(keepdim=True).shape == (1, 1)


def test_max_and_min_refuse_what_pytorch_refuses_with_a_message():
    x = mg.zeros(2, 3)
    with pytest.raises(TypeError, match=r"max: dim must be an int, got \(0, 1\).*amax"):
        x.max((0, 1))
    with pytest.raises(TypeError, match="min: give dim or its alias axis, not both"):
        x.min(0, axis=1)
    with pytest.raises(TypeError, match=r"min: dim must be an int, got \(0, 1\).*amin"):
        x.min(axis=(0, 1))
    with pytest.raises(ValueError, match=r"max: the tensor of shape \(0, 2\) is empty"):
        mg.zeros(0, 2).max(1)
    with pytest.raises(ValueError, match=r"argmin: the tensor of shape \(0,\) is empty"):
        mg.zeros(0).argmin()
    with pytest.raises(ValueError, match="axis 2 is out of range"):
        x.max(2)
