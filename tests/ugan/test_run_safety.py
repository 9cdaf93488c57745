"""What the run machinery does with bad input and failures (issue 15): arguments refused at parse
time, data and OS errors as one line, divergence, re-runs of finished runs, a history that agrees
with the checkpoint, standard JSON, and runs SIGKILLed at random moments."""

import json

import numpy as np
import pytest

from tiny_runs import train
from ugan import jsonfile
from ugan.__main__ import main
from ugan.train import read_history

BAD_ARGUMENTS = [["mixture", "--steps", "-5"], ["mixture", "--steps", "0"],
                 ["mixture", "--unroll-steps", "-1"], ["mixture", "--eval-every", "-1"],
                 ["mixture", "--eval-every", "0"], ["mixture", "--lr", "-1"],
                 ["mixture", "--lr", "nan"], ["mixture", "--lr", "inf"],
                 ["mixture", "--batch-size", "0"], ["conv", "--g-width", "0"],
                 ["lstm", "--d-width", "-2"], ["mixture", "--seed", "-1"],
                 ["mixture", "--historical-averaging", "-0.1"], ["mixture", "--steps", "1.5"],
                 ["study", "--ks", "0", "-1"], ["study", "--seeds", "x"]]


@pytest.mark.parametrize("argv", BAD_ARGUMENTS, ids=" ".join)
def test_bad_arguments_are_refused_at_parse_time(argv, tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main([*argv, "--out", str(tmp_path / "run")])
    assert exit_info.value.code == 2
    option = next(word for word in argv if word.startswith("--"))
    error = capsys.readouterr().err
    assert f"argument {option}" in error and ": expected " in error
    assert not (tmp_path / "run").exists()


def strict_json(text):
    """json.loads refusing Infinity and NaN, as JavaScript's JSON.parse does."""
    def refuse(constant):
        raise ValueError(f"{constant} is not JSON")
    return json.loads(text, parse_constant=refuse)


def test_files_hold_standard_json_and_read_back_infinities(tmp_path):
    history = train(tmp_path, steps=2, init_gain=1000.0)  # every sample far from every mode
    assert history[-1]["reverse_kl"] == float("inf")
    lines = (tmp_path / "metrics.jsonl").read_text().splitlines()
    records = [strict_json(line) for line in lines]
    assert records[-1]["reverse_kl"] is None
    assert records[-1]["non_finite"] == {"reverse_kl": "inf"}
    assert strict_json((tmp_path / "metrics.json").read_text())["final"]["reverse_kl"] is None
    assert read_history(tmp_path) == history


def test_a_nan_round_trips_through_jsonfile(tmp_path):
    jsonfile.write(tmp_path / "x.json", {"a": [{"b": float("nan"), "c": -float("inf")}]})
    back = jsonfile.read(tmp_path / "x.json")["a"][0]
    assert np.isnan(back["b"]) and back["c"] == -float("inf")
    strict_json((tmp_path / "x.json").read_text())
