"""minigrad.testing: gradcheck of any order, along random directions or element by element, fails
on a wrong VJP, on a VJP that is right in value but not differentiable (written with raw arrays),
and on a VJP whose own VJP is that; it names the order and the direction (or the input and the
index), and refuses what finite differences cannot check."""

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


def test_gradcheck_by_elements_names_the_input_and_index_of_a_wrong_gradient():
    good = mg.tensor(np.array([0.5, -1.0]), requires_grad=True)
    bad = mg.tensor(np.array([[1.0, 0.0], [0.0, -2.0]]), requires_grad=True)
    assert gradcheck(lambda a: a * a, good, mode="elements")
    with pytest.raises(GradcheckError) as error:
        gradcheck(lambda a, b: a * a + ScaledSquare.apply(b).sum(), (good, bad), mode="elements")
    report = str(error.value)
    # the zero entries of b have a zero gradient either way; the other two are wrong
    assert "gradcheck failed at order 1 for 2 element(s)" in report
    assert "input 1 (shape (2, 2)) at index (0, 0)" in report
    assert "input 1 (shape (2, 2)) at index (1, 1)" in report
    assert "input 0" not in report
    assert re.search(r"analytical -?[\d.]+, numerical -?[\d.]+, difference [\d.e+-]+ > "
                     r"allowed [\d.e+-]+", report)


def test_gradcheck_names_each_failing_direction_and_by_how_much():
    good = mg.tensor(np.array([0.5, -1.0]), requires_grad=True)
    bad = mg.tensor(np.array([[1.0, 0.0], [0.0, -2.0]]), requires_grad=True)
    assert gradcheck(lambda a: a * a, good, mode="directional")
    with pytest.raises(GradcheckError) as error:
        gradcheck(lambda a, b: a * a + ScaledSquare.apply(b).sum(), (good, bad),
                  mode="directional", directions=4)
    report = str(error.value)
    assert "gradcheck failed at order 1 for 4 direction(s)" in report
    for k in range(4):
        assert re.search(rf"direction {k} \(along inputs \[0, 1\]\): analytical -?[\d.]+, "
                         r"numerical -?[\d.]+, difference [\d.e+-]+ > allowed [\d.e+-]+", report)
    assert "mode='elements'" in report


class OneWrongElement(mg.Function):
    """y = x^2 with the right VJP, 2 x g, except at one element of a large x: 2.5 x g there,
    and its own VJP (the second derivative) right in value."""

    def forward(self, x):
        return x * x

    def backward(self, g):
        scale = np.full(self.inputs[0].shape, 2.0)
        scale[7, 11] = 2.5
        return (g * self.inputs[0] * mg.tensor(scale),)


class WrongSecondDerivative(mg.Function):
    """y = x^3 with the VJP 3 x^2 g right in value but its derivative in x 4 * 2 x g at one
    element (as if one entry of the Hessian were off): right at order 1, wrong at order 2."""

    def forward(self, x):
        return x * x * x

    def backward(self, g):
        x = self.inputs[0]
        slope = np.full(x.shape, 3.0)
        slope[7, 11] = 4.0
        offset = mg.Tensor((3.0 - slope) * x.array * x.array)  # a constant: keeps the value right
        return (g * (mg.tensor(slope) * x * x + offset),)


def large_leaf():
    return leaf(np.random.default_rng(3).uniform(0.5, 1.5, size=(40, 30)))


def test_directions_catch_one_wrong_element_of_a_large_gradient():
    with pytest.raises(GradcheckError, match="gradcheck failed at order 1 for 3 direction"):
        gradcheck(OneWrongElement.apply, large_leaf(), mode="directional")


def test_directions_catch_one_wrong_second_derivative_of_a_large_input():
    assert gradcheck(WrongSecondDerivative.apply, large_leaf(), mode="directional")
    with pytest.raises(GradcheckError, match="gradcheck failed at order 2 for 3 direction"):
        gradcheck(WrongSecondDerivative.apply, large_leaf(), order=2, mode="directional")


def test_directions_are_the_default_and_extrapolate_past_large_third_derivatives():
    """The product of 30 factors near 2, two of them 0: its derivative along u is a polynomial
    in the step whose h^2 term (mixed third derivatives, about 2^27 here) puts a plain central
    difference off by more than atol. The extrapolated difference, exact up to h^4, passes."""
    x = np.random.default_rng(5).uniform(1.5, 2.5, 30) * np.array([1.0, -1.0] * 15)
    x[[3, 17]] = 0.0
    product = leaf(x)
    eps, atol = 1e-6, 1e-7
    u = np.random.default_rng(0).standard_normal(30)
    u /= np.linalg.norm(u)
    plain = (np.prod(x + eps * u) - np.prod(x - eps * u)) / (2 * eps)
    exact = sum(np.prod(np.delete(x, i)) * u[i] for i in range(30))  # 0: two zero factors
    assert exact == 0 and abs(plain - exact) > atol
    assert gradcheck(lambda t: t.prod(), product, order=2, eps=eps, atol=atol)
    with pytest.raises(GradcheckError, match="for 3 direction"):  # the default mode
        gradcheck(ScaledSquare.apply, leaf())


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
        return (mg.Tensor(mg.backend.to_device(g.array * 2.0, "cpu")),)


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
        return (g * mg.Tensor(3.0 * x.array * x.array),)


class Quartic(mg.Function):
    """y = x^4 with the VJP 4 x^3 g written with RawCube: right at orders 1 and 2, wrong at 3."""

    def forward(self, x):
        return x * x * x * x

    def backward(self, g):
        return (g * RawCube.apply(self.inputs[0]) * 4.0,)


MODES = pytest.mark.parametrize("mode", ["directional", "elements"])


@MODES
def test_a_vjp_written_with_raw_arrays_passes_order_1_and_fails_order_2(mode):
    assert gradcheck(RawCube.apply, leaf(), mode=mode)
    for check in (lambda: gradcheck(RawCube.apply, leaf(), order=2, mode=mode),
                  lambda: gradgradcheck(RawCube.apply, leaf(), mode=mode)):
        with pytest.raises(GradcheckError, match="gradcheck failed at order 2 for"):
            check()


@MODES
def test_a_vjp_whose_own_vjp_is_not_differentiable_fails_order_3(mode):
    assert gradcheck(Quartic.apply, leaf(), order=2, mode=mode)
    with pytest.raises(GradcheckError, match="gradcheck failed at order 3 for"):
        gradcheck(Quartic.apply, leaf(), order=3, mode=mode)


@MODES
def test_order_2_checks_order_1_too(mode):
    with pytest.raises(GradcheckError, match="gradcheck failed at order 1 for"):
        gradgradcheck(ScaledSquare.apply, leaf(), mode=mode)


@MODES
@pytest.mark.parametrize("order", [1, 2, 3, 4])
def test_correct_ops_pass_every_order(order, mode):
    a, b = leaf(), leaf([0.3, 0.8, -1.2])
    assert gradcheck(lambda a, b: (a * b).tanh() / (b * b + 1.0), (a, b), order=order, mode=mode)


@pytest.mark.parametrize("settings, message", [
    (dict(mode="rows"), "mode must be 'directional' or 'elements', got 'rows'"),
    (dict(directions=0), "directions must be an int >= 1, got 0"),
    (dict(directions=2.0), "directions must be an int >= 1, got 2.0")])
def test_mode_and_directions_are_checked(settings, message):
    with pytest.raises(ValueError, match=re.escape(f"gradcheck: {message}")):
        gradcheck(lambda a: a * a, leaf(), **settings)


@pytest.mark.parametrize("order", [0, -1, 1.0, True, None])
def test_order_must_be_a_positive_int(order):
    with pytest.raises(ValueError, match="gradcheck: order must be an int >= 1"):
        gradcheck(lambda a: a * a, leaf(), order=order)
