"""What every optimizer shares: its parameters, hyperparameters, per-parameter state, and
saving/restoring that state."""

import numpy as np

from .. import backend
from ..tensor import Tensor


def with_weight_decay(param, hyperparameters):
    """param.grad + weight_decay * param (PyTorch's L2 penalty), or param.grad itself when the
    hyperparameters have no weight_decay."""
    decay = hyperparameters.get("weight_decay")
    return param.grad if not decay else param.grad + decay * param.detach()


def check_hyperparameters(optimizer):
    """Refuse, as PyTorch does, a setting no step can use: lr, eps, weight_decay, momentum or
    alpha below 0 or nan (``not value >= 0`` is true for both), or a beta outside [0, 1)."""
    name = type(optimizer).__name__
    for key in ("lr", "eps", "weight_decay", "momentum", "alpha"):
        value = optimizer.hyperparameters.get(key, 0.0)
        if not value >= 0:
            raise ValueError(f"{name}: invalid {key}: {value} (expected a number >= 0)")
    for index, beta in enumerate(optimizer.hyperparameters.get("betas", ())):
        if not 0 <= beta < 1:
            raise ValueError(f"{name}: invalid beta parameter at index {index}: {beta} "
                             "(expected 0 <= beta < 1)")


class Optimizer:
    tensor_state_keys = ()  # the state entries that are tensors shaped like the parameter
    count_keys = ()  # the state entries that are counts kept as float64 0-d tensors (step)
    nonnegative_state_keys = ()  # the tensor entries that are running means of squares

    def __init__(self, params, **hyperparameters):
        self.params = list(params)
        if self.params and isinstance(self.params[0], dict):
            raise TypeError(f"{type(self).__name__}: parameter groups (a list of dicts, each with "
                            "its own settings) are not supported: minigrad's optimizers have one "
                            "group. Make one optimizer per group of settings")
        if not self.params:
            raise ValueError(f"{type(self).__name__}: got an empty list of parameters")
        for position, p in enumerate(self.params):
            if not isinstance(p, Tensor) or not p.requires_grad or not p.is_leaf:
                raise ValueError(f"{type(self).__name__}: parameter {position} must be a leaf "
                                 "tensor that requires grad")
        self.hyperparameters = hyperparameters
        check_hyperparameters(self)
        self.state = {}

    @property
    def lr(self):
        return self.hyperparameters["lr"]

    @lr.setter
    def lr(self, value):
        self.hyperparameters["lr"] = value

    @property
    def param_groups(self):
        """PyTorch's ``optimizer.param_groups``: here always one group, a dict-like view whose
        "params" are the parameters and whose other keys are the hyperparameters (so that
        ``for g in opt.param_groups: g["lr"] = 0.01`` changes the learning rate)."""
        return [ParamGroup(self)]

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
        return (type(self).__name__, tuple(sorted(self.hyperparameters.items())), plain)

    def state_dict(self):
        """Hyperparameters and per-parameter state (by parameter position) as plain values and
        numpy arrays, so that it can be saved without pickling."""
        per_param = {}
        for position, p in enumerate(self.params):
            if p in self.state:
                per_param[position] = {key: self._plain(key, value)
                                       for key, value in self.state[p].items()}
        return {"hyperparameters": dict(self.hyperparameters), "state": per_param}

    def load_state_dict(self, state_dict):
        self.hyperparameters.update(state_dict["hyperparameters"])
        check_hyperparameters(self)
        self.state = {}
        for position, entries in state_dict["state"].items():
            position = int(position)
            if not 0 <= position < len(self.params):
                raise KeyError(f"{type(self).__name__}.load_state_dict: state for parameter "
                               f"{position}, but there are {len(self.params)} parameters")
            self.state[self.params[position]] = {key: self._restore(key, value, position)
                                                 for key, value in entries.items()}

    def _plain(self, key, value):
        """A state entry as a numpy array (tensors) or a Python number (counts)."""
        if key in self.count_keys:
            return int(value.item())
        return value.numpy() if isinstance(value, Tensor) else value

    def _restore(self, key, value, position):
        param = self.params[position]
        if key in self.count_keys:
            count = np.asarray(value, dtype=np.float64).reshape(())
            return Tensor(backend.array_from_numpy(count, param.device))
        if key not in self.tensor_state_keys:
            return value.item() if isinstance(value, np.ndarray) else value
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


class ParamGroup:
    """The one parameter group of an :class:`Optimizer`: ``group["params"]`` its parameters,
    ``group[name]`` its hyperparameters, read and written through."""

    def __init__(self, optimizer):
        self._optimizer = optimizer

    def __getitem__(self, key):
        if key == "params":
            return self._optimizer.params
        return self._optimizer.hyperparameters[key]

    def __setitem__(self, key, value):
        if key == "params" or key not in self._optimizer.hyperparameters:
            raise KeyError(f"param_groups: {key!r} cannot be set; the hyperparameters of "
                           f"{type(self._optimizer).__name__} are "
                           f"{sorted(self._optimizer.hyperparameters)}")
        self._optimizer.hyperparameters[key] = value

    def keys(self):
        return ["params", *self._optimizer.hyperparameters]

    def __contains__(self, key):
        return key in self.keys()

    def get(self, key, default=None):
        return self[key] if key in self else default
