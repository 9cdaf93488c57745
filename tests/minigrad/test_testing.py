"""minigrad.testing: gradcheck of any order fails on a wrong VJP, on a VJP that is right in value
but not differentiable (written with raw arrays), and on a VJP whose own VJP is that; it names
the order, the input and the index, and refuses what finite differences cannot check."""

import re

import numpy as np
import pytest

import minigrad as mg
from minigrad.testing import GradcheckError, gradcheck, gradgradcheck

X = np.array([0.5, -1.0, 1.5])


def leaf(values=X):
    return mg.tensor(np.array(values, dtype=np.float64), requires_grad=True)


class ScaledSquare(mg.Function):
    """y = x^2 with a VJP off by a factor: 2.5 x g instead of 2 x g."""

    def forward(self, x):
        return x * x

    def backward(self, g):
        return (g * self.inputs[0] * 2.5,)


def test_gradcheck_names_the_input_and_index_of_a_wrong_gradient():
    good = mg.tensor(np.array([0.5, -1.0]), requires_grad=True)
    bad = mg.tensor(np.array([[1.0, 0.0], [0.0, -2.0]]), requires_grad=True)
    assert gradcheck(lambda a: a * a, good)
    with pytest.raises(GradcheckError) as error:
        gradcheck(lambda a, b: a * a + ScaledSquare.apply(b).sum(), (good, bad))
    report = str(error.value)
    # the zero entries of b have a zero gradient either way; the other two are wrong
    assert "gradcheck failed at order 1 for 2 element(s)" in report
    assert "input 1 (shape (2, 2)) at index (0, 0)" in report
    assert "input 1 (shape (2, 2)) at index (1, 1)" in report
    assert "input 0" not in report
    assert re.search(r"analytical -?[\d.]+, numerical -?[\d.]+", report)


def test_gradcheck_catches_a_nan_gradient():
    class NanGradient(ScaledSquare):
        def backward(self, g):
            return (g * self.inputs[0] * float("nan"),)

    with pytest.raises(GradcheckError, match="analytical nan"):
        gradcheck(NanGradient.apply, mg.tensor(np.array([0.5, 1.0]), requires_grad=True))


def test_gradcheck_needs_float64():
    with pytest.raises(TypeError, match="gradcheck: input 0 has dtype float32"):
        gradcheck(lambda a: a * a, mg.tensor([1.0, 2.0], requires_grad=True))


class GradientToTheHost(mg.Function):
    """y = 2 x with the right VJP, 2 g, but moved to the CPU whatever x's device."""

    def forward(self, x):
        return x * 2.0

    def backward(self, g):
        return (mg.Tensor(mg.backend.to_device(g.data * 2.0, "cpu")),)


def test_a_gradient_on_another_device_is_named():
    x = mg.tensor(X, requires_grad=True, device="strict:device1")
    with pytest.raises(GradcheckError, match=r"input 0 \(shape \(3,\)\) is on strict:device1, "
                                             "its gradient on cpu"):
        gradcheck(GradientToTheHost.apply, x)


class RawCube(mg.Function):
    """y = x^3 with a VJP right in value, 3 x^2 g, but with 3 x^2 computed from the raw array:
    a constant of the graph, so the VJP's own derivative in x (6 x g) is lost."""

    def forward(self, x):
        return x * x * x

    def backward(self, g):
        x = self.inputs[0]
        return (g * mg.Tensor(3.0 * x.data * x.data),)


class Quartic(mg.Function):
    """y = x^4 with the VJP 4 x^3 g written with RawCube: right at orders 1 and 2, wrong at 3."""

    def forward(self, x):
        return x * x * x * x

    def backward(self, g):
        return (g * RawCube.apply(self.inputs[0]) * 4.0,)


def test_a_vjp_written_with_raw_arrays_passes_order_1_and_fails_order_2():
    assert gradcheck(RawCube.apply, leaf())
    for check in (lambda: gradcheck(RawCube.apply, leaf(), order=2),
                  lambda: gradgradcheck(RawCube.apply, leaf())):
        with pytest.raises(GradcheckError, match="gradcheck failed at order 2 for"):
            check()


def test_a_vjp_whose_own_vjp_is_not_differentiable_fails_order_3():
    assert gradcheck(Quartic.apply, leaf(), order=2)
    with pytest.raises(GradcheckError, match="gradcheck failed at order 3 for"):
        gradcheck(Quartic.apply, leaf(), order=3)


def test_order_2_checks_order_1_too():
    with pytest.raises(GradcheckError, match="gradcheck failed at order 1 for"):
        gradgradcheck(ScaledSquare.apply, leaf())


@pytest.mark.parametrize("order", [1, 2, 3, 4])
def test_correct_ops_pass_every_order(order):
    a, b = leaf(), leaf([0.3, 0.8, -1.2])
    assert gradcheck(lambda a, b: (a * b).tanh() / (b * b + 1.0), (a, b), order=order)


@pytest.mark.parametrize("order", [0, -1, 1.0, True, None])
def test_order_must_be_a_positive_int(order):
    with pytest.raises(ValueError, match="gradcheck: order must be an int >= 1"):
        gradcheck(lambda a: a * a, leaf(), order=order)
