"""One module per experiment of the paper; ``EXPERIMENTS`` maps command-line names to their
classes.

Each module holds a config dataclass (a ``base.TrainingConfig``) and an ``Experiment`` subclass
(``base.Experiment``: presets, models, data, evaluation, figures, a study's columns); the first
paragraph of its docstring is its ``--help`` entry."""

from ugan.experiments.colour import ColourExperiment
from ugan.experiments.conv import ConvExperiment
from ugan.experiments.lstm import LSTMExperiment
from ugan.experiments.mixture import MixtureExperiment
from ugan.experiments.stacked import StackedExperiment

EXPERIMENTS = {experiment.name: experiment
               for experiment in (MixtureExperiment, LSTMExperiment, StackedExperiment,
                                  ColourExperiment, ConvExperiment)}
