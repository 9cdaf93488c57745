"""einsum: values against numpy's einsum (and PyTorch's, values and gradients, where it is
installed), first and second derivatives against central differences with the compiled program
equal to eager, on every device; the subscripts it refuses, each with a message."""

import numpy as np
import pytest

import minigrad as mg
import strategies as S
from strategies import check_derivatives

# subscripts and the operands' shapes: products, contractions, reductions, transposes, batches
CASES = {
    "ij,jk->ik": [(2, 3), (3, 4)],
    "ij,jk": [(2, 3), (3, 2)],               # implicit output: the letters used once, sorted
    "ij,jk,k->i": [(2, 3), (3, 2), (2,)],
    "bij,bjk->bik": [(2, 2, 3), (2, 3, 2)],
    "ij->ji": [(2, 3)],
    "ijk->kj": [(2, 3, 2)],
    "ij->": [(2, 3)],
    "i,i->": [(4,)] * 2,
    "i,j->ij": [(3,), (2,)],
    ",i->i": [(), (3,)],
}


def operands(shapes, seed, device):
    rng = np.random.default_rng(seed)
    arrays = [rng.uniform(-2, 2, shape) for shape in shapes]
    return arrays, [S.leaf(array, device) for array in arrays]


@pytest.mark.parametrize("device", S.DEVICES)
@pytest.mark.parametrize("subscripts", sorted(CASES))
def test_einsum_values_and_derivatives(device, subscripts):
    arrays, tensors = operands(CASES[subscripts], len(subscripts), device)
    np.testing.assert_allclose(mg.einsum(subscripts, *tensors).numpy(),
                               np.einsum(subscripts, *arrays), rtol=1e-12, atol=1e-14)
    check_derivatives(lambda *xs: mg.einsum(subscripts, *xs), *tensors)


def test_einsum_takes_a_list_of_operands_as_pytorch_does():
    _, (a, b) = operands(CASES["ij,jk->ik"], 0, "cpu")
    np.testing.assert_array_equal(mg.einsum("ij,jk->ik", [a, b]).numpy(),
                                  mg.einsum("ij,jk->ik", a, b).numpy())


@pytest.mark.parametrize("subscripts", sorted(CASES))
def test_einsum_against_torch(subscripts):
    torch = pytest.importorskip("torch")
    arrays, tensors = operands(CASES[subscripts], 7, "cpu")
    theirs = [torch.tensor(array, requires_grad=True) for array in arrays]
    ours, reference = mg.einsum(subscripts, *tensors), torch.einsum(subscripts, *theirs)
    np.testing.assert_allclose(ours.numpy(), reference.detach().numpy(), rtol=1e-12, atol=1e-14)
    weights = np.random.default_rng(1).uniform(-1, 1, reference.shape)
    grads = mg.grad((ours * mg.tensor(weights)).sum(), tensors)
    expected = torch.autograd.grad((reference * torch.tensor(weights)).sum(), theirs)
    for mine, theirs_ in zip(grads, expected):
        np.testing.assert_allclose(mine.numpy(), theirs_.numpy(), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("subscripts, shapes, message", [
    ("ii->i", [(2, 2)], "repeats a letter"),
    ("...ij->ij", [(2, 3)], "'...' is not supported"),
    ("ij,jk->il", [(2, 3), (3, 2)], "name no operand's axis"),
    ("ij,jk->ik", [(2, 3), (2, 3)], "letter 'j' is 3 long"),
    ("ij,jk->ik", [(2, 3)], "names 2 operand(s), got 1"),
    ("ijk->i", [(2, 3)], "has shape (2, 3) (2 axes)"),
    ("i1->i", [(2, 3)], "subscripts are letters"),
])
def test_einsum_refuses_with_a_message(subscripts, shapes, message):
    _, tensors = operands(shapes, 0, "cpu")
    with pytest.raises(ValueError, match="einsum") as error:
        mg.einsum(subscripts, *tensors)
    assert message in str(error.value)
