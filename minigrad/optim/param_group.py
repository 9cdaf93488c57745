"""Parameter groups, PyTorch's ``optimizer.param_groups``: parameters that share one set of
hyperparameters, each group with its own."""

from collections.abc import MutableMapping


def check_hyperparameters(optimizer_name, hyperparameters):
    """Refuse, as PyTorch does, a setting no step can use: lr, eps, weight_decay, momentum or
    alpha below 0 or nan (``not value >= 0`` is true for both), or a beta outside [0, 1)."""
    for key in ("lr", "eps", "weight_decay", "momentum", "alpha"):
        value = hyperparameters.get(key, 0.0)
        if not value >= 0:
            raise ValueError(f"{optimizer_name}: invalid {key}: {value} (expected a number >= 0)")
    for index, beta in enumerate(hyperparameters.get("betas", ())):
        if not 0 <= beta < 1:
            raise ValueError(f"{optimizer_name}: invalid beta parameter at index {index}: {beta} "
                             "(expected 0 <= beta < 1)")


class ParamGroup(MutableMapping):
    """One group: ``group["params"]`` (also ``group.params``) its parameters, ``group[name]`` one
    of its hyperparameters (all of them: ``group.hyperparameters``, a dict), read and written
    through, as PyTorch's group dicts. Setting a name the optimizer has no use for, or a value
    it would refuse, raises instead of being ignored; the parameters cannot be replaced."""

    def __init__(self, optimizer, params, hyperparameters):
        self._optimizer, self.params, self.hyperparameters = optimizer, params, hyperparameters

    def __getitem__(self, key):
        return self.params if key == "params" else self.hyperparameters[key]

    def __setitem__(self, key, value):
        name = type(self._optimizer).__name__
        if key == "params" or key not in self._optimizer.defaults:
            raise KeyError(f"param_groups: {key!r} cannot be set; the hyperparameters of {name} "
                           f"are {sorted(self._optimizer.defaults)}")
        value = tuple(value) if isinstance(value, list) else value
        check_hyperparameters(name, {**self.hyperparameters, key: value})
        self.hyperparameters[key] = value

    def __delitem__(self, key):
        raise KeyError(f"param_groups: {key!r} cannot be removed from a parameter group")

    def __iter__(self):
        yield "params"
        yield from self.hyperparameters

    def __len__(self):
        return 1 + len(self.hyperparameters)

    def __repr__(self):
        return repr(dict(self))
