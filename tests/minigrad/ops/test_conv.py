"""conv2d, conv_transpose2d and conv2d_weight: derivatives of every order against finite
differences, adjointness, PyTorch's output shapes and values, and the error messages."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad as mg
from minigrad.ops.conv import conv2d, conv2d_weight, conv_transpose2d
from minigrad.testing import gradcheck
from strategies import DEVICES, arrays, check_derivatives, conv_geometries, leaf

try:
    import torch
except ImportError:
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="PyTorch is not installed")

# Second-order checks differentiate numerically through every input and cotangent: keep them
# tiny, so that finite differences stay fast (each element costs two backward passes).
tiny_geometries = conv_geometries(max_channels=2, max_side=4)
few_examples = settings(max_examples=12)


def _conv_inputs(data, geometry, device, bias=True):
    x = leaf(data.draw(arrays(geometry.x_shape)), device)
    w = leaf(data.draw(arrays(geometry.weight_shape)), device)
    b = leaf(data.draw(arrays((geometry.out_channels,))), device) if bias else None
    return x, w, b


def _transposed_inputs(data, geometry, device):
    """conv_transpose2d's inputs: y on conv2d's output grid, the weight read as (in, out, kh, kw),
    and a bias for the transposed conv's output channels (conv2d's input channels)."""
    y = leaf(data.draw(arrays(geometry.y_shape)), device)
    w = leaf(data.draw(arrays(geometry.weight_shape)), device)
    b = leaf(data.draw(arrays((geometry.in_channels,))), device)
    return y, w, b


def _conv(geometry):
    return lambda x, w, b: conv2d(x, w, b, stride=geometry.stride, padding=geometry.padding)


def _conv_transpose(geometry):
    return lambda y, w, b: conv_transpose2d(y, w, b, stride=geometry.stride,
                                            padding=geometry.padding,
                                            output_padding=geometry.output_padding)


# -- first and second derivatives ---------------------------------------------------------------

@pytest.mark.parametrize("device", DEVICES)
@given(geometry=conv_geometries(), data=st.data())
def test_conv2d_gradcheck(device, geometry, data):
    assert gradcheck(_conv(geometry), _conv_inputs(data, geometry, device))


@pytest.mark.parametrize("device", DEVICES)
@given(geometry=conv_geometries(), data=st.data())
def test_conv_transpose2d_gradcheck(device, geometry, data):
    assert gradcheck(_conv_transpose(geometry), _transposed_inputs(data, geometry, device))


@pytest.mark.parametrize("device", DEVICES)
@few_examples
@given(geometry=tiny_geometries, data=st.data())
def test_conv2d_derivatives(device, geometry, data):
    check_derivatives(_conv(geometry), *_conv_inputs(data, geometry, device))


@pytest.mark.parametrize("device", DEVICES)
@few_examples
@given(geometry=tiny_geometries, data=st.data())
def test_conv_transpose2d_derivatives(device, geometry, data):
    check_derivatives(_conv_transpose(geometry), *_transposed_inputs(data, geometry, device))


@pytest.mark.parametrize("device", DEVICES)
@few_examples
@given(geometry=tiny_geometries, data=st.data())
def test_conv2d_weight_derivatives(device, geometry, data):
    x = leaf(data.draw(arrays(geometry.x_shape)), device)
    g = leaf(data.draw(arrays(geometry.y_shape)), device)

    def weight_gradient(x, g):
        return conv2d_weight(x, geometry.weight_shape, g, geometry.stride, geometry.padding)

    check_derivatives(weight_gradient, x, g)


# -- third order --------------------------------------------------------------------------------

@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("stride, padding", [(1, 1), ((2, 1), (1, 0))],
                         ids=["stride-1", "strided"])
def test_third_derivatives_of_a_nested_conv(device, stride, padding):
    """The derivatives of phi = sum(conv2d(conv2d(x, w), w)^2) to order 3, in x and w together
    (phi is of degree 2 in x and 6 in w)."""
    rng = np.random.default_rng(0)
    x = leaf(rng.uniform(-1, 1, (1, 2, 5, 4)), device)
    w = leaf(rng.uniform(-1, 1, (2, 2, 2, 2)), device)

    def phi(x, w):
        inner = conv2d(x, w, stride=stride, padding=padding)
        return (conv2d(inner, w, padding=padding) ** 2).sum()

    assert gradcheck(phi, (x, w), order=3)


# -- adjointness --------------------------------------------------------------------------------

def _close(lhs, rhs, terms):
    """|lhs - rhs| within rounding of a sum whose terms have absolute sum ``terms``."""
    assert abs(lhs - rhs) <= 1e-12 * (terms + 1.0), (lhs, rhs)


@pytest.mark.parametrize("device", DEVICES)
@given(geometry=conv_geometries(max_side=7), data=st.data())
def test_conv_transpose2d_is_the_adjoint_of_conv2d(device, geometry, data):
    x, w, _ = _conv_inputs(data, geometry, device, bias=False)
    y = leaf(data.draw(arrays(geometry.y_shape)), device, requires_grad=False)
    conv = conv2d(x, w, stride=geometry.stride, padding=geometry.padding).numpy()
    back = conv_transpose2d(y, w, stride=geometry.stride, padding=geometry.padding,
                            output_padding=geometry.output_padding).numpy()
    assert back.shape == geometry.x_shape
    _close(np.sum(conv * y.numpy()), np.sum(x.numpy() * back), np.sum(np.abs(conv * y.numpy())))


@pytest.mark.parametrize("device", DEVICES)
@given(geometry=conv_geometries(max_side=7), data=st.data())
def test_conv2d_weight_is_the_adjoint_of_conv2d_in_the_weight(device, geometry, data):
    x, w, _ = _conv_inputs(data, geometry, device, bias=False)
    g = leaf(data.draw(arrays(geometry.y_shape)), device, requires_grad=False)
    conv = conv2d(x, w, stride=geometry.stride, padding=geometry.padding).numpy()
    dw = conv2d_weight(x, w.shape, g, stride=geometry.stride, padding=geometry.padding).numpy()
    _close(np.sum(conv * g.numpy()), np.sum(w.numpy() * dw), np.sum(np.abs(conv * g.numpy())))


# -- shapes and values against PyTorch -----------------------------------------------------------

@given(geometry=conv_geometries(max_side=9), data=st.data())
def test_output_shapes_follow_pytorchs_formulas(geometry, data):
    (h, w), (kh, kw), (sh, sw), (ph, pw) = (geometry.size, geometry.kernel, geometry.stride,
                                            geometry.padding)
    x, weight, _ = _conv_inputs(data, geometry, "cpu", bias=False)
    assert conv2d(x, weight, stride=geometry.stride, padding=geometry.padding).shape == \
        (geometry.batch, geometry.out_channels, (h + 2 * ph - kh) // sh + 1,
         (w + 2 * pw - kw) // sw + 1)
    oph, opw = data.draw(st.integers(0, sh - 1)), data.draw(st.integers(0, sw - 1))
    out = ((h - 1) * sh - 2 * ph + kh + oph, (w - 1) * sw - 2 * pw + kw + opw)
    transposed_weight = leaf(np.ones((geometry.in_channels, 2) + geometry.kernel), "cpu")
    if min(out) < 1:
        with pytest.raises(ValueError, match="not positive"):
            conv_transpose2d(x, transposed_weight, stride=geometry.stride,
                             padding=geometry.padding, output_padding=(oph, opw))
        return
    assert conv_transpose2d(x, transposed_weight, stride=geometry.stride,
                            padding=geometry.padding, output_padding=(oph, opw)).shape == \
        (geometry.batch, 2) + out


@needs_torch
@pytest.mark.parametrize("device", DEVICES)
@given(geometry=conv_geometries(max_side=8), data=st.data())
def test_values_match_pytorch(device, geometry, data):
    x, w, b = _conv_inputs(data, geometry, device)
    y, _, b_t = _transposed_inputs(data, geometry, device)
    t = {name: torch.from_numpy(v.numpy()) for name, v in
         dict(x=x, w=w, b=b, y=y, b_t=b_t).items()}
    s, p, op = geometry.stride, geometry.padding, geometry.output_padding
    np.testing.assert_allclose(
        conv2d(x, w, b, stride=s, padding=p).numpy(),
        torch.nn.functional.conv2d(t["x"], t["w"], t["b"], stride=s, padding=p).numpy(),
        rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(
        conv_transpose2d(y, w, b_t, stride=s, padding=p, output_padding=op).numpy(),
        torch.nn.functional.conv_transpose2d(t["y"], t["w"], t["b_t"], stride=s, padding=p,
                                             output_padding=op).numpy(),
        rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(
        conv2d_weight(x, w.shape, y, stride=s, padding=p).numpy(),
        torch.nn.grad.conv2d_weight(t["x"], w.shape, t["y"], stride=s, padding=p).numpy(),
        rtol=1e-12, atol=1e-12)


# -- errors -------------------------------------------------------------------------------------

def _zeros(*shape):
    return mg.zeros(*shape, dtype="float64")


@pytest.mark.parametrize("call, message", [
    (lambda: conv2d(_zeros(3, 5, 5), _zeros(2, 3, 3, 3)),
     r"conv2d: input must be 4-D \(N, C, H, W\), got shape \(3, 5, 5\)"),
    (lambda: conv2d(_zeros(1, 3, 5, 5), _zeros(2, 3, 3)),
     r"conv2d: weight must be 4-D \(out_ch, in_ch, kh, kw\), got shape \(2, 3, 3\)"),
    (lambda: conv2d(_zeros(1, 3, 5, 5), _zeros(2, 4, 3, 3)),
     r"conv2d: input of shape \(1, 3, 5, 5\) has 3 channels, but the weight of shape "
     r"\(2, 4, 3, 3\) \(out_ch, in_ch, kh, kw\) expects 4"),
    (lambda: conv2d(_zeros(1, 3, 2, 5), _zeros(2, 3, 4, 3), padding=(0, 1)),
     r"conv2d: kernel size \(4, 3\) is larger than the padded input \(2, 7\)"),
    (lambda: conv2d(_zeros(1, 3, 5, 5), _zeros(2, 3, 3, 3), padding=-1),
     r"conv2d: padding must be >= 0, got -1"),
    (lambda: conv2d(_zeros(1, 3, 5, 5), _zeros(2, 3, 3, 3), stride=0),
     r"conv2d: stride must be >= 1, got 0"),
    (lambda: conv2d(_zeros(1, 3, 5, 5), _zeros(2, 3, 3, 3), stride=(1, 2, 3)),
     r"conv2d: stride must be an int or a pair of ints, got \(1, 2, 3\)"),
    (lambda: conv2d(_zeros(1, 3, 5, 5), _zeros(2, 3, 3, 3), bias=_zeros(3)),
     r"conv2d: bias of shape \(3,\), expected \(2,\)"),
    (lambda: conv_transpose2d(_zeros(1, 3, 5, 5), _zeros(2, 4, 3, 3)),
     r"conv_transpose2d: input of shape \(1, 3, 5, 5\) has 3 channels, but the weight of shape "
     r"\(2, 4, 3, 3\) \(in_ch, out_ch, kh, kw\) expects 2"),
    (lambda: conv_transpose2d(_zeros(1, 3, 5, 5), _zeros(3, 4, 3, 3), stride=2,
                              output_padding=(1, 2)),
     r"conv_transpose2d: output_padding \(1, 2\) must be smaller than stride \(2, 2\)"),
    (lambda: conv_transpose2d(_zeros(1, 3, 5, 5), _zeros(3, 4, 3, 3), output_padding=1),
     r"conv_transpose2d: output_padding \(1, 1\) must be smaller than stride \(1, 1\)"),
    (lambda: conv_transpose2d(_zeros(1, 3, 5, 5), _zeros(3, 4, 3, 3), bias=_zeros(3)),
     r"conv_transpose2d: bias of shape \(3,\), expected \(4,\)"),
    (lambda: conv_transpose2d(_zeros(1, 3, 5, 5), _zeros(3, 4, 3, 3), padding=(0, -2)),
     r"conv_transpose2d: padding must be >= 0, got \(0, -2\)"),
    (lambda: conv_transpose2d(_zeros(1, 3, 1, 1), _zeros(3, 4, 1, 1), padding=1),
     r"conv_transpose2d: the output size \(-1, -1\) is not positive"),
    (lambda: conv2d_weight(_zeros(1, 3, 5, 5), (2, 3, 3, 3), _zeros(1, 2, 4, 3)),
     r"conv2d_weight: grad_output of shape \(1, 2, 4, 3\), expected \(1, 2, 3, 3\)"),
], ids=["x-not-4d", "weight-not-4d", "channels", "kernel-too-large", "negative-padding",
        "zero-stride", "stride-triple", "bias", "transposed-channels",
        "output-padding-ge-stride", "output-padding-stride-1", "transposed-bias",
        "transposed-negative-padding", "transposed-empty-output", "weight-grad-shape"])
def test_errors_name_the_op_the_shapes_and_what_was_expected(call, message):
    with pytest.raises((ValueError, TypeError), match=message):
        call()
