"""max_pool2d: values and indices against a direct numpy loop over the windows, first and second
derivatives against central finite differences (and compiled replays) on every device; ties,
NaNs and -inf resolved as PyTorch does; the errors. (Against PyTorch itself:
test_against_torch.py.)"""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad as mg
import strategies as S
from minigrad import nn
from minigrad.nn import functional as F
from strategies import check_derivatives


@st.composite
def pool_geometries(draw):
    """(x shape, kernel, stride, padding, dilation), square or not, inputs at least one dilated
    kernel wide; padding at most half the kernel, as PyTorch requires."""
    kernel = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    padding = tuple(draw(st.integers(0, k // 2)) for k in kernel)
    dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    size = tuple(draw(st.integers(d * (k - 1) + 1, d * (k - 1) + 4))
                 for k, d in zip(kernel, dilation))
    shape = (draw(st.integers(1, 2)), draw(st.integers(1, 2))) + size
    return shape, kernel, stride, padding, dilation


def _reference(x, kernel, stride, padding, dilation):
    """The maxima and their positions r W + q, window by window (-inf padding, first of ties)."""
    n, c, h, w = x.shape
    (kh, kw), (sh, sw), (ph, pw), (dh, dw) = kernel, stride, padding, dilation
    padded = np.full((n, c, h + 2 * ph, w + 2 * pw), -np.inf)
    padded[:, :, ph:ph + h, pw:pw + w] = x
    grid = [(size + 2 * p - d * (k - 1) - 1) // s + 1
            for size, k, s, p, d in zip((h, w), kernel, stride, padding, dilation)]
    values, indices = np.zeros((n, c, *grid)), np.zeros((n, c, *grid), dtype=np.int64)
    for a in range(grid[0]):
        for b in range(grid[1]):
            rows, columns = a * sh + dh * np.arange(kh), b * sw + dw * np.arange(kw)
            window = padded[:, :, rows][:, :, :, columns].reshape(n, c, -1)
            best = np.argmax(window, axis=2)
            values[:, :, a, b] = np.take_along_axis(window, best[..., None], axis=2)[..., 0]
            indices[:, :, a, b] = (rows[best // kw] - ph) * w + columns[best % kw] - pw
    return values, indices


@pytest.mark.parametrize("device", S.DEVICES)
@given(geometry=pool_geometries(), data=st.data())
def test_max_pool2d(device, geometry, data):
    shape, kernel, stride, padding, dilation = geometry
    x = data.draw(S.distinct_arrays(shape))
    leaf = S.leaf(x, device)
    values, indices = F.max_pool2d(leaf, kernel, stride, padding, dilation, return_indices=True)
    expected_values, expected_indices = _reference(x, kernel, stride, padding, dilation)
    np.testing.assert_array_equal(values.numpy(), expected_values)
    np.testing.assert_array_equal(indices.numpy(), expected_indices)
    assert indices.type() == mg.int64 and values.device == device
    check_derivatives(lambda t: F.max_pool2d(t, kernel, stride, padding, dilation), leaf)


@pytest.mark.parametrize("device", S.DEVICES)
def test_ties_nans_and_infinities_are_resolved_as_in_pytorch(device):
    x = np.array([[[[1.0, 1.0, -np.inf], [1.0, 1.0, -np.inf]]]])
    leaf = mg.tensor(x, requires_grad=True, device=device)
    # ties: the first in row-major order; a window of -inf: a real element, never the padding
    values, indices = F.max_pool2d(leaf, 2, 1, padding=(0, 1), return_indices=True)
    np.testing.assert_array_equal(indices.numpy(), [[[[0, 0, 1, 2]]]])
    np.testing.assert_array_equal(values.numpy(), [[[[1.0, 1.0, 1.0, -np.inf]]]])
    (g,) = mg.grad(values.sum(), leaf)  # overlapping windows add up at their common maximum
    np.testing.assert_array_equal(g.numpy(), [[[[2.0, 1.0, 1.0], [0.0, 0.0, 0.0]]]])
    nans = mg.tensor(np.array([[[[1.0, np.nan], [np.nan, 2.0]]]]), device=device)
    values, indices = F.max_pool2d(nans, 2, return_indices=True)
    assert np.isnan(values.item()) and indices.item() == 2  # a NaN wins, the last one


@pytest.mark.parametrize("device", S.DEVICES)
def test_tiling_windows_resolve_ties_and_nans_as_overlapping_ones_do(device):
    """Windows that tile the plane (stride = kernel) take a path of their own: its ties go to
    the first element in row-major order, a NaN to the last NaN, a window of -inf to its first
    element, as the general path and PyTorch choose."""
    x = np.array([[[[5.0, 5.0, 1.0, -np.inf, -np.inf, -np.inf],
                    [5.0, 2.0, 0.0, -np.inf, -np.inf, -np.inf],
                    [np.nan, 1.0, np.nan, 7.0, 7.0, 7.0],
                    [3.0, 1.0, 2.0, 7.0, 7.0, 7.0]]]])
    values, indices = F.max_pool2d(mg.tensor(x, device=device), (2, 3), return_indices=True)
    # (0, 0): the first 5; (0, 1): the first -inf; (1, 0): the NaN at (2, 2); (1, 1): the first 7
    np.testing.assert_array_equal(indices.numpy(), [[[[0, 3], [2 * 6 + 2, 2 * 6 + 3]]]])
    np.testing.assert_array_equal(values.numpy(), [[[[5.0, -np.inf], [np.nan, 7.0]]]])


@pytest.mark.parametrize("device", S.DEVICES)
def test_max_pool_module_and_unbatched_input(device):
    x = mg.tensor(np.arange(32.0).reshape(2, 4, 4) % 7, device=device)
    pool = nn.MaxPool2d(2, stride=1, padding=1, return_indices=True)
    values, indices = pool(x)
    batched_values, batched_indices = F.max_pool2d(x.unsqueeze(0), 2, 1, 1, return_indices=True)
    assert values.shape == indices.shape == (2, 5, 5)
    np.testing.assert_array_equal(values.numpy(), batched_values.numpy()[0])
    np.testing.assert_array_equal(indices.numpy(), batched_indices.numpy()[0])
    assert "kernel_size=2, stride=1, padding=1" in repr(pool)


def test_max_pool2d_refuses_what_it_cannot_do_with_a_message():
    x = mg.zeros(1, 1, 4, 4)
    with pytest.raises(NotImplementedError, match="max_pool2d: ceil_mode=True is not supported"):
        F.max_pool2d(x, 2, ceil_mode=True)
    with pytest.raises(ValueError, match=r"padding \(2, 2\) must be at most half of kernel_size"):
        F.max_pool2d(x, 3, padding=2)
    with pytest.raises(ValueError, match=r"input of shape \(1, 1, 4, 4\) is too small for "
                       r"kernel_size \(5, 5\)"):
        F.max_pool2d(x, 5)
    with pytest.raises(ValueError, match=r"expected input \(N, C, H, W\) or \(C, H, W\), got "
                       r"shape \(4, 4\)"):
        F.max_pool2d(mg.zeros(4, 4), 2)
    with pytest.raises(TypeError, match="expected a floating-point input, got dtype int64"):
        F.max_pool2d(mg.zeros(1, 1, 4, 4, dtype="int64"), 2)
    with pytest.raises(TypeError, match=r"stride must be an int or a pair of ints, got \(1, 2, "
                       r"3\)"):
        F.max_pool2d(x, 2, stride=(1, 2, 3))
    with pytest.raises(ValueError, match="max_pool2d: stride must be >= 1, got 0"):
        F.max_pool2d(x, 2, stride=0)
