"""One module per experiment of the paper; ``EXPERIMENTS`` maps command-line names to them.

Each module has a frozen config dataclass, ``PRESETS``, ``config_from(preset, **overrides)``,
``Experiment`` (models, data, evaluation and figures for ``ugan.train.GANTrainer``) and
``STUDY_COLUMNS`` for ``ugan.study``; the first line of its docstring is its ``--help`` entry."""

from ugan.experiments import colour, conv, lstm, mixture, stacked

EXPERIMENTS = {"mixture": mixture, "lstm": lstm, "stacked": stacked, "colour": colour,
               "conv": conv}
