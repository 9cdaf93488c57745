"""A study's numbers over seeds (ugan.results), what summary.json keeps, and the tables of
docs/reproduction.md re-made from docs/results/ (docs/make_tables.py)."""

import copy
import importlib.util
import math
from pathlib import Path

import pytest

from ugan import jsonfile
from ugan.results import cell, format_convergence, format_table, number, over_seeds, row_entry
from ugan.study import _seed_mean, run_study

ROOT = Path(__file__).resolve().parents[2]
TINY = dict(steps=4, eval_every=2, checkpoint_every=2, batch_size=16, eval_samples=200)


def make_tables():
    spec = importlib.util.spec_from_file_location("make_tables", ROOT / "docs" / "make_tables.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_spread_is_the_standard_error_with_n_minus_1():
    stat = over_seeds([1.0, 2.0, 6.0])
    assert stat["mean"] == 3.0
    # s^2 = (4 + 1 + 9) / 2 = 7, se = sqrt(7 / 3); the population formula would give sqrt(14/9)
    assert stat["se"] == pytest.approx(math.sqrt(7 / 3))
    assert cell(stat) == "3 ± 1.5 (1, 2, 6)"


def test_whole_numbers_are_written_in_full():
    assert cell(over_seeds([1000, 998])) == "999 ± 1 (1000, 998)"
    assert number(1000.0) == "1000" and number(0.000123456) == "0.000123"


def test_one_seed_has_no_error_and_a_non_finite_value_no_mean():
    assert over_seeds([0.25]) == {"values": [0.25], "mean": 0.25, "se": None}
    assert cell(over_seeds([0.25])) == "0.25"
    stat = over_seeds([1.0, math.inf])
    assert stat["mean"] is None and stat["se"] is None
    assert cell(stat) == "(1, inf)"


def test_a_metric_that_a_seed_lacks_leaves_its_cell_empty():
    entry = row_entry([{"a": 1.0, "b": 2.0}, {"a": 3.0}], [("a", "A"), ("b", "B")])
    assert entry["a"]["values"] == [1.0, 3.0] and "b" not in entry


def test_non_finite_values_in_lists_survive_json():
    data = {"values": [1.0, math.inf, -math.inf], "nested": [[math.nan]], "kl": math.inf}
    back = jsonfile.loads(jsonfile.dumps(data))
    assert back["values"] == [1.0, math.inf, -math.inf] and back["kl"] == math.inf
    assert math.isnan(back["nested"][0][0])


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    out = tmp_path_factory.mktemp("study")
    return out, run_study("paper", [0, 1], [0, 1], out, False, "mixture", **TINY)


def test_a_study_keeps_every_seed_its_config_and_history_and_the_code_revision(study):
    out, summary = study
    assert summary["preset"] == "paper" and summary["seeds"] == [0, 1]
    assert summary["revision"] is None or len(summary["revision"].split()[0]) == 40
    per_seed = summary["runs"]["1"]["per_seed"]
    assert [entry["seed"] for entry in per_seed] == [0, 1]
    for entry in per_seed:
        run = out / f"K1-seed{entry['seed']}"
        assert entry["config"] == jsonfile.read(run / "config.json")
        assert entry["metrics"] == jsonfile.read(run / "metrics.json")
        assert [r["step"] for r in entry["history"]] == [0, 2, 4]
    values = [entry["metrics"]["final"]["high_quality_fraction"] for entry in per_seed]
    assert summary["runs"]["1"]["high_quality_fraction"]["values"] == values
    assert jsonfile.read(out / "summary.json") == summary


def test_the_study_tables_real_data_and_the_untrained_generator_first(study):
    out, summary = study
    real, untrained = summary["baselines"]["real data"], summary["baselines"]["untrained generator"]
    assert real["modes_covered_strict"]["values"] == [8, 8]  # real data fills the ring
    steps_0 = [entry["history"][0] for entry in summary["runs"]["0"]["per_seed"]]
    assert untrained["high_quality_fraction"]["values"] == [r["high_quality_fraction"]
                                                              for r in steps_0]
    lines = format_table(summary).splitlines()
    assert lines[2].startswith("| real data | 2 | 8 ± 0 (8, 8) |")
    assert lines[3].startswith("| untrained generator | 2 |")
    assert [line.split(" | ")[0] for line in lines[4:]] == ["| 0", "| 1"]


def test_real_data_is_kept_and_recomputed_only_when_the_options_change(study, monkeypatch):
    out, summary = study
    kept = jsonfile.read(out / "real-data.json")
    assert set(kept["seeds"]) == {"0", "1"}
    from ugan.experiments.mixture import MixtureExperiment

    def refuse(self, seed):
        raise AssertionError("real data scored again")

    monkeypatch.setattr(MixtureExperiment, "real_data_metrics", refuse)
    again = run_study("paper", [0, 1], [0, 1], out, False, "mixture", **TINY)
    assert again["baselines"] == summary["baselines"]


def doc_beside_summary(tmp_path, summary, text):
    """A document ``text`` at tmp_path/doc.md, with ``summary`` kept as results/tiny.json."""
    (tmp_path / "results").mkdir()
    jsonfile.write(tmp_path / "results" / "tiny.json", summary)
    doc = tmp_path / "doc.md"
    doc.write_text(text)
    return doc


def test_make_tables_remakes_a_block_from_its_summary_and_check_finds_a_stale_one(study, tmp_path):
    out, summary = study
    doc = doc_beside_summary(tmp_path, summary, "text\n<!-- table: results/tiny.json -->\n"
                             "| old |\n<!-- end of table -->\nend\n")
    tables = make_tables()
    assert tables.main(["--check", "--doc", str(doc)]) == 1
    assert tables.main(["--doc", str(doc)]) == 0
    assert doc.read_text() == ("text\n<!-- table: results/tiny.json -->\n" + format_table(summary)
                               + "\n<!-- end of table -->\nend\n")
    assert tables.main(["--check", "--doc", str(doc)]) == 0


def test_format_convergence_lists_each_seeds_step_in_seed_order_and_never_for_none(study):
    _, summary = study
    seeds = {k: [record["metrics"]["all_modes_from_step"] for record in entry["per_seed"]]
             for k, entry in summary["runs"].items()}
    lines = format_convergence(summary).split("\n")
    assert lines[:2] == ["| K | all modes from iteration, per seed |", "| --- | --- |"]
    assert len(lines) == 2 + len(seeds)
    for line, (k, steps) in zip(lines[2:], seeds.items()):
        assert line == f"| {k} | " + ", ".join("never" if s is None else f"{s:,}"
                                               for s in steps) + " |"
    summary = copy.deepcopy(summary)  # the fixture's is shared
    entry = next(iter(summary["runs"].values()))
    entry["per_seed"][0]["metrics"]["all_modes_from_step"] = 12000
    entry["per_seed"][1]["metrics"]["all_modes_from_step"] = None
    assert format_convergence(summary).split("\n")[2].endswith("| 12,000, never |")


def test_a_convergence_block_is_remade_from_its_summary(study, tmp_path):
    _, summary = study
    doc = doc_beside_summary(tmp_path, summary, "<!-- table: results/tiny.json convergence -->\n"
                             "<!-- end of table -->\n")
    assert make_tables().main(["--doc", str(doc)]) == 0
    assert doc.read_text() == ("<!-- table: results/tiny.json convergence -->\n"
                               + format_convergence(summary) + "\n<!-- end of table -->\n")


def test_the_tables_of_reproduction_md_equal_what_their_summaries_make():
    assert make_tables().main(["--check"]) == 0


def test_a_table_block_naming_a_missing_summary_is_an_error(tmp_path, capsys):
    doc = tmp_path / "doc.md"
    doc.write_text("<!-- table: results/none.json -->\n<!-- end of table -->\n")
    assert make_tables().main(["--check", "--doc", str(doc)]) == 2
    assert "results/none.json" in capsys.readouterr().err



def test_the_curves_of_a_study_average_the_steps_every_seed_evaluated():
    """A seed whose run was continued to more steps also holds its former end's record (step 3
    here): the averaged curve skips it rather than pairing it with another seed's step 4."""
    plain = [{"step": 0, "loss": 1.0}, {"step": 4, "loss": 3.0}]
    extended = [{"step": 0, "loss": 2.0}, {"step": 3, "loss": 9.0}, {"step": 4, "loss": 5.0}]
    assert _seed_mean([plain, extended], ["loss"]) == [{"step": 0, "loss": 1.5},
                                                       {"step": 4, "loss": 4.0}]
