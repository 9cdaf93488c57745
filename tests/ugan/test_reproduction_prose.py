"""The numbers that docs/reproduction.md's sentences (and README's summary) quote about Table 2 at
the paper's settings and the ring's second-gradient grid, re-computed from the study summaries
in docs/results/ and found in the text, so that a sentence cannot keep a number its study no
longer gives, nor claim an order ("every K=10 run above every K=0 run") that the per-seed values
do not show."""

import pytest

from reproduction_prose import (README, TEXT, commas, commas_and, mean, mean_se, percent, quoted,
                                row, span, summary)
from ugan.results import number


def fewest_during_training(stat):
    return stat["extras"]["fewest confident modes during training"]["value"]


@pytest.fixture(scope="module")
def k0_10():
    return summary("study-stacked-paper-k0-10")


def test_the_quarter_discriminator_sentences(k0_10):
    k0, k10 = row(k0_10, "d-quarter, K=0"), row(k0_10, "d-quarter, K=10")
    untrained, real = row(k0_10, "untrained generator"), row(k0_10, "real data")
    quoted(f"{mean_se(k0['modes_covered'])} modes at K=0 ({span(k0['modes_covered'])};",
           f"{mean_se(k10['modes_covered'])} at K=10 ({span(k10['modes_covered'])};",
           f"falls from {mean_se(k0['kl_to_uniform'])} to {mean_se(k10['kl_to_uniform'])}",
           f"Only {percent(k10['pass_share'])} of its samples",
           f"(real data: {100 * real['pass_share']['mean']:.3g}%)",
           f"({mean_se(k10['confident_modes'])}) are no more than the untrained generator's "
           f"({mean_se(untrained['confident_modes'])})",
           f"({percent(k0['pass_share'])}) on {mean_se(k0['confident_modes'])} confident modes")
    assert "Every K=10 run ends above every K=0 run" in TEXT
    assert min(k10["modes_covered"]["values"]) > max(k0["modes_covered"]["values"])
    assert "on all five seeds" in TEXT and k0["seeds"] == k10["seeds"] == 5
    # "one K=10 run (5.11) ends above one K=0 run (5.06)": exactly one such pair
    above = [(a, b) for a in k10["kl_to_uniform"]["values"] for b in k0["kl_to_uniform"]["values"]
             if a > b]
    assert len(above) == 1
    quoted(f"one K=10 run ({above[0][0]:.3g}) ends above one K=0 run ({above[0][1]:.3g})")


def test_the_half_discriminator_sentences(k0_10):
    k0, k10 = row(k0_10, "d-half, K=0"), row(k0_10, "d-half, K=10")
    quoted(f"{mean_se(k10['modes_covered'])} modes ({span(k10['modes_covered'])}) against "
           f"{mean_se(k0['modes_covered'])} ({span(k0['modes_covered'])})",
           f"{mean_se(k10['confident_modes'])} confident modes against "
           f"{mean_se(k0['confident_modes'])}",
           f"KL to uniform: {mean_se(k10['kl_to_uniform'])} against "
           f"{mean_se(k0['kl_to_uniform'])}")
    pairs = list(zip(k10["modes_covered"]["values"], k0["modes_covered"]["values"]))
    assert sum(a > b for a, b in pairs) == 4, "K=10 above K=0 on four of five seeds"
    (behind,) = [seed for seed, (a, b) in enumerate(pairs) if a <= b]
    quoted("K=10 ends above K=0 on four of five seeds",
           f"seed {behind} is the exception ({number(k10['modes_covered']['values'][behind])} "
           f"modes, {number(k10['confident_modes']['values'][behind])} confident)")


def test_the_larger_discriminator_lifts_k0_on_every_seed(k0_10):
    quarter, half = row(k0_10, "d-quarter, K=0"), row(k0_10, "d-half, K=0")
    assert min(half["modes_covered"]["values"]) > max(quarter["modes_covered"]["values"])
    quoted(f"({number(quarter['modes_covered']['mean'])} to "
           f"{number(half['modes_covered']['mean'])} modes, all five seeds of the larger one "
           "above all five of the smaller)")


def test_every_run_collapses_at_some_evaluation(k0_10):
    fewest = [n for name in ("d-quarter, K=0", "d-quarter, K=10", "d-half, K=0", "d-half, K=10")
              for n in fewest_during_training(row(k0_10, name))]
    tens = [n for name in ("d-quarter, K=10", "d-half, K=10")
            for n in fewest_during_training(row(k0_10, name))]
    assert max(fewest) <= 5
    quoted(f"its fewest confident modes during training is {max(fewest)} or fewer, K=10 "
           f"included ({min(tens)} to {max(tens)})")


def test_readme_s_summary_of_table_2(k0_10):
    rows = {name: row(k0_10, name) for name in k0_10["runs"]}
    quoted(f"K=10 covers {mean_se(rows['d-quarter, K=10']['modes_covered'])} modes against "
           f"K=0's {mean_se(rows['d-quarter, K=0']['modes_covered'])}",
           f"with the larger one {mean_se(rows['d-half, K=10']['modes_covered'])} against "
           f"{mean_se(rows['d-half, K=0']['modes_covered'])}",
           f"({100 * rows['d-quarter, K=10']['pass_share']['mean']:.2g}% of its samples pass "
           f"the classifier's threshold, {100 * rows['d-quarter, K=0']['pass_share']['mean']:.2g}"
           "% of K=0's)", text=README, where="README.md")


# -- K = 1 and K = 5 on seeds 0 to 2, beside the K = 0 and K = 10 runs of the same seeds ---------

@pytest.fixture(scope="module")
def by_k(k0_10):
    """{(variant, K): the row}, K=0/10 cut to seeds 0 to 2, the seeds of the K=1/5 study."""
    k1_5 = summary("study-stacked-paper-k1-5")
    assert k1_5["seeds"] == [0, 1, 2] and k0_10["seeds"][:3] == [0, 1, 2]
    rows = {}
    for study, ks in ((k0_10, (0, 10)), (k1_5, (1, 5))):
        for variant in ("d-quarter", "d-half"):
            for k in ks:
                entry = row(study, f"{variant}, K={k}")
                rows[variant, k] = {metric: entry[metric]["values"][:3]
                                    for metric in ("modes_covered", "confident_modes",
                                                   "pass_share")}
                rows[variant, k]["fewest"] = fewest_during_training(entry)[:3]
    return rows


def test_the_quarter_discriminator_at_k_1_and_5(by_k):
    modes = {k: by_k["d-quarter", k]["modes_covered"] for k in (0, 1, 5, 10)}
    quoted("Over seeds 0 to 2: " + ", ".join(f"K={k} {number(mean(modes[k]))}"
                                              for k in (0, 1, 5, 10)) + " modes",
           f"K=5 ends above K=0 on all three seeds ({commas(modes[5])} against {commas(modes[0])})")
    assert all(a > b for a, b in zip(modes[5], modes[0]))
    below = [seed for seed in range(3) if modes[5][seed] < modes[10][seed]]
    assert below == [0, 2]
    quoted(f"below K=10 on two of them (seed 1: {number(modes[5][1])} against "
           f"{number(modes[10][1])})")
    assert [(a > b) - (a < b) for a, b in zip(modes[1], modes[0])] == [-1, 0, 1]
    quoted(f"K=1 ({commas(modes[1])}) is below K=0 on seed 0, level on seed 1 and above on seed 2")
    shares = [mean(by_k["d-quarter", k]["pass_share"]) for k in (0, 1, 5, 10)]
    assert shares == sorted(shares, reverse=True)
    quoted("{:.2g}% of K=0's samples pass the classifier's threshold over these seeds, {:.2g}% of "
           "K=1's, {:.2g}% of K=5's and {:.2g}% of K=10's".format(*[100 * s for s in shares]))


def test_the_confident_modes_at_k_1_and_5_are_the_untrained_generator_s(by_k):
    k1_5 = summary("study-stacked-paper-k1-5")
    untrained = row(k1_5, "untrained generator")["confident_modes"]["mean"]
    quoted(f"(K=1 {number(mean(by_k['d-quarter', 1]['confident_modes']))}, K=5 "
           f"{number(mean(by_k['d-quarter', 5]['confident_modes']))} against {number(untrained)})")


def test_the_half_discriminator_at_k_1_and_5(by_k):
    modes = {k: by_k["d-half", k]["modes_covered"] for k in (0, 1, 5, 10)}
    confident = {k: by_k["d-half", k]["confident_modes"] for k in (0, 5)}
    assert all(a > b for a, b in zip(modes[5], modes[0]))
    assert all(a > b for a, b in zip(confident[5], confident[0]))
    quoted(f"{commas_and(modes[5])} modes against {commas_and(modes[0])}",
           f"{commas_and(confident[5])} confident modes against {commas_and(confident[0])}",
           f"(K=10: {commas(modes[10])}; means {number(mean(modes[5]))} and "
           f"{number(mean(modes[10]))})")
    above = sum(a > b for a, b in zip(modes[1], modes[0]))
    assert above == 1
    quoted(f"{commas_and(modes[1])} modes against {commas_and(modes[0])}, above on one seed of "
           "three")


def test_the_k_1_and_5_runs_collapse_during_training_too(by_k):
    fewest = [n for (variant, k), entry in by_k.items() if k in (1, 5) for n in entry["fewest"]]
    quoted(f"their fewest confident modes at an evaluation are {min(fewest)} to {max(fewest)}")


def test_readme_s_summary_of_k_1_and_5(by_k):
    half = {k: mean(by_k["d-half", k]["modes_covered"]) for k in (5, 10)}
    quoted(f"does not separate from K=10 (means of {number(half[5])} and {number(half[10])} "
           "modes)",
           text=README, where="README.md")
    assert all(a > b for a, b in zip(by_k["d-quarter", 5]["modes_covered"],
                                     by_k["d-quarter", 0]["modes_covered"]))
    assert all(a > b for a, b in zip(by_k["d-half", 5]["modes_covered"],
                                     by_k["d-half", 0]["modes_covered"]))


# -- the paper's test of the second gradient on the ring (appendix; README's summary) ------------

@pytest.fixture(scope="module")
def term2():
    study = summary("study-paper-term2")

    def seeds_with_all_modes(arm, k):
        return study["runs"][f"{arm}, K={k}"]["extras"]["seeds with all modes"]["value"]

    return study, seeds_with_all_modes


def test_the_second_gradient_sentences(term2):
    study, converged = term2
    assert [converged("both", k) for k in (5, 10)] == [4, 5]
    assert [converged("first-term", k) for k in (5, 10)] == [1, 4]
    quoted("Both terms cover the ring at the end on 4 of 5 seeds from K=5 and on 5 of 5 at K=10; "
           "the first term alone on 1 of 5 at K=5 and 4 of 5 at K=10")
    assert all(converged(arm, k) <= 3 for arm in ("lagging-both", "lagging-first-term")
               for k in (1, 3, 5, 10))
    assert [converged("lagging-both", 10), converged("lagging-first-term", 10)] == [3, 2]
    assert converged("lagging-both", 5) == converged("lagging-first-term", 5) == 1
    quoted("both terms end with every mode covered on 3 of 5 seeds at K=10, the first term alone "
           "on 2 of 5, and 1 of 5 each at K=5")
    lagging = {arm: study["runs"][f"{arm}, K=10"] for arm in ("lagging-both", "lagging-first-term")}
    quoted(f"({mean_se(lagging['lagging-both']['modes_covered'])} modes), the first term alone "
           f"{mean_se(lagging['lagging-first-term']['modes_covered'])}",
           f"(HQ share {lagging['lagging-both']['high_quality_fraction']['mean']:.2f} ± "
           f"{lagging['lagging-both']['high_quality_fraction']['se']:.2g} with both terms, against "
           f"{study['runs']['both, K=10']['high_quality_fraction']['mean']:.2f}")


def test_readme_s_summary_of_the_second_gradient(term2):
    _, converged = term2
    quoted(f"both terms covered the ring from K=5 ({converged('both', 5)} of 5 seeds) and the "
           f"first term alone from K=10 ({converged('first-term', 10)} of 5; "
           f"{converged('first-term', 5)} of 5 at K=5)",
           f"(at K=10, {converged('lagging-both', 10)} of 5 with both terms, "
           f"{converged('lagging-first-term', 10)} of 5 with the first alone)",
           text=README, where="README.md")


def test_the_ring_beside_veegan_s_numbers(term2):
    study, _ = term2

    def percents(stat):
        return ", ".join(f"{100 * value:.2g}%" for value in stat["values"])

    cells = {}
    for name, label in (("both, K=5", "ours, K=5"), ("both, K=10", "ours, K=10")):
        modes, hq = study["runs"][name]["modes_covered"], study["runs"][name]["high_quality_fraction"]
        cells[name] = modes, hq
        quoted(f"| {label} | {mean_se(modes)} ({commas(modes['values'])}) | "
               f"{100 * hq['mean']:.2g}% ± {100 * hq['se']:.2g}% ({percents(hq)}) |")
    for name in ("real data", "untrained generator"):
        modes, hq = row(study, name)["modes_covered"], row(study, name)["high_quality_fraction"]
        quoted(f"| {name} | {mean_se(modes)} | {100 * hq['mean']:.2g}% ± {100 * hq['se']:.2g}% |")
    modes, hq = cells["both, K=5"]
    covered = [h for m, h in zip(modes["values"], hq["values"]) if m == 8]
    (other,) = [seed for seed, m in enumerate(modes["values"]) if m < 8]
    assert len(covered) == 4 and min(covered) > 2 * 0.356
    quoted(f"Four of our five K=5 runs cover all 8 modes with {100 * min(covered):.2g}% to "
           f"{100 * max(covered):.2g}% of their samples of high quality",
           f"the fifth (seed {other}) covers {number(modes['values'][other])} mode, with "
           f"{100 * hq['values'][other]:.2g}%")


def test_the_stop_gradient_row_re_run_as_the_first_term_arm(term2):
    study, converged = term2
    (exception,) = [seed for seed, modes in
                    enumerate(study["runs"]["first-term, K=10"]["modes_covered_strict"]["values"])
                    if modes < 8]
    quoted(f"every mode strictly covered at the end on {converged('first-term', 10)} of 5 seeds at "
           f"K=10 (seed {exception} the exception), as in the earlier run, and on "
           f"{converged('first-term', 5)} of 5 at K=5")


def test_the_demo_s_stop_gradient_row():
    first_term = summary("study-demo-no-second-order")["runs"]["10"]
    both = summary("study-demo")["runs"]["10"]
    for run in (first_term, both):
        assert run["modes_covered"]["values"] == [8, 8, 8]
    quoted(f"with {percent(first_term['high_quality_fraction'])} of its samples of high quality "
           f"against {percent(both['high_quality_fraction'])} with both terms")


def test_historical_averaging_did_not_stop_the_collapse():
    runs = {weight: summary(f"study-demo-historical-averaging-{weight}")["runs"]["0"]
            for weight in ("0.1", "0.01")}
    for run in runs.values():
        assert run["nearest_modes_5pct"]["values"] == [2, 2, 2]
        assert max(run["high_quality_fraction"]["values"]) < 0.01
    assert summary("study-demo")["runs"]["10"]["modes_covered"]["values"] == [8, 8, 8]
    changes = [runs[w]["extras"]["top-mode changes (later half)"]["value"] for w in ("0.1", "0.01")]
    alone = summary("study-demo")["runs"]["0"]["extras"]["top-mode changes (later half)"]["value"]
    quoted(f"({percent(runs['0.1']['nearest_top_share'])} with λ = 0.1, "
           f"{percent(runs['0.01']['nearest_top_share'])} with λ = 0.01)",
           f"it changes {changes[0]:.2g} and {changes[1]:.2g} times on average over the later "
           f"half's evaluations (K=0 without the penalty: {alone:.2g})")


def thousands(steps):
    return ", ".join(f"{step:,}" for step in steps)


def test_the_paper_settings_section(term2):
    study, _ = term2
    runs = {k: study["runs"][f"both, K={k}"] for k in (1, 3, 5, 10)}
    from_step = {k: runs[k]["extras"]["all modes from step"]["value"] for k in runs}
    assert None not in from_step[10] and from_step[5][4] is None
    assert all(step is None for k in (1, 3) for step in from_step[k])
    quoted(f"K=10: {thousands(from_step[10])}; K=5: {thousands(from_step[5][:4])}, and never for "
           "seed 4; K=0, K=1 and K=3: never",
           f"from iteration {min(from_step[10]):,} to {max(from_step[10]):,} on",
           f"ends with {percent(runs[10]['high_quality_fraction'])} high-quality samples",
           f"(its fullest mode holds {100 * runs[10]['top_mode_mass']['mean']:.2g}% of them")
    covered = [hq for hq, modes in zip(runs[5]["high_quality_fraction"]["values"],
                                       runs[5]["modes_covered_strict"]["values"]) if modes == 8]
    quoted(f"seeds 0 to 3 cover all 8 modes with {100 * min(covered):.2g}% to "
           f"{100 * max(covered):.2g}% high-quality samples")
    first_term = study["runs"]["first-term, K=10"]["extras"]["all modes from step"]["value"]
    quoted(f"(every mode from iteration {thousands(first_term[:3])} and {first_term[3]:,} on)")
    assert first_term[4] is None


def test_the_paper_settings_k0():
    k0 = summary("study-paper-k0")["runs"]["0"]
    nearest = k0["nearest_top_share"]["values"]
    (spread,) = [seed for seed, share in enumerate(nearest) if share < 0.998]
    assert sorted(k0["modes_covered"]["values"]) == [0, 0, 0, 1, 1]
    assert max(k0["high_quality_fraction"]["values"]) < 0.02
    changes = k0["extras"]["top-mode changes (later half)"]["value"]
    evaluations = k0["per_seed"][0]["history"]
    later = [entry for entry in evaluations if 2 * entry["step"] >= evaluations[-1]["step"]]
    quoted(f"On four seeds of five, 99.8% or more of its samples are nearest one mode at the end "
           f"(seed {spread}: {100 * nearest[spread]:.2g}%)",
           f"The mode changes {changes:.2g} times on average over the later half's {len(later)} "
           "evaluations")


def test_the_stacked_demo_with_the_larger_discriminator():
    half, quarter = summary("study-stacked-demo-d16")["runs"], summary("study-stacked-demo")["runs"]

    def values(runs, k, metric):
        return runs[k][metric]["values"]

    assert min(values(half, "0", "modes_covered")) > max(values(quarter, "0", "modes_covered"))
    assert values(half, "10", "modes_covered") == [1000, 1000]
    fewest = {k: half[k]["extras"]["fewest confident modes during training"]["value"]
              for k in ("0", "10")}
    assert fewest["0"] == [0, 0]
    quoted(f"{commas_and(values(half, '0', 'modes_covered'))} modes, "
           f"{commas_and(values(half, '0', 'confident_modes'))} of them confident, against "
           f"{commas_and(values(quarter, '0', 'modes_covered'))} "
           f"({commas_and(values(quarter, '0', 'confident_modes'))} confident)",
           f"{commas_and(values(half, '10', 'confident_modes'))} of them confidently",
           f"K=10's fewest were {commas_and(fewest['10'])}")


def test_the_lstm_demo_at_k_20():
    k20 = summary("study-lstm-demo-K20")["runs"]["20"]
    k10 = summary("study-lstm-demo")["runs"]["10"]  # seed 0 first

    def seed0(run, metric):
        return run[metric]["values"][0]

    assert seed0(k20, "modes_covered_strict") == seed0(k20, "confident_modes") == 10
    assert seed0(k10, "confident_modes") == 10
    fewest = [run["extras"]["fewest confident classes during training"]["value"][0]
              for run in (k20, k10)]
    assert fewest[0] == fewest[1]
    quoted(f"{100 * seed0(k20, 'pass_share'):.2g}% of its samples passing (K=10: "
           f"{100 * seed0(k10, 'pass_share'):.2g}%), KL to real {seed0(k20, 'kl_to_real'):.3g} "
           f"(K=10: {seed0(k10, 'kl_to_real'):.3g}), diversity {seed0(k20, 'diversity'):.2g} "
           f"(K=10: {seed0(k10, 'diversity'):.2g})",
           f"it had {fewest[0]} confident classes, as K=10 did")
