"""Table 1's computation (ugan/metrics/reconstruction.py): L-BFGS reconstruction from 3 starts,
and the best-rank shares over configurations."""

import numpy as np
import pytest

import minigrad as mg
from minigrad import nn

from best_rank_reference import all_pairings
from ugan.metrics import best_rank_shares, lbfgs_reconstruction_errors
from ugan.metrics.reconstruction import (best_rank_intervals, lbfgs_reconstructions,
                                          mean_image_errors, most_different_images,
                                          nearest_neighbour_errors)


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


def test_best_rank_shares_sum_to_one_and_average_every_pairing_of_runs():
    rng = np.random.default_rng(0)
    errors = {"K=0": rng.random((3, 50)), "K=1": rng.random((2, 50)),
              "K=5": rng.random((1, 50)), "K=10": rng.integers(0, 3, (4, 50)) / 4}  # with ties
    errors["K=1"][:, :10] = errors["K=10"][0, :10]
    shares = best_rank_shares(errors)
    assert sum(shares.values()) == pytest.approx(1.0, abs=1e-12)
    expected = all_pairings(errors)
    assert shares == pytest.approx(expected, rel=1e-12)


def test_all_pairings_differ_from_pairing_run_r_with_run_r():
    """One image, two runs each: a's errors 1 and 4, b's 2 and 0.5. Run r with run r gives a
    the image once in two (1 < 2, 4 > 0.5); of the four pairings a wins only (1, 2)."""
    errors = {"a": [[1.0], [4.0]], "b": [[2.0], [0.5]]}
    assert best_rank_shares(errors) == pytest.approx({"a": 0.25, "b": 0.75})
    run_with_run = np.mean([best_rank_shares({"a": errors["a"][r], "b": errors["b"][r]})["a"]
                            for r in range(2)])
    assert run_with_run == 0.5


def test_ties_across_pairings_split_the_image():
    # a's runs: 1, 2; b's: 1, 3. Pairings: (1,1) tie, (1,3) a, (2,1) b, (2,3) a.
    shares = best_rank_shares({"a": [[1.0], [2.0]], "b": [[1.0], [3.0]]})
    assert shares == pytest.approx({"a": (0.5 + 1 + 0 + 1) / 4, "b": (0.5 + 0 + 1 + 0) / 4})


def test_the_bootstrap_interval_holds_the_share_and_narrows_with_more_images():
    def errors(n):
        rng = np.random.default_rng(n)
        return {"a": rng.random((2, n)), "b": rng.random((3, n)) + 0.2}

    widths = []
    for n in (40, 4000):
        shares, intervals = best_rank_shares(errors(n)), best_rank_intervals(errors(n))
        for name, (low, high) in intervals.items():
            assert low <= shares[name] <= high
        widths.append(intervals["a"][1] - intervals["a"][0])
    assert widths[1] < widths[0] / 5          # about 1 / sqrt(100) of it
    assert best_rank_intervals(errors(40)) == best_rank_intervals(errors(40))  # fixed seed


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
    with pytest.raises(ValueError, match="best_rank_shares: expected errors .* the same n"):
        best_rank_shares({"a": [0.1, 0.2], "b": [0.1]})


def test_the_reconstructions_are_those_whose_errors_are_reported():
    generator = Images(tanh_generator())
    targets = np.random.default_rng(1).uniform(-1, 1, (5, 1, 4, 4))
    errors, images = lbfgs_reconstructions(generator, targets, 3, max_iterations=5, batch_size=2)
    assert images.shape == targets.shape
    np.testing.assert_allclose(((images - targets) ** 2).reshape(5, -1).mean(axis=1), errors,
                               rtol=1e-12)
    np.testing.assert_array_equal(errors, lbfgs_reconstruction_errors(
        generator, targets, 3, max_iterations=5, batch_size=2))


def test_the_scale_errors_by_hand():
    targets = np.array([[[0.0, 1.0], [1.0, 0.0]], [[1.0, 1.0], [1.0, 1.0]]])   # (2, 2, 2)
    mean = np.array([[0.5, 0.5], [0.5, 0.5]])
    np.testing.assert_allclose(mean_image_errors(targets, mean), [0.25, 0.25])
    pool = np.stack([targets[1], np.zeros((2, 2)), np.full((2, 2), 0.9)])
    # target 0: to pool 0 (1,0,0,1)/4 = 0.5, pool 1 0.5, pool 2 (0.81+0.01+0.01+0.81)/4 = 0.41
    # target 1: itself at pool 0 (0), left out; pool 1: 1; pool 2: 0.01
    np.testing.assert_allclose(nearest_neighbour_errors(targets, pool, own_index=[-1, 0]),
                               [0.41, 0.01])
    np.testing.assert_allclose(nearest_neighbour_errors(targets, pool), [0.41, 0.0], atol=1e-15)


@pytest.mark.parametrize("chunk_size", [1, 3, 256])
def test_the_nearest_neighbour_leaves_out_the_image_itself_in_every_chunking(chunk_size):
    rng = np.random.default_rng(2)
    pool = rng.normal(size=(23, 1, 3, 3))
    picks = np.array([0, 5, 22, 7])
    errors = nearest_neighbour_errors(pool[picks], pool, own_index=picks, chunk_size=chunk_size)
    squared = ((pool[picks, None] - pool[None]) ** 2).reshape(4, 23, -1).mean(axis=2)
    squared[np.arange(4), picks] = np.inf
    np.testing.assert_allclose(errors, squared.min(axis=1), rtol=1e-10)
    assert errors.min() > 0
    with pytest.raises(ValueError, match="no image besides the target's own"):
        nearest_neighbour_errors(pool[:1], pool[:1], own_index=[0])


def test_figure_4_picks_the_largest_fractional_differences():
    first = np.array([1.0, 1.0, 0.0, 0.5, 2.0])
    last = np.array([1.0, 3.0, 0.0, 0.1, 1.0])
    # |f - l| / ((f + l) / 2): 0, 1, 0 (0/0), 1.333, 0.667
    np.testing.assert_array_equal(most_different_images(first, last, count=3), [3, 1, 4])
