"""The shape every experiment has (ugan.experiments.base): a subclass of Experiment with its own
models, data, evaluation and figure, presets of its own config class (a TrainingConfig), and
config_from, which refuses what the experiment does not have."""

import dataclasses

import pytest

from ugan.experiments import EXPERIMENTS
from ugan.experiments.base import Experiment, TrainingConfig

HOOKS_WITHOUT_DEFAULT = ("build_models", "sample_real", "evaluate", "figure_through_time")


@pytest.mark.parametrize("name", list(EXPERIMENTS))
def test_each_experiment_offers_the_whole_interface(name):
    experiment = EXPERIMENTS[name]
    assert issubclass(experiment, Experiment) and experiment.name == name
    for hook in HOOKS_WITHOUT_DEFAULT:
        assert getattr(experiment, hook) is not getattr(Experiment, hook), hook
    assert issubclass(experiment.config_class, TrainingConfig)
    assert "demo" in experiment.presets
    assert all(type(config) is experiment.config_class for config in experiment.presets.values())
    assert experiment.curves and experiment.study_columns and experiment.figure_name
    fields = {field.name for field in dataclasses.fields(experiment.config_class)}
    assert {field.name for field in dataclasses.fields(TrainingConfig)} <= fields


@pytest.mark.parametrize("name", list(EXPERIMENTS))
def test_config_from_takes_overrides_ignores_none_and_names_what_is_wrong(name):
    experiment = EXPERIMENTS[name]
    config = experiment.config_from("demo", steps=7, seed=None)
    assert config.steps == 7 and config.seed == experiment.presets["demo"].seed
    with pytest.raises(ValueError, match=rf"{name}: no option colour_of_the_sky"):
        experiment.config_from(colour_of_the_sky=1)
    with pytest.raises(ValueError, match=rf"{name}: preset must be one of .*'sunday'"):
        experiment.config_from("sunday")
