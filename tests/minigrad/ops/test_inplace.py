"""In-place updates (``x -= y``, ``add_``, ``fill_``, ...): written into the array and versioned
when nothing records them, rebased into the graph when something does; first and second
derivatives of the recorded form against central differences; and the errors."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad as mg
import strategies as S
from minigrad.testing import gradcheck


def _recorded_updates(x, y):
    """A function of x and y made of in-place updates of tensors computed from them."""
    h = x * y
    h += x
    h -= y * 0.5
    h *= x
    h /= y
    h.add_(x, alpha=2.0)
    h.sub_(y)
    h.mul_(0.3)
    h.div_(1.5)
    return h


@pytest.mark.parametrize("device", S.DEVICES)
@given(shapes=S.broadcastable_pair(), data=st.data())
def test_recorded_in_place_updates_have_the_derivatives_of_the_out_of_place_ops(device, shapes,
                                                                                data):
    x_shape, y_shape = shapes
    out_shape = np.broadcast_shapes(x_shape, y_shape)
    x = data.draw(S.arrays(out_shape))  # h has x's shape: y broadcasts into it
    y = data.draw(S.positive_arrays(y_shape))
    xs = [S.leaf(x, device), S.leaf(y, device)]
    expected = ((x * y + x - y * 0.5) * x / y + 2.0 * x - y) * 0.3 / 1.5
    np.testing.assert_allclose(_recorded_updates(*xs).numpy(), expected, rtol=1e-12)
    # gradcheck, not check_derivatives: mg.compile refuses in-place updates (tested below)
    assert gradcheck(_recorded_updates, xs, order=2)


def test_an_update_nothing_records_writes_into_the_array_and_bumps_the_version():
    x = mg.tensor([1.0, 2.0, 3.0])
    array, version = x.array, x.version
    x.add_(1.0).mul_(2.0).clamp_(max=7.0)
    assert x.array is array and x.version == version + 3
    assert x.tolist() == [4.0, 6.0, 7.0]
    assert x.fill_(0.5).tolist() == [0.5] * 3 and x.zero_().tolist() == [0.0] * 3


def test_uniform_and_normal_fill_from_the_default_generator():
    mg.manual_seed(0)
    x = mg.empty(1000, dtype="float64").uniform_(-2.0, 3.0)
    assert -2.0 <= x.numpy().min() and x.numpy().max() < 3.0
    assert x.mean().item() == pytest.approx(0.5, abs=0.2)
    y = mg.zeros(1000).normal_(1.0, 2.0)
    assert y.dtype == np.float32 and y.std().item() == pytest.approx(2.0, rel=0.1)


def test_in_place_errors_name_the_op_and_what_was_expected():
    with pytest.raises(RuntimeError, match=r"add_: the result has shape \(2, 2\), but an "
                                           r"in-place op keeps x's shape \(2,\)"):
        mg.zeros(2).add_(mg.zeros(2, 2))
    with pytest.raises(TypeError, match=r"mul_: the result's dtype float32 cannot be stored in "
                                        r"x's dtype int64"):
        mg.tensor([1, 2]).mul_(0.5)
    with pytest.raises(mg.CompileError, match="in-place"):
        mg.compile(lambda t: t.add_(1.0))(mg.zeros(2))
    x = mg.tensor([1.0, 2.0]).float()
    x += mg.tensor([1.0, 1.0], dtype="float64")  # float64 into float32: rounded, as PyTorch
    assert x.dtype == np.float32 and x.tolist() == [2.0, 3.0]


def test_writing_into_an_expanded_view_is_refused_recorded_or_not():
    """expand()'s result shares memory between its elements; PyTorch refuses in-place writes
    into it, and so does minigrad, naming the op and asking for a clone, whether the write is
    recorded or not (and x[...] = v alike)."""
    a = mg.tensor([1.0, 2.0], requires_grad=True)
    y = mg.tensor([1.0, 1.0], requires_grad=True)
    view = a.expand(3, 2)
    with pytest.raises(RuntimeError, match=r"add_: x \(shape \(3, 2\)\) is a read-only view, "
                                           r"such as expand\(\)'s.*x\.clone\(\)"):
        view.add_(y)
    with mg.no_grad():
        with pytest.raises(RuntimeError, match=r"mul_: x \(shape \(3, 2\)\) is a read-only view"):
            view.mul_(2.0)
        with pytest.raises(RuntimeError, match=r"item assignment.*read-only view"):
            view[0] = 5.0
    assert a.tolist() == [1.0, 2.0]
    clone = view.clone()
    clone.add_(y)
    assert clone.tolist() == [[2.0, 3.0]] * 3


def test_a_recorded_update_leaves_an_array_that_other_tensors_view_as_it_was():
    """A reshape's array views its input's without sharing its version counter: a recorded
    update of the input takes a new array, so a graph that recorded the view still computes
    with the values it saw (only detach()'s twins share the write, as in PyTorch's .data)."""
    a = mg.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    y = mg.tensor([10.0, 10.0, 10.0, 10.0], requires_grad=True)
    h = a * 1.0
    view = h.reshape(2, 2)
    loss = (view * view).sum()  # d loss / d view = 2 view, from the values before the update
    h.add_(y)
    assert view.tolist() == [[1.0, 2.0], [3.0, 4.0]] and h.tolist() == [11.0, 12.0, 13.0, 14.0]
    (grad,) = mg.grad(loss, view)
    assert grad.tolist() == [[2.0, 4.0], [6.0, 8.0]]
    with pytest.raises(RuntimeError, match="backward through Reshape: its input 0"):
        mg.grad(loss, a)  # through the reshape of h, which has changed: refused, as in torch
    grads = mg.grad(h.sum(), [a, y])
    assert [g.tolist() for g in grads] == [[1.0] * 4, [1.0] * 4]
