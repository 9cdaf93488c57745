"""Historical averaging: the penalty and its running average (runs that use it: test_train.py)."""

import numpy as np
import pytest

import minigrad as mg
from ugan.averaging import HistoricalAverage


def test_the_average_is_the_mean_of_every_value_so_far_and_the_penalty_pulls_towards_it():
    rng = np.random.default_rng(0)
    p = mg.tensor(rng.standard_normal((3, 2)), requires_grad=True)
    average = HistoricalAverage([p], weight=0.5)
    assert average.penalty().item() == 0.0
    history = [p.numpy()]
    for _ in range(4):
        p.array[...] = rng.standard_normal((3, 2))
        history.append(p.numpy())
        average.update()
    mean = np.mean(history, axis=0)
    np.testing.assert_allclose(average.means[0].numpy(), mean, rtol=1e-12)
    np.testing.assert_allclose(average.penalty().item(), 0.5 * np.sum((p.numpy() - mean) ** 2))
    (gradient,) = mg.grad(average.penalty(), [p])
    np.testing.assert_allclose(gradient.numpy(), 2 * 0.5 * (p.numpy() - mean), rtol=1e-12)


def test_a_bad_weight_is_refused():
    p = mg.zeros(2, 2, requires_grad=True)
    with pytest.raises(ValueError, match="weight must be positive"):
        HistoricalAverage([p], weight=0.0)


def test_the_count_is_state_like_the_means():
    p = mg.tensor(np.arange(4.0).reshape(2, 2), requires_grad=True)
    average = HistoricalAverage([p], weight=1.0)
    average.update()
    state = average.state_tensors()
    assert sorted(state) == ["0", "count"] and state["count"].item() == 2.0
    restored = HistoricalAverage([p], weight=1.0)
    restored.load_state_tensors({name: t.array for name, t in state.items()})
    p.array[...] = 10.0
    average.update()
    restored.update()
    assert restored.count.item() == 3.0
    np.testing.assert_array_equal(restored.means[0].numpy(), average.means[0].numpy())
