"""What the run machinery does with bad input and failures (issue 15): arguments refused at parse
time, data and OS errors as one line, divergence, re-runs of finished runs, a history that agrees
with the checkpoint, standard JSON, and runs SIGKILLed at random moments."""

import pytest

from ugan.__main__ import main

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
