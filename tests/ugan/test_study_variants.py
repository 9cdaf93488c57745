"""A study's variants (``--variant NAME OPTION=VALUE ...``): rows of options beside the Ks, as
the appendix's ablations are run on the ring."""

import json

import pytest

from tiny_runs import TINY
from ugan.__main__ import main
from ugan.experiments.conv import ConvExperiment
from ugan.experiments.mixture import MixtureExperiment
from ugan.jsonfile import read
from ugan.results import format_table
from ugan.study import parse_variant, run_study

STUDY_TINY = {key: value for key, value in TINY.items() if key != "unroll_steps"}


def test_a_variants_values_take_its_options_types():
    name, options = parse_variant(MixtureExperiment, [
        "lag", "g_steps_per_d=5", "second_order=False", "historical_averaging=0.5",
        "unroll_objective=average"])
    assert name == "lag"
    assert options == {"g_steps_per_d": 5, "second_order": False, "historical_averaging": 0.5,
                       "unroll_objective": "average"}
    assert type(options["historical_averaging"]) is float


@pytest.mark.parametrize("words, message", [
    (["../up"], "is a folder name"),
    (["x", "no_such_option=1"], "OPTION one of the mixture options"),
    (["x", "g_steps_per_d"], "expected OPTION=VALUE"),
    (["x", "g_steps_per_d=five"], "g_steps_per_d: expected an integer >= 1, got 'five'"),
    (["x", "g_steps_per_d=0"], "g_steps_per_d: expected an integer >= 1, got '0'"),
    (["x", "second_order=maybe"], "second_order: expected true or false, got 'maybe'"),
])
def test_a_bad_variant_is_refused(words, message):
    with pytest.raises(ValueError, match=message):
        parse_variant(MixtureExperiment, words)


def test_a_study_of_variants_runs_each_over_its_ks_and_tables_them(tmp_path):
    variants = [("full", {}),
                ("sg-average", {"second_order": False, "unroll_objective": "average"}),
                ("ensemble", {"d_ensemble": "last", "ensemble_size": 2, "unroll_steps": 0})]
    summary = run_study("paper", [1, 2], [0], tmp_path, False, "mixture", None, variants,
                        **STUDY_TINY)
    assert list(summary["runs"]) == ["full, K=1", "full, K=2", "sg-average, K=1",
                                     "sg-average, K=2", "ensemble, K=0"]
    assert all(entry["seeds"] == 1 and not entry["failed"] for entry in summary["runs"].values())
    config = read(tmp_path / "sg-average" / "K2-seed0" / "config.json")
    assert (config["unroll_steps"], config["second_order"], config["unroll_objective"]) == \
        (2, False, "average")
    assert read(tmp_path / "ensemble" / "K0-seed0" / "config.json")["d_ensemble"] == "last"
    assert not (tmp_path / "ensemble" / "K1-seed0").exists()
    table = format_table(summary)
    assert table.startswith("| variant, K | seeds |") and "| ensemble, K=0 | 1 |" in table
    assert (tmp_path / "figure1.png").stat().st_size > 0


def test_the_command_line_runs_variants_and_refuses_bad_ones(tmp_path, capsys):
    common = ["study", "mixture", "--preset", "paper", "--steps", "2", "--batch-size", "16",
              "--eval-every", "1", "--ks", "1", "--seeds", "0", "--no-progress"]
    assert main(common + ["--variant", "lag", "g_steps_per_d=2", "--out", str(tmp_path)]) == 0
    assert "| lag, K=1 | 1 |" in capsys.readouterr().out
    assert main(common + ["--variant", "x", "bogus=1", "--out", str(tmp_path / "b")]) == 2
    error = capsys.readouterr().err
    assert error.startswith("error: --variant x: expected OPTION=VALUE") and \
        error.count("\n") == 1


def test_variant_runs_started_as_commands_train_what_the_study_in_this_process_trains(
        tmp_path, capsys):
    """With --jobs, each variant run is a command made from its config, whose flags carry its
    variant's options over the study's; it trains the same run, bit for bit, as the study
    training it in this process."""
    common = ["study", "mixture", "--preset", "paper", "--steps", "2", "--batch-size", "16",
              "--eval-every", "1", "--ks", "1", "--seeds", "0", "--no-progress", "--g-lr", "0.01",
              "--d-lr", "0.01", "--variant", "lag", "g_steps_per_d=2", "g_lr=0.003"]
    assert main(common + ["--print-commands", "--out", str(tmp_path / "a")]) == 0
    (command,) = capsys.readouterr().out.splitlines()
    assert command.startswith("python -m ugan mixture --preset paper --unroll-steps 1 ")
    for flag in ("--g-lr 0.003", "--d-lr 0.01", "--g-steps-per-d 2", "--seed 0"):
        assert f" {flag} " in command
    assert "--g-lr 0.01" not in command
    assert main(common + ["--out", str(tmp_path / "here")]) == 0
    assert main(common + ["--jobs", "2", "--out", str(tmp_path / "jobs")]) == 0
    here, jobs = (tmp_path / "here" / "lag" / "K1-seed0", tmp_path / "jobs" / "lag" / "K1-seed0")
    config = json.loads((jobs / "config.json").read_text())
    assert (config["g_steps_per_d"], config["g_lr"], config["d_lr"]) == (2, 0.003, 0.01)
    assert (here / "metrics.json").read_bytes() == (jobs / "metrics.json").read_bytes()
    assert (here / "config.json").read_bytes() == (jobs / "config.json").read_bytes()


def test_an_option_whose_default_is_none_takes_text():
    assert parse_variant(ConvExperiment, ["cifar", "data_dir=/data/cifar"]) == \
        ("cifar", {"data_dir": "/data/cifar"})


def _variant_row(name, k, converged, seeds=5, **config):
    """A row of a variant study's summary, as summary_of writes it, for study_findings."""
    base = dict(unroll_steps=k, seed=0, second_order=True, g_steps_per_d=1,
                unroll_objective="final")
    return (f"{name}, K={k}", {"seeds": seeds, "per_seed": [{"config": {**base, **config}}],
                               "extras": {"seeds with all modes": {"value": converged}}})


def test_the_term_2_finding_names_the_smallest_k_that_converges_on_4_of_5_seeds():
    rows = dict([_variant_row("both", 1, 0), _variant_row("both", 3, 4),
                 _variant_row("both", 5, 5),
                 _variant_row("first-term", 1, 0, second_order=False),
                 _variant_row("first-term", 3, 3, second_order=False),
                 _variant_row("first-term", 5, 5, second_order=False),
                 _variant_row("lag", 1, 4, g_steps_per_d=5),
                 _variant_row("lag", 3, 5, g_steps_per_d=5),
                 _variant_row("lag-first", 1, 4, g_steps_per_d=5, second_order=False),
                 _variant_row("lag-first", 3, 5, g_steps_per_d=5, second_order=False),
                 _variant_row("avg", 1, 5, second_order=False, unroll_objective="average")])
    findings = MixtureExperiment.study_findings({"runs": rows})
    assert findings == [
        "With one generator step per discriminator step, both terms (both) converge from K=3 "
        "and the first term alone (first-term) from K=5 (converged: all modes covered strictly "
        "at the end on at least 80% of the seeds): on these runs the second term lets unrolling "
        "converge with fewer steps.",
        "With 5 generator steps per discriminator step (a lagging discriminator), both terms "
        "(lag) converge from K=1 and the first term alone (lag-first) from K=1 (converged: all "
        "modes covered strictly at the end on at least 80% of the seeds): on these runs the "
        "second term does not let unrolling converge with fewer steps."]


def test_a_study_prints_its_findings_under_its_table(tmp_path):
    variants = [("both", {}), ("first-term", {"second_order": False})]
    summary = run_study("paper", [1], [0], tmp_path, False, "mixture", None, variants,
                        **STUDY_TINY)
    assert len(summary["findings"]) == 1 and "at no K up to 1" in summary["findings"][0]
    assert format_table(summary).endswith("\n\n" + summary["findings"][0])
