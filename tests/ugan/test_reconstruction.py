"""Table 1's computation (ugan/metrics/reconstruction.py): L-BFGS reconstruction from 3 starts,
and the best-rank shares over configurations."""

import numpy as np
import pytest

import minigrad as mg
from minigrad import nn

from ugan.metrics import best_rank_shares, lbfgs_reconstruction_errors


def tanh_generator(seed=0):
    """z (N, 3) -> tanh(Linear) -> (N, 1, 4, 4) in float64, with batch norm between (run in eval
    mode by the search): an injective map, so each target it makes has an exact preimage."""
    mg.manual_seed(seed)
    return nn.Sequential(nn.Linear(3, 16, dtype="float64"), nn.BatchNorm1d(16, dtype="float64"),
                         nn.Tanh())


class Images(nn.Module):
    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, z):
        return self.net(z).reshape(z.shape[0], 1, 4, 4)


def test_targets_the_generator_can_make_are_reconstructed_exactly():
    generator = Images(tanh_generator())
    with mg.no_grad():
        generator.eval()
        targets = generator(mg.tensor(np.random.default_rng(7).standard_normal((6, 3)))).numpy()
        generator.train()
    errors = lbfgs_reconstruction_errors(generator, targets, 3, batch_size=4)
    assert errors.shape == (6,)
    assert errors.max() < 1e-10
    assert generator.training


def test_the_best_of_three_starts_is_no_worse_than_the_first_alone():
    generator = Images(tanh_generator())
    targets = np.random.default_rng(1).uniform(-1, 1, (5, 1, 4, 4))   # mostly out of its reach
    one = lbfgs_reconstruction_errors(generator, targets, 3, starts=1, max_iterations=5)
    three = lbfgs_reconstruction_errors(generator, targets, 3, starts=3, max_iterations=5)
    assert np.all(three <= one) and np.all(one > 1e-3)


def test_a_generator_of_the_wrong_shape_is_named():
    with pytest.raises(ValueError, match=r"generator makes images of shape \(1, 4, 4\) .* "
                                         r"targets have shape \(1, 2, 8\)"):
        lbfgs_reconstruction_errors(Images(tanh_generator()), np.zeros((2, 1, 2, 8)), 3)


def test_best_rank_shares_sum_to_one_over_four_configurations():
    errors = np.random.default_rng(0).random((4, 3, 50))        # 4 configurations, 3 runs
    shares = best_rank_shares({f"K={k}": e for k, e in zip((0, 1, 5, 10), errors)})
    assert sum(shares.values()) == pytest.approx(1.0, abs=1e-12)
    expected = np.mean(errors.argmin(axis=0)[None] == np.arange(4)[:, None, None], axis=(1, 2))
    np.testing.assert_allclose(list(shares.values()), expected, rtol=1e-12)


def test_a_configuration_best_on_every_image_gets_everything():
    rng = np.random.default_rng(1)
    others = {f"K={k}": 0.5 + rng.random(20) for k in (0, 1, 5)}
    shares = best_rank_shares({**others, "K=10": rng.random(20) * 0.4})
    assert shares == {"K=0": 0.0, "K=1": 0.0, "K=5": 0.0, "K=10": 1.0}


def test_exact_ties_split_the_image():
    shares = best_rank_shares({"a": [0.1, 0.2, 0.3, 0.5], "b": [0.1, 0.2, 0.4, 0.4],
                               "c": [0.1, 0.3, 0.5, 0.6]})
    # image 1: three-way tie; 2: a and b tie; 3: a alone; 4: b alone
    assert shares == pytest.approx({"a": (1 / 3 + 1 / 2 + 1) / 4, "b": (1 / 3 + 1 / 2 + 1) / 4,
                                    "c": (1 / 3) / 4})


def test_mismatched_errors_are_refused():
    with pytest.raises(ValueError, match="best_rank_shares: expected errors of one shape"):
        best_rank_shares({"a": [0.1, 0.2], "b": [0.1]})
