"""The numbers that docs/reproduction.md's sentences quote about the `fashion` presets' 28x28
studies re-scored with the calibrated instruments (Table 1, Table 3 and the LSTM), re-computed
from their summaries in docs/results/, with every order a sentence claims ("every K=5 run ends
below every K=0 run") checked on the per-seed values."""

import pytest

from reproduction_prose import README, commas, commas_and, mean_se, quoted, row, span, summary
from ugan.results import number


def three_seeds(name):
    """The summary of study ``name``, whose sentences say "three seeds": seeds 0, 1 and 2."""
    study = summary(name)
    assert study["seeds"] == [0, 1, 2]
    return study


def below_every(lower, upper):
    """Every per-seed value of ``lower`` is below every one of ``upper``."""
    return max(lower["values"]) < min(upper["values"])


# -- Table 1: conv, inference via optimization ---------------------------------------------------

@pytest.fixture(scope="module")
def conv():
    return three_seeds("study-conv-fashion")


def test_k5_and_k10_reconstruct_better_than_k0_on_every_seed(conv):
    k0, k5, k10 = (row(conv, k) for k in ("0", "5", "10"))
    for metric in ("lbfgs_mse", "lbfgs_mse_test"):
        assert below_every(k5[metric], k0[metric]) and below_every(k10[metric], k0[metric])
    train = {k: span(row(conv, k)["lbfgs_mse"]) for k in ("0", "5", "10")}
    test = {k: span(row(conv, k)["lbfgs_mse_test"]) for k in ("0", "5", "10")}
    quoted(f"every K=5 run ({train['5']}) and every K=10 run ({train['10']}) ends below every K=0 "
           f"run ({train['0']})",
           f"(K=0: {test['0']}; K=5: {test['5']}; K=10: {test['10']})")
    # "K=5 and K=10 do not separate: their seeds overlap"
    assert not below_every(k10["lbfgs_mse"], k5["lbfgs_mse"])
    assert not below_every(k5["lbfgs_mse"], k10["lbfgs_mse"])


def test_the_best_rank_shares(conv):
    cells = {k: row(conv, k)["extras"]["best rank"] for k in ("0", "1", "5", "10")}
    quoted(f"{cells['10']['cell']} and {cells['5']['cell']} of the images, against "
           f"{cells['0']['cell']} for K=0 and {cells['1']['cell']} for K=1")
    shares = [cells[k]["value"] for k in ("10", "5", "0", "1")]
    assert shares == sorted(shares, reverse=True)
    # K=0's interval lies wholly below K=10's: the order, not just the means
    assert cells["0"]["interval"][1] < cells["10"]["interval"][0]


def test_k1_is_worse_than_k0_on_every_seed(conv):
    k0, k1 = row(conv, "0"), row(conv, "1")
    assert below_every(k0["lbfgs_mse"], k1["lbfgs_mse"])
    nearest = row(conv, "real data")["scale_nearest_neighbour_mse"]["mean"]
    worst = max(k1["lbfgs_mse"]["values"])
    assert k1["lbfgs_mse"]["values"][0] == worst > nearest
    assert sum(value > nearest for value in k1["lbfgs_mse"]["values"]) == 1
    distance_js = {k: row(conv, k)["distance_js"]["mean"] for k in ("0", "1", "5", "10")}
    assert max(distance_js, key=distance_js.get) == "1"
    quoted(f"every K=1 run ({span(k1['lbfgs_mse'])}) ends above every K=0 run",
           f"seed 0's K=1 ({number(worst)}) reconstructs the images worse than the nearest other "
           f"training image does ({number(nearest)})",
           f"the highest distance JS ({mean_se(k1['distance_js'])})")


def test_the_distances_do_not_separate_k0_5_and_10(conv):
    cells = [mean_se(row(conv, k)["distance_js"]) for k in ("0", "5", "10")]
    real, untrained = (row(conv, name)["distance_js"]["mean"]
                       for name in ("real data", "untrained generator"))
    quoted(f"distance JS {cells[0]}, {cells[1]} and {cells[2]} (real data {number(real)}, the "
           f"untrained generator {number(untrained)})")
    values = [row(conv, k)["distance_js"]["values"] for k in ("0", "5", "10")]
    # each pair's seeds overlap
    for a in range(3):
        for b in range(a + 1, 3):
            assert min(values[a]) < max(values[b]) and min(values[b]) < max(values[a])


# -- Sec. 3.2: the LSTM generator ----------------------------------------------------------------

@pytest.fixture(scope="module")
def lstm():
    return three_seeds("study-lstm-fashion")


def diversities(study, k, after=0):
    """Each seed's diversity at every evaluation after iteration ``after``."""
    return [[(entry["step"], entry["diversity"]) for entry in run["history"]
             if entry["step"] > after] for run in row(study, k)["per_seed"]]


def test_k0_collapses_on_every_seed(lstm):
    k0, untrained = row(lstm, "0"), row(lstm, "untrained generator")
    high = [(seed, step, value) for seed, history in enumerate(diversities(lstm, "0"))
            for step, value in history if value >= 0.1]
    assert len(high) == 1
    seed, step, value = high[0]
    real = row(lstm, "real data")["diversity"]["mean"]
    quoted(f"every K=0 run's diversity stays below 0.1 (the data: {number(real)}; the exception "
           f"is {value:.2g}, seed {seed} at iteration {step:,})",
           f"It ends with {mean_se(k0['modes_covered_strict'])} classes and a KL to real of "
           f"{mean_se(k0['kl_to_real'])}, the untrained generator's level "
           f"({mean_se(untrained['kl_to_real'])})")


def test_k5_and_k10_do_not_collapse(lstm):
    lowest = min(value for k in ("5", "10") for history in diversities(lstm, k, after=250)
                 for _, value in history)
    assert lowest > 10 * max(row(lstm, "0")["diversity"]["values"])
    quoted(f"diversity of {lowest:.3g} or more")
    k0, k5, k10 = (row(lstm, k) for k in ("0", "5", "10"))
    for k in (k5, k10):
        assert all(a > b for a, b in zip(k["modes_covered_strict"]["values"],
                                         k0["modes_covered_strict"]["values"]))
    quoted(f"they end at {mean_se(k5['diversity'])} and {mean_se(k10['diversity'])}",
           f"(K=5: {commas(k5['modes_covered_strict']['values'])}; K=10: "
           f"{commas(k10['modes_covered_strict']['values'])}; K=0: "
           f"{commas(k0['modes_covered_strict']['values'])})",
           f"a lower KL to real ({mean_se(k5['kl_to_real'])} and {mean_se(k10['kl_to_real'])})")


def test_what_k5_and_k10_spread_over(lstm):
    k5, k10, real = row(lstm, "5"), row(lstm, "10"), row(lstm, "real data")
    quoted(f"{mean_se(k5['confident_modes'])} (K=5) and {mean_se(k10['confident_modes'])} (K=10) "
           f"confident classes of 10, with {100 * k5['pass_share']['mean']:.2g}% and "
           f"{100 * k10['pass_share']['mean']:.2g}% of their samples passing the threshold (real "
           f"data: {100 * real['pass_share']['mean']:.2g}%)")
    classes = [row(lstm, k)["modes_covered_strict"]["values"] for k in ("5", "10")]
    assert sum(a > b for a, b in zip(*classes)) == 2
    quoted(f"({number(k5['modes_covered_strict']['mean'])} against "
           f"{number(k10['modes_covered_strict']['mean'])} classes), on two seeds of three")


def test_k1_differs_by_seed(lstm):
    k1 = row(lstm, "1")
    final = k1["diversity"]["values"]
    whole = [value for _, value in diversities(lstm, "1")[0]]
    assert max(whole) < 0.12 and min(final[1:]) > 0.5
    quoted(f"(diversity {final[0]:.2g} at the end, below 0.12 at every evaluation); seeds 1 and 2 "
           f"spread like K=5 ({number(final[1])} and {number(final[2])})")


def test_readme_s_summary_of_table_1(conv):
    k0, k1, k5, k10 = (row(conv, k)["lbfgs_mse"] for k in ("0", "1", "5", "10"))
    assert below_every(k0, k1) and below_every(k5, k0) and below_every(k10, k0)
    quoted("one unrolling step reconstructs worse than none on all three seeds",
           "K=5 and K=10 reconstruct better than K=0 on all three", text=README, where="README.md")


# -- Table 3: colour, X = 1/8 ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def colour():
    return three_seeds("study-colour-fashion")


def colour_js_history(study, k):
    """Each seed's [(iteration, colour JS)] at every evaluation."""
    return [[(entry["step"], entry["colour_js"]) for entry in run["history"]]
            for run in row(study, k)["per_seed"]]


def late_means(study, k, last=4):
    """Each seed's mean colour JS over its last ``last`` evaluations."""
    return [sum(js for _, js in history[-last:]) / last
            for history in colour_js_history(study, k)]


def test_one_step_hurts_at_one_eighth(colour):
    k0, k1 = row(colour, "0")["colour_js"], row(colour, "1")["colour_js"]
    assert below_every(k0, k1)
    quoted(f"Every K=1 run ends further from the data's colours ({span(k1)} bits) than every K=0 "
           f"run ({span(k0)})")
    # "its divergence stays above the other rows' for all of training" (the seeds' means)
    curves = {k: [sum(js) / 3 for js in zip(*[[js for _, js in history]
                                            for history in colour_js_history(colour, k)])]
              for k in ("0", "1", "5", "10")}
    for at in range(1, len(curves["1"])):
        assert curves["1"][at] > max(curves[k][at] for k in ("0", "5", "10"))
    quoted("its divergence stays above the other rows' for all of training")


def test_ten_steps_end_worse_than_none_at_one_eighth(colour):
    k0, k5, k10 = (row(colour, k)["colour_js"] for k in ("0", "5", "10"))
    assert below_every(k0, k10)
    late = {k: late_means(colour, k) for k in ("0", "5", "10")}
    assert max(late["0"]) < min(late["10"])
    steps = [step for step, _ in colour_js_history(colour, "0")[0][-4:]]
    quoted(f"Every K=10 run ends above every K=0 run ({span(k10)})",
           f"(iterations {steps[0]:,} to {steps[-1]:,}: {min(late['10']):.3g} to "
           f"{max(late['10']):.3g} against {min(late['0']):.3g} to {max(late['0']):.3g})")
    assert all(a > b for a, b in zip(k5["values"], k0["values"]))  # on each seed
    assert not below_every(k0, k5)  # but the runs overlap
    level = [sum(late[k]) / 3 for k in ("5", "0")]
    assert abs(level[0] - level[1]) < 0.01
    quoted(f"the two are level (means of {level[0]:.2g} and {level[1]:.2g})")
    jumps = [abs(b - a) for k in ("0", "5") for history in colour_js_history(colour, k)
             for (_, a), (_, b) in zip(history[-4:], history[-3:])]
    gap = k5["mean"] - k0["mean"]
    assert max(jumps) > gap
    quoted(f"A K=0 or K=5 run's divergence moves by as much as {max(jumps):.2g} bits from one of "
           f"its last four evaluations to the next, more than the gap between the two rows' final "
           f"means ({gap:.2g})")


def test_unrolling_leads_early_at_one_eighth(colour):
    at_250 = {k: [js for history in colour_js_history(colour, k)
                  for step, js in history if step == 250] for k in ("0", "5")}
    assert max(at_250["5"]) < min(at_250["0"])
    quoted(f"every K=5 run is closer to the data ({min(at_250['5']):.3g} to "
           f"{max(at_250['5']):.3g}) than every K=0 run ({min(at_250['0']):.3g} to "
           f"{max(at_250['0']):.3g})")
    untrained, real = (row(colour, name)["colour_js"]["mean"]
                       for name in ("untrained generator", "real data"))
    quoted(f"far below the untrained generator ({number(untrained)}) and far above two draws of "
           f"real data ({number(real)})")


def test_readme_s_summary_of_table_3(colour):
    assert below_every(row(colour, "0")["colour_js"], row(colour, "10")["colour_js"])
    quoted("ten unrolling steps end further from the data's colours than none on all three seeds",
           text=README, where="README.md")


def test_readme_s_summary_of_what_unrolling_spreads(lstm):
    stacked = summary("study-stacked-paper-k0-10")["runs"]
    shares = [row(lstm, k)["pass_share"]["mean"] for k in ("5", "10")]
    shares += [stacked[f"{size}, K=10"]["pass_share"]["mean"] for size in ("d-quarter", "d-half")]
    assert max(shares) < 0.5  # most samples do not pass the classifier's threshold
    quoted("most of its samples are ones the classifier does not recognise with confidence",
           text=README, where="README.md")


# -- Table 3: colour, X = 1/4 ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def colour_quarter():
    return three_seeds("study-colour-fashion-w0.25")


def test_the_larger_model_is_closer_at_every_k(colour, colour_quarter):
    pairs = [(row(colour_quarter, k)["colour_js"]["mean"], row(colour, k)["colour_js"]["mean"])
             for k in ("0", "1", "5", "10")]
    assert all(quarter < eighth for quarter, eighth in pairs)
    quoted("K=0 {} against {} at X = 1/8, K=1 {} against {}, K=5 {} against {}, K=10 {} against "
           "{}".format(*[number(v) for pair in pairs for v in pair]))


def test_one_step_still_hurts_at_one_quarter(colour_quarter):
    k0, k1 = (row(colour_quarter, k)["colour_js"]["values"] for k in ("0", "1"))
    assert all(a > b for a, b in zip(k1, k0))
    quoted(f"K=1 ends further from the data than K=0 on each of the three seeds "
           f"({commas_and(k1)} against {commas_and(k0)})")


def test_five_steps_help_at_one_quarter(colour_quarter):
    k0, k5, k10 = (row(colour_quarter, k)["colour_js"] for k in ("0", "5", "10"))
    assert all(a < b for a, b in zip(k5["values"], k0["values"]))
    assert all(a < b for a, b in zip(k10["values"], k0["values"]))
    late = {k: late_means(colour_quarter, k) for k in ("0", "5", "10")}
    assert max(late["5"]) < min(late["0"])
    assert not below_every(k10, k0) and not max(late["10"]) < min(late["0"])
    quoted(f"seed ({commas_and(k5['values'])}; standard error {k5['se']:.2g} against "
           f"{k0['se']:.2g})",
           f"every K=5 run is below every K=0 run ({min(late['5']):.3g} to {max(late['5']):.3g} "
           f"against {min(late['0']):.3g} to {max(late['0']):.3g}; the closest pair by "
           f"{min(late['0']) - max(late['5']):.1g} bits)")
    at_250 = {k: [js for history in colour_js_history(colour_quarter, k)
                  for step, js in history if step == 250] for k in ("0", "5", "10")}
    unrolled = at_250["5"] + at_250["10"]
    assert max(unrolled) < min(at_250["0"])
    quoted(f"closer to the data ({min(unrolled):.3g} to {max(unrolled):.3g}) than every K=0 run "
           f"({min(at_250['0']):.3g} to {max(at_250['0']):.3g})")


def test_readme_s_summary_of_table_3_at_the_larger_size(colour_quarter):
    k0, k5 = (row(colour_quarter, k)["colour_js"]["values"] for k in ("0", "5"))
    assert all(a < b for a, b in zip(k5, k0))
    quoted("at the larger size, five steps end closer than none on all three", text=README,
           where="README.md")
