"""Derivatives beyond the second, by ``gradcheck(..., order=k)`` (every order up to k against
central differences), on every device: the unrolled GAN differentiates through gradients of
gradients, and a VJP whose own VJP is wrong only shows at order 3."""

import numpy as np
import pytest

import minigrad as mg
import strategies as S
from minigrad.testing import gradcheck

X = np.array([-1.7, -0.4, 0.0, 0.3, 1.2, 2.0])


@pytest.mark.parametrize("device", S.DEVICES)
def test_tanh_to_order_3(device):
    assert gradcheck(mg.tanh, S.leaf(X, device), order=3)


@pytest.mark.parametrize("device", S.DEVICES)
def test_exp_to_order_4(device):
    assert gradcheck(mg.exp, S.leaf(X, device), order=4)


@pytest.mark.parametrize("device", S.DEVICES)
def test_products_to_order_3(device):
    """a^3, and the trilinear a b c and a^2 b c, whose mixed third derivatives are constants and
    2a; x^2 b, whose third derivative in a alone is 0 (a leaves the graph)."""
    a, b, c = (S.leaf(v, device) for v in (X, X[::-1] + 0.5, np.cos(X)))
    assert gradcheck(lambda t: t * t * t, a, order=3)
    assert gradcheck(lambda a, b, c: a * b * c, (a, b, c), order=3)
    assert gradcheck(lambda a, b, c: a * a * b * c, (a, b, c), order=3)
    assert gradcheck(lambda a, b: (a * a * b).sum(), (a, b), order=3)


@pytest.mark.parametrize("device", S.DEVICES)
def test_matmul_to_order_3(device):
    """trace(A A A) and the chain A B C (batched matmul's VJPs are matmuls and transposes)."""
    rng = np.random.default_rng(3)
    a = S.leaf(rng.standard_normal((3, 3)), device)
    eye = mg.tensor(np.eye(3), device=device)
    assert gradcheck(lambda a: ((a @ a @ a) * eye).sum(), a, order=3)
    a, b, c = (S.leaf(rng.standard_normal(s), device) for s in ((2, 3), (3, 4), (4, 2)))
    assert gradcheck(lambda a, b, c: a @ b @ c, (a, b, c), order=3)
