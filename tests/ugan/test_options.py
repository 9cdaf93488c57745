"""The options of a run are declared once, as config fields (``ugan.options``): adding one is
one line, and it is on its experiment's command line, in its study's commands and in its
checkpoint."""

import shlex
from dataclasses import dataclass

import pytest

from tiny_runs import TINY
from ugan.__main__ import main
from ugan.checkpoint import load_checkpoint
from ugan.experiments import EXPERIMENTS
from ugan.experiments.mixture import MixtureConfig, MixtureExperiment
from ugan.jsonfile import read
from ugan.options import option
from ugan.train import CHECKPOINT_NAME


@dataclass(frozen=True)
class ThrowawayConfig(MixtureConfig):
    warmup: int = option(0, "iterations of warm-up that nothing reads", at_least=0)


class ThrowawayExperiment(MixtureExperiment):
    name = "throwaway"
    config_class = ThrowawayConfig
    presets = {"demo": ThrowawayConfig(**TINY)}


@pytest.fixture
def throwaway(monkeypatch):
    monkeypatch.setitem(EXPERIMENTS, "throwaway", ThrowawayExperiment)


@pytest.mark.usefixtures("throwaway")
def test_a_field_added_in_one_line_is_a_flag_a_study_option_and_in_the_checkpoint(tmp_path,
                                                                                   capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["throwaway", "--help"])
    assert exit_info.value.code == 0
    help_text = " ".join(capsys.readouterr().out.split())
    assert "--warmup WARMUP iterations of warm-up that nothing reads (default: 0)" in help_text

    assert main(["study", "throwaway", "--ks", "1", "--seeds", "0", "--warmup", "3",
                 "--print-commands", "--out", str(tmp_path / "study")]) == 0
    (command,) = capsys.readouterr().out.splitlines()
    assert "--warmup 3" in command

    args = shlex.split(command)[3:]  # what the study's run would run: python -m ugan ...
    assert main([*args, "--no-progress"]) == 0
    run = tmp_path / "study" / "K1-seed0"
    assert load_checkpoint(run / CHECKPOINT_NAME)[1]["config"]["warmup"] == 3
    assert read(run / "config.json")["warmup"] == 3


@pytest.mark.usefixtures("throwaway")
def test_a_value_the_field_does_not_take_is_refused_by_its_flag_and_its_config(capsys):
    with pytest.raises(SystemExit):
        main(["throwaway", "--warmup", "-1"])
    assert "argument --warmup: expected an integer >= 0, got '-1'" in capsys.readouterr().err
    with pytest.raises(ValueError, match=r"ThrowawayConfig: warmup \(--warmup\) takes an integer "
                                         r">= 0, got -1"):
        ThrowawayExperiment.config_from(warmup=-1)
