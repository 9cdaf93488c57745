"""nn.Embedding and F.embedding: rows picked by integer indices, gradients added up at repeated
indices and none for padding_idx, first and second derivatives (and compiled replays) on every
device; PyTorch's initialisation, names and errors."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import minigrad as mg
import strategies as S
from minigrad import nn
from minigrad.nn import functional as F
from strategies import check_derivatives


@pytest.mark.parametrize("device", S.DEVICES)
@given(data=st.data(), padding=st.booleans())
def test_embedding_picks_rows_and_adds_their_gradients(device, data, padding):
    rows, dim = data.draw(st.integers(1, 5)), data.draw(st.integers(1, 3))
    weight = data.draw(S.arrays((rows, dim)))
    indices = data.draw(hnp.arrays(np.int64, S.shapes(min_dims=1, max_dims=2),
                                   elements=st.integers(0, rows - 1)))
    padding_idx = data.draw(st.integers(-rows, rows - 1)) if padding else None
    leaf, index = S.leaf(weight, device), mg.tensor(indices, device=device)
    out = F.embedding(index, leaf, padding_idx)
    np.testing.assert_array_equal(out.numpy(), weight[indices])
    g = np.random.default_rng(0).standard_normal(out.shape)
    (grad,) = mg.grad((out * mg.tensor(g, device=device)).sum(), leaf)
    expected = np.zeros_like(weight)
    np.add.at(expected, indices, g)
    if padding_idx is not None:
        expected[padding_idx] = 0.0
    np.testing.assert_allclose(grad.numpy(), expected, rtol=1e-12, atol=1e-15)
    # row padding_idx is read, yet gets no gradient (PyTorch's rule, not the derivative), so
    # finite differences check the lookup without it, and the replays check it with it
    check_derivatives(lambda w, i: F.embedding(i, w), leaf, index)
    S.check_compiled(lambda w, i: F.embedding(i, w, padding_idx), leaf, index)


def test_embedding_module_initialises_as_pytorch_and_loads_its_weights():
    mg.manual_seed(0)
    table = nn.Embedding(400, 50, padding_idx=3)
    assert [name for name, _ in table.named_parameters()] == ["weight"]
    weight = table.weight.numpy()
    assert not weight[3].any() and table.padding_idx == 3
    others = np.delete(weight, 3, axis=0)  # 19950 draws of N(0, 1): mean and std within 4 sigma
    assert abs(others.mean()) < 4 / np.sqrt(others.size)
    assert abs(others.std() - 1.0) < 4 / np.sqrt(2 * others.size)
    assert repr(nn.Embedding(5, 2, padding_idx=-1)) == "Embedding(5, 2, padding_idx=4)"
    torch = pytest.importorskip("torch")
    theirs = torch.nn.Embedding(6, 3, padding_idx=1)
    ours = nn.Embedding(6, 3, padding_idx=1)
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    indices = [[0, 1, 5], [1, 1, 2]]
    np.testing.assert_array_equal(ours(mg.tensor(indices)).numpy(),
                                  theirs(torch.tensor(indices)).detach().numpy())


def test_embedding_refuses_what_it_cannot_do_with_a_message():
    weight = mg.zeros(4, 2)
    with pytest.raises(TypeError, match="embedding: input must hold integer indices, got dtype "
                       "float32"):
        F.embedding(mg.zeros(3), weight)
    with pytest.raises(NotImplementedError, match="embedding: max_norm, scale_grad_by_freq"):
        F.embedding(mg.tensor([0]), weight, max_norm=1.0)
    with pytest.raises(ValueError, match="padding_idx 4 is out of range for 4 embeddings"):
        F.embedding(mg.tensor([0]), weight, padding_idx=4)
    with pytest.raises(ValueError, match="Embedding: padding_idx -5 is out of range"):
        nn.Embedding(4, 2, padding_idx=-5)
    for bad in (4, -1):
        with pytest.raises(IndexError, match=f"embedding: index {bad} is out of range; expected "
                           "0..3"):
            F.embedding(mg.tensor([[0, bad]]), weight)
    with pytest.raises(ValueError, match=r"weight must be \(num_embeddings, embedding_dim\)"):
        F.embedding(mg.tensor([0]), mg.zeros(4))
