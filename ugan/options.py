"""The options of a run, declared once: each is a field of its experiment's config dataclass
(``ugan.experiments.base.TrainingConfig`` and its subclasses), made with :func:`option`, whose
metadata says what the option means and which values it takes. The rest is derived from the
fields:

- the command line's flags (:func:`add_flags`): one per field, ``--batch-size`` for
  ``batch_size``, converted by the field's annotation (``int``, ``float``, ``bool``, ``str``,
  ``str | None``), its help from the metadata and from the presets' values;
- the checks of a config (:func:`check_config`, which ``TrainingConfig.__post_init__`` runs),
  whose errors name the option, the value and what it takes; the flags check each value with
  the same test as soon as it is read;
- ``OPTION=VALUE`` words (a study's ``--variant``), read by the flags' converters
  (:func:`parse_assignments`);
- the flags that make a config from its preset (:func:`flags_of`): the command of a study's
  run.

A subclass that only changes an option's default declares it again with a plain default
(``steps: int = 3000``); what the option means is then found in the class that declared it
with :func:`option`.
"""

import argparse
import dataclasses
import functools
import math
import typing

TRUTH = {"true": True, "false": False}


def option(default, help, *, at_least=None, above=None, below=None, choices=None, short=None,
           metavar=None):
    """A config field: its ``default`` and ``help``, and the values it takes: numbers
    ``>= at_least``, ``> above`` and ``< below``, or one of ``choices``. ``short`` is a one-letter
    flag besides the long one (``-K``); ``metavar`` names the value in the help."""
    return dataclasses.field(default=default, metadata={
        "help": help, "at_least": at_least, "above": above, "below": below, "choices": choices,
        "short": short, "metavar": metavar})


@dataclasses.dataclass(frozen=True)
class Option:
    """One option of a config class, as :func:`options_of` reads it from the class."""

    name: str
    kind: type  # int, float, bool or str
    optional: bool  # whether None is a value (an option that is unset by default)
    help: str
    at_least: float | None
    above: float | None
    below: float | None
    choices: tuple | None
    short: str | None
    metavar: str | None

    @property
    def flag(self):
        return "--" + self.name.replace("_", "-")

    @property
    def expected(self):
        """What the option takes, in words."""
        if self.choices:
            return f"one of {', '.join(self.choices)}"
        if self.kind is bool:
            return "true or false"
        if self.kind is str:
            return "text"
        bounds = [f"{sign} {bound:g}" for sign, bound in
                  ((">=", self.at_least), (">", self.above), ("<", self.below))
                  if bound is not None]
        noun = "an integer" if self.kind is int else "a finite number"
        return " ".join([noun, " and ".join(bounds)]).strip()

    def accepts(self, value):
        if value is None:
            return self.optional
        if self.kind is int or self.kind is float:
            number = type(value) is int or (self.kind is float and type(value) is float)
            return (number and math.isfinite(value)
                    and (self.at_least is None or value >= self.at_least)
                    and (self.above is None or value > self.above)
                    and (self.below is None or value < self.below))
        return type(value) is self.kind and (not self.choices or value in self.choices)

    def parse(self, text):
        """The value that ``text`` (a flag's argument, or the VALUE of OPTION=VALUE) names;
        ValueError saying what the option takes if it names none that it accepts."""
        try:
            value = TRUTH[text.lower()] if self.kind is bool else self.kind(text)
        except (KeyError, ValueError):
            value = None
        if value is None or not self.accepts(value):
            raise ValueError(f"expected {self.expected}, got {text!r}")
        return value

    def words(self, value):
        """The flags that set this option to ``value``."""
        if self.kind is bool:
            return [self.flag if value else f"--no-{self.flag[2:]}"]
        if value is None:
            raise ValueError(f"{self.flag}: the command line cannot unset it")
        return [self.flag, str(value)]


@functools.cache
def options_of(config_class):
    """{name: Option} of every field of ``config_class``, in their order."""
    hints = typing.get_type_hints(config_class)
    return {field.name: _option(config_class, field.name, hints[field.name])
            for field in dataclasses.fields(config_class)}


def _option(config_class, name, annotation):
    declared = next((klass.__dataclass_fields__[name].metadata for klass in config_class.__mro__
                     if name in getattr(klass, "__dataclass_fields__", {})
                     and klass.__dataclass_fields__[name].metadata), None)
    if declared is None:
        raise TypeError(f"{config_class.__name__}.{name}: declare it with ugan.options.option")
    kinds = [kind for kind in typing.get_args(annotation) or (annotation,)
             if kind is not type(None)]
    if len(kinds) != 1 or kinds[0] not in (int, float, bool, str):
        raise TypeError(f"{config_class.__name__}.{name}: an option is an int, float, bool or "
                        f"str (or one of them | None), not {annotation}")
    return Option(name, kinds[0], kinds[0] is not annotation, **declared)


def check_config(config):
    """Raise ValueError, naming the config's class, the option, its value and what it takes,
    for the first option of ``config`` whose value it does not take."""
    for name, spec in options_of(type(config)).items():
        value = getattr(config, name)
        if not spec.accepts(value):
            raise ValueError(f"{type(config).__name__}: {name} ({spec.flag}) takes "
                             f"{spec.expected}, got {value!r}")


def add_flags(parser, experiment, leave_out=()):
    """A flag on ``parser`` for every option of ``experiment``'s config but those of
    ``leave_out``. A flag not given leaves no attribute on the parsed namespace (see
    :func:`given`); its help says the option's value in each of the experiment's presets."""
    for name, spec in options_of(experiment.config_class).items():
        if name in leave_out:
            continue
        former = [f"--{old.replace('_', '-')}" for old, new in
                  experiment.config_class.renamed.items() if new == name]
        strings = [*([spec.short] if spec.short else []), spec.flag, *former]
        text = f"{spec.help} ({_preset_values(experiment, name)})".replace("%", "%%")
        if spec.kind is bool:
            parser.add_argument(*strings, action=argparse.BooleanOptionalAction,
                                default=argparse.SUPPRESS, help=text)
        else:
            parser.add_argument(*strings, type=_converter(spec), default=argparse.SUPPRESS,
                                metavar=spec.metavar or _choices(spec) or spec.name.upper(),
                                help=text)


def _choices(spec):
    return spec.choices and "{" + ",".join(spec.choices) + "}"


def _converter(spec):
    """An argparse ``type`` that reads the option's value, with a usage error naming what it
    takes."""
    def convert(text):
        try:
            return spec.parse(text)
        except ValueError as error:
            raise argparse.ArgumentTypeError(str(error)) from None
    convert.__name__ = spec.kind.__name__  # argparse names it in its own errors
    return convert


def _preset_values(experiment, name):
    """The option's value in each preset, in words: "default: 3000", or "demo: 3000, paper:
    50000" where they differ."""
    values = {preset: getattr(config, name) for preset, config in experiment.presets.items()}
    if len(set(map(repr, values.values()))) == 1:
        return f"default: {values['demo']}"
    return ", ".join(f"{preset}: {value}" for preset, value in values.items())


def given(namespace, experiment):
    """{option: value} of the options of ``experiment`` given on the command line parsed into
    ``namespace``."""
    return {name: getattr(namespace, name) for name in options_of(experiment.config_class)
            if hasattr(namespace, name)}


def parse_assignments(experiment, words, flag):
    """{option: value} from ``OPTION=VALUE`` words, each option one of ``experiment``'s, read as
    its flag reads it. ValueError, whose message starts with ``flag``, for a bad one."""
    specs = options_of(experiment.config_class)
    options = {}
    for word in words:
        name, equals, text = word.partition("=")
        if not equals or name not in specs:
            raise ValueError(f"{flag}: expected OPTION=VALUE with OPTION one of the "
                             f"{experiment.name} options {sorted(specs)}, got {word!r}")
        try:
            options[name] = specs[name].parse(text)
        except ValueError as error:
            raise ValueError(f"{flag}: {name}: {error}") from None
    return options


def flags_of(config, preset_config, always=()):
    """The flags that make ``config`` from ``preset_config`` (the preset it was made from): one
    for each option whose value differs, and for those of ``always``."""
    words = []
    for name, spec in options_of(type(config)).items():
        value = getattr(config, name)
        if name in always or value != getattr(preset_config, name):
            words += spec.words(value)
    return words
