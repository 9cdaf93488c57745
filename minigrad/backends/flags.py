"""PyTorch's ``torch.backends`` flags as minigrad answers them: each reads back what it was set
to (minigrad's own behaviour until then), and setting one to a value minigrad does not honour
warns, saying what minigrad does instead, rather than being accepted in silence."""

import types
import warnings


class Flag:
    """A boolean setting of a flags module or object. ``default()`` is minigrad's behaviour;
    ``honoured(value)`` says whether minigrad behaves as ``value`` asks; ``reason`` is what the
    warning says when it does not."""

    def __init__(self, default, honoured, reason):
        self.default, self.honoured, self.reason = default, honoured, reason

    def __set_name__(self, owner, name):
        self.name = name

    def __get__(self, flags, owner=None):
        if flags is None:
            return self
        return flags.__dict__.get("_set_" + self.name, self.default())

    def __set__(self, flags, value):
        if not isinstance(value, bool):
            raise TypeError(f"{flags.__name__}.{self.name}: expected True or False, got "
                            f"{value!r}")
        if not self.honoured(value):
            warnings.warn(f"{flags.__name__}.{self.name} = {value} is not honoured by minigrad: "
                          f"{self.reason}", stacklevel=3)
        flags.__dict__["_set_" + self.name] = value


class Flags:
    """What flag holders share: assigning a name that is not one of their flags (a misspelt
    ``benchmrk``) is refused, where a Python module would take it silently."""

    def __setattr__(self, name, value):
        flags = sorted(key for key, entry in vars(type(self)).items() if isinstance(entry, Flag))
        if name not in flags:
            raise AttributeError(f"{self.__name__} has no flag {name!r}; its flags are {flags}")
        super().__setattr__(name, value)


class FlagModule(Flags, types.ModuleType):
    """A module whose flags are :class:`Flag` s: a flags module ends with
    ``sys.modules[__name__].__class__ = ItsFlagModule`` (a module's class may be changed to a
    subclass of ``types.ModuleType``), so ``cudnn.benchmark = True`` goes through the flag."""
