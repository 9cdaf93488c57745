"""What every optimizer shares: its parameter groups (each with its hyperparameters),
per-parameter state, and saving/restoring that state."""

from collections.abc import Mapping

import numpy as np

from .. import backend
from ..tensor import Tensor
from .param_group import ParamGroup, check_hyperparameters


def with_weight_decay(param, hyperparameters):
    """param.grad + weight_decay * param (PyTorch's L2 penalty), or param.grad itself when the
    hyperparameters have no weight_decay."""
    decay = hyperparameters.get("weight_decay")
    return param.grad if not decay else param.grad + decay * param.detach()


class Optimizer:
    """What every optimizer shares. ``params`` is an iterable of tensors (one group), or of dicts
    as PyTorch's, ``{"params": [...], "lr": 0.1}``, each a group with its own hyperparameters;
    the constructor's keyword arguments are the ``defaults`` that fill what a group leaves out.
    A hyperparameter named in ``dropped_when_zero`` is kept in a group only when it is not 0, so
    that the state dicts of optimizers without weight decay stay as they were."""

    tensor_state_keys = ()  # the state entries that are tensors shaped like the parameter
    count_keys = ()  # the state entries that are counts kept as float64 0-d tensors (step)
    nonnegative_state_keys = ()  # the tensor entries that are running means of squares
    dropped_when_zero = ("weight_decay",)
    # PyTorch's group settings that minigrad's optimizers do not have, and the values with which
    # PyTorch's step is minigrad's: a PyTorch state dict that holds them loads
    pytorch_only = {"maximize": (False,), "foreach": (None, False), "fused": (None, False),
                    "capturable": (False,), "differentiable": (False,)}

    def __init__(self, params, **defaults):
        self.defaults, self.param_groups, self.state = defaults, [], {}
        self._group_of = {}  # id(parameter) -> its ParamGroup
        if isinstance(params, Tensor):
            raise TypeError(f"{type(self).__name__}: params must be an iterable of tensors or of "
                            f"dicts (parameter groups), got one tensor of shape {params.shape}")
        params = list(params)
        if not params:
            raise ValueError(f"{type(self).__name__}: got an empty list of parameters")
        for group in params if isinstance(params[0], Mapping) else [{"params": params}]:
            self.add_param_group(group)

    def add_param_group(self, param_group):
        """Add a group, PyTorch's: a dict with "params" (a tensor or an iterable of tensors) and
        any of this optimizer's hyperparameters; the others are taken from ``defaults``."""
        name, index = type(self).__name__, len(self.param_groups)
        if not isinstance(param_group, Mapping) or "params" not in param_group:
            raise TypeError(f"{name}: parameter group {index} must be a dict with a 'params' "
                            f"entry, got {type(param_group).__name__}")
        params = param_group["params"]
        params = [params] if isinstance(params, Tensor) else list(params)
        if not params:
            raise ValueError(f"{name}: parameter group {index} has no parameters")
        seen = set(self._group_of)
        for position, p in enumerate(params, start=len(self.params)):
            if not isinstance(p, Tensor) or not p.requires_grad or not p.is_leaf:
                raise ValueError(f"{name}: parameter {position} must be a leaf tensor that "
                                 "requires grad")
            if id(p) in seen:
                raise ValueError(f"{name}: parameter {position} appears twice (in one group "
                                 "or in two): each parameter belongs to one group")
            seen.add(id(p))
        group = ParamGroup(self, params, self._settings(param_group, f"parameter group {index}"))
        self.param_groups.append(group)
        self._group_of.update((id(p), group) for p in params)

    def _settings(self, given, where):
        """The hyperparameters of a group given as ``given`` (a dict; its "params" ignored): the
        defaults updated with it, a list (betas) as a tuple, checked."""
        name = type(self).__name__
        for key, values in self.pytorch_only.items():
            if key in given and given[key] not in values:
                raise ValueError(f"{name}: {where} sets PyTorch's {key}={given[key]!r}; "
                                 f"minigrad's {name} steps as {key}={values[0]!r} only")
        unknown = sorted(set(given) - {"params"} - set(self.defaults) - set(self.pytorch_only))
        if unknown:
            raise ValueError(f"{name}: {where} sets {unknown}, which {name} has no use for; its "
                             f"hyperparameters are {sorted(self.defaults)}")
        settings = {key: tuple(value) if isinstance(value, list) else value
                    for key, value in {**self.defaults, **given}.items()
                    if key != "params" and key not in self.pytorch_only
                    and not (key in self.dropped_when_zero and value == 0)}
        check_hyperparameters(name, settings)
        return settings

    @property
    def params(self):
        """Every parameter, group after group (the numbering of ``state_dict``)."""
        return [p for group in self.param_groups for p in group.params]

    def _only_group(self, asked):
        """The one parameter group; with several there is no one answer to ``asked``."""
        if len(self.param_groups) != 1:
            raise ValueError(f"{type(self).__name__}.{asked}: this optimizer has "
                             f"{len(self.param_groups)} parameter groups, each with its own "
                             "hyperparameters; read or set them in optimizer.param_groups[i]")
        return self.param_groups[0]

    @property
    def hyperparameters(self):
        """The hyperparameters of the one parameter group (a dict, read and written through).
        With several groups there is no one set: this raises, pointing to ``param_groups``."""
        return self._only_group("hyperparameters").hyperparameters

    @property
    def lr(self):
        return self._only_group("lr")["lr"]

    @lr.setter
    def lr(self, value):
        self._only_group("lr")["lr"] = value

    def hyperparameters_of(self, param):
        """The hyperparameters of ``param``'s group."""
        group = self._group_of.get(id(param))
        if group is None:
            raise KeyError(f"{type(self).__name__}: the {param.dtype} parameter of shape "
                           f"{param.shape} is not one of this optimizer's")
        return group.hyperparameters

    def params_with_grads(self):
        """(parameter, its group's hyperparameters) for each parameter that has a gradient."""
        for group in self.param_groups:
            for param in group.params:
                if param.grad is not None:
                    yield param, group.hyperparameters

    def state_of(self, param):
        """This parameter's state, created on first use."""
        if param not in self.state:
            self.state[param] = self._init_state(param)
        return self.state[param]

    def zero_grad(self):
        for p in self.params:
            p.grad = None

    # -- the state protocol (minigrad.compile.state): compile and checkpoints -------------
    def state_tensors(self, gradients=False):
        """The tensor entries of every parameter's state, counts included, as "position/key"
        (an optimizer owns no gradients: ``gradients`` changes nothing)."""
        return {f"{position}/{key}": value
                for position, p in enumerate(self.params) if p in self.state
                for key, value in self.state[p].items()
                if value is None or isinstance(value, Tensor)}

    def initial_state_tensors(self):
        """What ``state_tensors`` gives once every parameter has taken a step, with the values
        of before the first step: the names, shapes and dtypes of a full state."""
        return {f"{position}/{key}": value
                for position, p in enumerate(self.params)
                for key, value in self._init_state(p).items()
                if value is None or isinstance(value, Tensor)}

    def load_state_tensors(self, arrays):
        for name, array in arrays.items():
            position, key = name.split("/")
            entries = self.state.setdefault(self.params[int(position)], {})
            entries[key] = None if array is None else Tensor(array)

    def state_key(self):
        """The hyperparameters, and any state entry that is a Python value (baked in)."""
        plain = tuple((position, key, value)
                      for position, p in enumerate(self.params) if p in self.state
                      for key, value in self.state[p].items()
                      if not (value is None or isinstance(value, Tensor)))
        settings = tuple(tuple(sorted(g.hyperparameters.items())) for g in self.param_groups)
        return (type(self).__name__, settings, plain)

    def state_dict(self):
        """PyTorch's layout, ``{"state": {index: {key: value}}, "param_groups": [{**hyperparameters,
        "params": [indices]}]}``, the indices numbering the parameters group after group; the
        values are numpy arrays and plain numbers, so that it can be saved without pickling."""
        state = {position: {key: self._plain(key, value) for key, value in self.state[p].items()}
                 for position, p in enumerate(self.params) if p in self.state}
        groups, start = [], 0
        for group in self.param_groups:
            groups.append({**group.hyperparameters,
                           "params": list(range(start, start + len(group.params)))})
            start += len(group.params)
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict):
        """Take the hyperparameters of each saved group and the state of each saved parameter,
        matched to this optimizer's by their order (as PyTorch's)."""
        name, saved_groups = type(self).__name__, state_dict["param_groups"]
        sizes = [len(group.params) for group in self.param_groups]
        saved_sizes = [len(group["params"]) for group in saved_groups]
        if saved_sizes != sizes:
            raise ValueError(f"{name}.load_state_dict: the state dict's parameter groups hold "
                             f"{saved_sizes} parameters; this optimizer's hold {sizes}")
        settings = [self._settings(saved, f"load_state_dict: parameter group {index}")
                    for index, saved in enumerate(saved_groups)]
        params = dict(zip((i for group in saved_groups for i in group["params"]), self.params))
        state = {}
        for position, entries in state_dict["state"].items():
            param = params.get(int(position))
            if param is None:
                raise KeyError(f"{name}.load_state_dict: state for parameter {position}, but the "
                               f"parameter groups hold parameters {sorted(params)}")
            state[param] = {key: self._restore(key, value, param, position)
                            for key, value in entries.items()}
        for group, hyperparameters in zip(self.param_groups, settings):
            group.hyperparameters.clear()
            group.hyperparameters.update(hyperparameters)
        self.state = state

    def _plain(self, key, value):
        """A state entry as a numpy array (tensors) or a Python number (counts)."""
        if key in self.count_keys:
            return int(value.item())
        return value.numpy() if isinstance(value, Tensor) else value

    def _restore(self, key, value, param, position):
        if key in self.count_keys:
            count = np.asarray(value, dtype=np.float64).reshape(())
            return Tensor(backend.array_from_numpy(count, param.device))
        if key not in self.tensor_state_keys:
            name = type(self).__name__
            raise KeyError(f"{name}.load_state_dict: parameter {position} has state {key!r}, "
                           f"which {name} does not keep (its state: "
                           f"{sorted(self.count_keys + self.tensor_state_keys)})")
        if value is None:
            return None
        if tuple(value.shape) != param.shape:
            raise ValueError(f"{type(self).__name__}.load_state_dict: {key} of shape "
                             f"{tuple(value.shape)} for a parameter of shape {param.shape}")
        value = np.asarray(value)
        if key in self.nonnegative_state_keys and not np.all(np.isfinite(value) & (value >= 0)):
            raise ValueError(f"{type(self).__name__}.load_state_dict: {key} of parameter "
                             f"{position} holds negative or non-finite values "
                             f"(smallest {value.min()}, largest {value.max()}); a mean of "
                             "squares is finite and >= 0")
        return Tensor(backend.array_from_numpy(value, param.device, param.dtype))

