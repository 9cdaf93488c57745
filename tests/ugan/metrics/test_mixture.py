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



def test_the_later_half_is_chosen_by_step_so_an_extended_runs_extra_record_moves_nothing():
    """A run of 15 iterations extended to 90 (evaluations every 10) keeps its former final
    record at step 15: the later half is still the evaluations from step 45 on, 50 to 90."""
    def record(step):
        return {"step": step, "modes_covered_strict": 8, "top_mode": 1 if step < 50 else 2,
                "top_mode_mass": 0.5 if step < 50 else 0.25, "mode_counts": [1] * 8}

    experiment = MixtureExperiment(MixtureExperiment.config_from())
    straight = [record(step) for step in range(0, 100, 10)]
    extended = [*straight[:2], record(15), *straight[2:]]
    for history in (straight, extended):
        later_half = experiment.final_metrics(history)["later_half"]
        assert later_half == {"evaluations": 5, "mean_top_mode_mass": 0.25,
                              "mean_modes_covered_strict": 8.0, "top_mode_changes": 0}

def test_samples_off_the_modes_are_invisible_to_the_hq_columns_but_not_to_the_nearest_shares():
    """A collapsed blob between modes 0 and 1, nearer 0: no high-quality sample, so the HQ
    columns see nothing, while every sample still counts towards its nearest mode."""
    between = 0.6 * CENTERS[0] + 0.4 * CENTERS[1]
    assert np.linalg.norm(between - CENTERS[0]) > 3 * STD
    samples = between + 0.01 * np.random.default_rng(0).standard_normal((90, 2))
    samples = np.concatenate([samples, _on_modes([0, 0, 0, 0, 10, 0, 0, 0])])
    m = mixture_metrics(samples, CENTERS, STD)
    assert m["mode_counts"] == [0, 0, 0, 0, 10, 0, 0, 0]
    assert m["top_mode"] == 4 and m["top_mode_mass"] == 1.0  # a statement about 10 samples
    assert m["nearest_mode_counts"] == [90, 0, 0, 0, 10, 0, 0, 0]
    assert m["nearest_top_share"] == 0.9 and m["nearest_modes_5pct"] == 2

    far = mixture_metrics(np.full((20, 2), 10.0), CENTERS, STD)
    assert far["high_quality_fraction"] == 0.0 and far["modes_covered"] == 0
    assert far["nearest_top_share"] == 1.0 and far["nearest_modes_5pct"] == 1


def test_nearest_shares_threshold_is_five_percent_of_all_samples():
    # n = 100: a mode needs >= 5 of all samples; HQ or not does not matter
    counts = [80, 5, 4, 11, 0, 0, 0, 0]
    samples = _on_modes(counts) + np.array([4 * STD, 0.0])  # all off the 3-std disc
    m = mixture_metrics(samples, CENTERS, STD)
    assert m["high_quality_fraction"] == 0.0
    assert m["nearest_mode_counts"] == counts
    assert m["nearest_modes_5pct"] == 3 and m["nearest_top_share"] == 0.8


@given(modes=st.lists(st.integers(0, 7), min_size=1, max_size=60),
       radii=st.lists(st.floats(0.0, 8.0), min_size=60, max_size=60))
def test_definitions_are_consistent(modes, radii):
    """HQ counts never exceed nearest counts; the two agree when every sample is HQ; the
    formulas of the module docstring hold."""
    n = len(modes)
    samples = CENTERS[modes] + np.array(radii[:n])[:, None] * STD * np.array([0.6, 0.8])
    m = mixture_metrics(samples, CENTERS, STD)
    hq, nearest = np.array(m["mode_counts"]), np.array(m["nearest_mode_counts"])
    assert (hq <= nearest).all() and nearest.sum() == n
    assert m["nearest_top_share"] == nearest.max() / n
    assert m["nearest_modes_5pct"] == np.count_nonzero(nearest >= 0.05 * n)
    assert m["modes_covered"] == np.count_nonzero(hq >= 1)
    assert m["modes_covered_strict"] == np.count_nonzero(hq >= 0.05 * n / 8)
    if m["high_quality_fraction"] == 1.0:
        assert (hq == nearest).all() and m["top_mode_mass"] == m["nearest_top_share"]


def test_real_data_covers_every_mode_with_about_an_eighth_each():
    experiment = MixtureExperiment(MixtureExperiment.config_from())
    m = experiment.real_data_metrics(0)
    assert m["n_samples"] == experiment.config.eval_samples
    assert m["modes_covered"] == m["modes_covered_strict"] == m["nearest_modes_5pct"] == 8
    assert m["high_quality_fraction"] > 0.98
    assert abs(m["nearest_top_share"] - 1 / 8) < 0.03 and abs(m["top_mode_mass"] - 1 / 8) < 0.03
    assert m["kl_to_uniform"] < 0.01
    assert experiment.real_data_metrics(0) == m and experiment.real_data_metrics(1) != m
    drawn = RING.sample(m["n_samples"], np.random.default_rng([0, 2]))
    assert mixture_metrics(drawn, CENTERS, STD) == m


def test_a_run_folder_written_before_the_nearest_shares_gets_them_from_its_samples(tmp_path):
    experiment = MixtureExperiment(MixtureExperiment.config_from())
    rng = np.random.default_rng(0)
    (tmp_path / "samples").mkdir()
    history = []
    for step in (0, 10):
        samples = RING.sample(200, rng)
        np.save(tmp_path / "samples" / f"step_{step:07d}.npy", samples)
        record = {"step": step, **mixture_metrics(samples, CENTERS, STD)}
        for key in ("nearest_top_share", "nearest_modes_5pct", "nearest_mode_counts"):
            del record[key]
        history.append(record)
    experiment.finish(tmp_path, [dict(r) for r in history])
    final = json.loads((tmp_path / "metrics.json").read_text())["final"]
    assert final == mixture_metrics(np.load(tmp_path / "samples" / "step_0000010.npy"),
                                    CENTERS, STD) | {"step": 10}
    lines = (tmp_path / "metrics.jsonl").read_text().splitlines()
    assert [json.loads(line)["nearest_modes_5pct"] for line in lines] == [8, 8]
