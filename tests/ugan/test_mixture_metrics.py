import json
import math

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from ugan.data import ring_of_gaussians
from ugan.experiments.mixture import MixtureExperiment
from ugan.metrics import kl_to_uniform, mixture_metrics
from ugan.metrics.modes import mode_metrics

RING = ring_of_gaussians()
CENTERS, STD = RING.centers, RING.std


def _on_modes(counts):
    """Samples placed exactly on the centres, counts[k] of them on mode k."""
    return np.repeat(CENTERS, counts, axis=0)


def test_all_samples_on_one_mode():
    m = mixture_metrics(_on_modes([0, 0, 0, 50, 0, 0, 0, 0]), CENTERS, STD)
    assert m["modes_covered"] == 1 and m["modes_covered_strict"] == 1
    assert m["top_mode"] == 3 and m["top_mode_mass"] == 1.0
    assert m["high_quality_fraction"] == 1.0
    assert math.isclose(m["kl_to_uniform"], math.log(8))
    assert m["mode_counts"] == [0, 0, 0, 50, 0, 0, 0, 0] and m["n_samples"] == 50


def test_one_kl_to_uniform_for_mixture_modes_and_discrete_modes():
    counts = np.array([5, 0, 3, 2])
    assert math.isclose(kl_to_uniform(counts),
                        sum(c / 10 * math.log(c / 10 * 4) for c in counts if c))
    assert kl_to_uniform([3, 3, 3]) == 0.0 and math.isclose(kl_to_uniform([0, 7, 0]), math.log(3))
    assert kl_to_uniform([0, 0]) == math.inf
    assert mode_metrics(np.repeat(np.arange(4), counts), 4)["kl_to_uniform"] == \
        kl_to_uniform(counts)
    on_modes = mixture_metrics(_on_modes([5, 0, 3, 2, 0, 0, 0, 0]), CENTERS, STD)
    assert on_modes["kl_to_uniform"] == kl_to_uniform([5, 0, 3, 2, 0, 0, 0, 0])


def test_uniform_over_modes_has_zero_kl_to_uniform():
    samples = _on_modes([10] * 8) + np.array([STD, 0.0])
    m = mixture_metrics(samples, CENTERS, STD)
    assert m["kl_to_uniform"] == 0.0
    assert m["modes_covered"] == 8 and m["modes_covered_strict"] == 8
    assert m["top_mode_mass"] == 1 / 8


def test_samples_far_from_every_mode():
    samples = np.full((20, 2), 10.0)
    m = mixture_metrics(samples, CENTERS, STD)
    assert m["high_quality_fraction"] == 0.0 and m["kl_to_uniform"] == math.inf
    assert m["modes_covered"] == 0 and m["modes_covered_strict"] == 0
    assert m["top_mode"] == -1 and m["top_mode_mass"] == 0.0


def test_quality_radius_is_three_std():
    just_inside = CENTERS[:1] + [2.99 * STD, 0.0]
    just_outside = CENTERS[:1] + [3.01 * STD, 0.0]
    assert mixture_metrics(just_inside, CENTERS, STD)["high_quality_fraction"] == 1.0
    assert mixture_metrics(just_outside, CENTERS, STD)["high_quality_fraction"] == 0.0


def test_strict_coverage_threshold():
    # n = 200, k = 8: strict needs >= 0.05 * 200 / 8 = 1.25, i.e. 2 samples.
    counts = [193, 1, 2, 0, 0, 0, 0, 4]
    m = mixture_metrics(_on_modes(counts), CENTERS, STD)
    assert m["modes_covered"] == 4
    assert m["modes_covered_strict"] == 3


def test_result_is_json_serialisable_plain_python():
    m = mixture_metrics(RING.sample(100, np.random.default_rng(0)), CENTERS, STD)
    json.dumps(m)
    assert all(type(v) in (int, float, list) for v in m.values())


@given(
    modes=st.lists(st.integers(0, 7), min_size=1, max_size=60),
    offsets=st.lists(st.tuples(st.floats(-0.2, 0.2), st.floats(-0.2, 0.2)), min_size=60,
                     max_size=60),
    data=st.data(),
)
def test_counts_match_fraction_and_permutation_invariance(modes, offsets, data):
    samples = CENTERS[modes] + np.array(offsets[: len(modes)])
    m = mixture_metrics(samples, CENTERS, STD)
    assert sum(m["mode_counts"]) == round(m["high_quality_fraction"] * len(modes))
    order = data.draw(st.permutations(range(len(modes))))
    assert mixture_metrics(samples[order], CENTERS, STD) == m


def test_final_metrics_say_when_every_mode_stayed_covered():
    def record(step, strict, top):
        return {"step": step, "modes_covered_strict": strict, "top_mode": top,
                "top_mode_mass": 0.5, "mode_counts": [1] * 8}

    history = [record(0, 0, 1), record(10, 8, 2), record(20, 7, 3), record(30, 8, 3),
               record(40, 8, 4)]
    experiment = MixtureExperiment(MixtureExperiment.config_from())
    summary = experiment.final_metrics(history)
    assert summary["all_modes_from_step"] == 30  # not 10: coverage was lost again at 20
    assert summary["later_half"]["top_mode_changes"] == 1  # 3, 3, 4
    history[-1] = record(40, 6, 4)
    assert experiment.final_metrics(history)["all_modes_from_step"] is None
