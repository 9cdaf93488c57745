"""Errors say what went wrong, where: the op, the shapes, the devices, the input and index."""

import re

import numpy as np
import pytest

import minigrad as mg


def leaf(shape, device="cpu"):
    return mg.tensor(np.ones(shape), requires_grad=True, device=device)


@pytest.mark.parametrize("shapes", [((2, 3), (4, 5)), ((3,), (2,)), ((2, 2, 3), (3, 3, 5))])
def test_matmul_mismatch_names_the_op_and_both_shapes(shapes):
    a, b = leaf(shapes[0]), leaf(shapes[1])
    with pytest.raises(ValueError) as error:
        a @ b
    message = str(error.value)
    assert "matmul" in message
    assert str(shapes[0]) in message and str(shapes[1]) in message


def test_matmul_of_a_scalar_is_refused():
    with pytest.raises(ValueError, match=r"matmul.*\(\).*\(3,\)"):
        mg.matmul(leaf(()), leaf((3,)))


def test_backward_of_a_non_scalar_needs_a_gradient():
    x = leaf((2, 3))
    y = x * 2.0
    with pytest.raises(RuntimeError, match=r"backward.*shape \(2, 3\).*only for a scalar"):
        y.backward()
    with pytest.raises(RuntimeError, match=r"grad.*shape \(2, 3\).*only for a scalar"):
        mg.grad(y, x)


def test_a_gradient_of_the_wrong_shape_is_refused():
    x = leaf((2, 3))
    with pytest.raises(ValueError, match=r"backward: the gradient .* shape \(3,\).*\(2, 3\)"):
        (x * 2.0).backward(mg.tensor(np.ones(3)))


def test_differentiating_what_does_not_require_grad():
    constant = mg.tensor(np.ones(3))
    with pytest.raises(RuntimeError, match=r"backward.*shape \(3,\).*does not require grad"):
        (constant * 2.0).backward(mg.tensor(np.ones(3)))
    x = leaf(3)
    with mg.no_grad():
        y = (x * 2.0).sum()
    with pytest.raises(RuntimeError, match=r"grad: output 0.*does not require grad.*no_grad"):
        mg.grad(y, x)
    with pytest.raises(RuntimeError, match="grad: input 1 does not require grad"):
        mg.grad((x * 2.0).sum(), [x, constant])


def test_an_unused_input_needs_allow_unused():
    x, unused = leaf(3), leaf((2, 2))
    loss = (x * x).sum()
    with pytest.raises(RuntimeError, match=r"grad: input 1 \(shape \(2, 2\)\) was not used.*"
                                           "allow_unused=True"):
        mg.grad(loss, [x, unused])
    gx, gu = mg.grad(loss, [x, unused], allow_unused=True)
    assert gu is None and gx.shape == (3,)


def test_mixing_devices_names_the_op_and_both_devices():
    on_cpu, on_strict = leaf((2, 3)), leaf(3, device="strict:device1")
    for combine, op in ((lambda a, b: a + b, "Add"), (lambda a, b: b * a, "Mul"),
                        (lambda a, b: mg.maximum(a, b), "Maximum")):
        with pytest.raises(mg.DeviceMismatchError) as error:
            combine(on_cpu, on_strict)
        message = str(error.value)
        assert op in message and "cpu" in message and "strict:device1" in message
        assert "(2, 3)" in message and "(3,)" in message
    with pytest.raises(mg.DeviceMismatchError, match=r"MatMul.*strict:device1.*cpu"):
        mg.tensor(np.ones((3, 2)), device="strict:device1") @ mg.tensor(np.ones((2, 2)))
    with pytest.raises(mg.DeviceMismatchError, match=r"Concatenate.*cpu.*strict:device1"):
        mg.concatenate([leaf(3), on_strict])


def test_changing_data_used_by_a_graph_is_detected_at_backward():
    x = leaf(3)
    h = x * 2.0
    loss = (h * h).sum()
    h.data = h.data + 1.0
    with pytest.raises(RuntimeError, match=r"backward through Mul: its input 0 \(shape \(3,\)\) "
                                           "was changed in place"):
        loss.backward()


def test_copy_into_a_leaf_used_by_a_graph_is_detected_at_backward():
    x = leaf(3)
    loss = x.exp().sum()
    with mg.no_grad():
        x.copy_(np.zeros(3))
    with pytest.raises(RuntimeError, match="backward through Exp: its input 0.*changed in place"):
        mg.grad(loss, x)


def test_changing_an_output_that_the_gradient_reuses_is_detected():
    """exp's VJP reuses its output y = exp(x): a change to y is caught even when y is not an
    input of a later op."""
    x = leaf(3)
    y = x.exp()
    y.detach().copy_(np.zeros(3))
    with pytest.raises(RuntimeError, match="backward through Exp: its output.*changed in place"):
        y.backward(mg.tensor(np.ones(3)))


def test_in_place_change_of_a_leaf_that_requires_grad_is_refused_while_recording():
    x = leaf(3)
    for change in (lambda: x.copy_(np.zeros(3)), x.zero_):
        with pytest.raises(RuntimeError, match=r"(copy_|zero_): in-place change of a tensor that "
                                               r"requires grad \(shape \(3,\)\)"):
            change()
    assert x.version == 0
    with mg.no_grad():
        x.zero_()
    assert x.version == 1 and x.numpy().tolist() == [0.0] * 3


def test_copy_checks_shape_and_device():
    target = mg.tensor(np.ones(3))
    with pytest.raises(ValueError, match=r"copy_: source shape \(2,\) != target shape \(3,\)"):
        target.copy_(np.ones(2))
    with pytest.raises(RuntimeError, match="copy_: source is on strict:device1, target on cpu"):
        target.copy_(mg.tensor(np.ones(3), device="strict:device1"))


def test_reshape_to_an_incompatible_shape():
    x = leaf((2, 3))
    with pytest.raises(ValueError, match=re.escape("reshape: cannot reshape (2, 3) (6 elements) "
                                                   "into (4, 2)")):
        x.reshape(4, 2)
    with pytest.raises(ValueError, match=r"reshape: cannot reshape \(2, 3\).*\(4, -1\)"):
        x.reshape(4, -1)
    with pytest.raises(ValueError, match="only one dimension can be -1"):
        x.reshape(-1, -1)


def test_transpose_of_a_vector_names_the_shape():
    with pytest.raises(ValueError, match=r"transpose: axes -2 and -1 .* shape \(3,\)"):
        leaf((3,)).mT


def test_broadcast_to_an_impossible_shape_names_the_op_and_both_shapes():
    with pytest.raises(ValueError, match=r"broadcast_to: cannot broadcast shape \(2,\) to \(3,\)"):
        leaf((2,)).broadcast_to((3,))
    with pytest.raises(ValueError, match=r"broadcast_to: .*\(2, 3\) to \(3,\)"):
        leaf((2, 3)).broadcast_to((3,))


def test_concatenate_of_scalars_or_a_missing_axis():
    with pytest.raises(ValueError, match="concatenate: 0-d tensors .* use stack"):
        mg.concatenate([leaf(()), leaf(())])
    with pytest.raises(ValueError, match=r"concatenate: axis 1 is out of range .* \(2,\)"):
        mg.concatenate([leaf((2,)), leaf((2,))], axis=1)


def test_where_refuses_a_condition_on_another_device():
    condition = mg.tensor([True, False], device="strict:device1")
    with pytest.raises(mg.DeviceMismatchError, match="where: the condition is on strict:device1, "
                                                     "the operands on cpu"):
        mg.where(condition, leaf((2,)), leaf((2,)))


@pytest.mark.parametrize("key, message", [
    ((np.array([0, 1]), slice(None), np.array([1, 0])), "several integer arrays must be adjacent"),
    ((0, [1, 0]), "an integer-array index can only be combined with full slices"),
], ids=["two arrays apart", "int and array"])
def test_unsupported_integer_array_combinations(key, message):
    with pytest.raises(IndexError, match="getitem: " + message):
        leaf((3, 2, 2))[key]


@pytest.mark.parametrize("mask", [np.array([True, False, True]), [True, False, True],
                                  mg.tensor(np.array([True, False, True]))],
                         ids=["numpy", "list", "tensor"])
def test_boolean_masks_with_other_indices_are_refused(mask):
    assert leaf((3, 2))[mask].shape == (2, 2)  # alone, a mask picks rows (issue 35)
    with pytest.raises(IndexError, match="getitem: a boolean mask is supported alone.*where"):
        leaf((3, 2))[mask, 0]


@pytest.mark.parametrize("key", [1.5, True, (0, 0.0), [0.5, 1.0]])
def test_non_integer_indices_are_refused(key):
    with pytest.raises(IndexError, match="getitem"):
        leaf((3, 2))[key]


def test_out_of_range_and_too_many_indices():
    x = leaf((3, 2))
    with pytest.raises(IndexError, match="getitem: index 3 is out of bounds for axis 0 with "
                                         "size 3"):
        x[3]
    with pytest.raises(IndexError, match=r"getitem: too many indices \(3\).*\(3, 2\)"):
        x[0, 0, 0]
    with pytest.raises(IndexError, match="single ellipsis"):
        x[..., ...]


@pytest.mark.parametrize("op, match", [(mg.mean, "mean: needs more than 0 values"),
                                       (mg.var, r"var \(correction=1\): needs more than 1"),
                                       (mg.logsumexp, "logsumexp: needs more than 0 values")])
def test_reducing_nothing_names_the_op_and_the_shape(op, match):
    empty = mg.tensor(np.zeros((0, 3)), requires_grad=True)
    with pytest.raises(ValueError, match=match + r".*\(0,\) of a tensor of shape \(0, 3\)"):
        op(empty, axis=0)
    assert op(empty, axis=1).shape == (0,)  # nothing to reduce in no row: an empty result


def test_a_variance_needs_more_values_than_its_correction():
    with pytest.raises(ValueError, match=r"var \(correction=1\): needs more than 1 values.*got 1"):
        mg.var(mg.tensor([2.0]), correction=1)


@pytest.mark.parametrize("step", [0, -1, 0.5])
def test_an_adam_step_before_the_first_is_refused(step):
    p, g = mg.tensor([1.0]), mg.tensor([0.5])
    with pytest.raises(ValueError, match=rf"adam_update: step counts from 1.*step={step}"):
        mg.optim.adam_update(p, g, mg.zeros_like(p), mg.zeros_like(p), step)
