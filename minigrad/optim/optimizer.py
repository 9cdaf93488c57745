"""What every optimizer shares: its parameters, hyperparameters, per-parameter state, and
saving/restoring that state."""

import numpy as np

from .. import backend
from ..tensor import Tensor


class Optimizer:
    tensor_state_keys = ()  # the state entries that are tensors shaped like the parameter

    def __init__(self, params, **hyperparameters):
        self.params = list(params)
        if not self.params:
            raise ValueError(f"{type(self).__name__}: got an empty list of parameters")
        for position, p in enumerate(self.params):
            if not isinstance(p, Tensor) or not p.requires_grad or not p.is_leaf:
                raise ValueError(f"{type(self).__name__}: parameter {position} must be a leaf "
                                 "tensor that requires grad")
        self.hyperparameters = hyperparameters
        self.state = {}

    @property
    def lr(self):
        return self.hyperparameters["lr"]

    @lr.setter
    def lr(self, value):
        self.hyperparameters["lr"] = value

    def state_of(self, param):
        """This parameter's state, created on first use."""
        if param not in self.state:
            self.state[param] = self._init_state(param)
        return self.state[param]

    def zero_grad(self):
        for p in self.params:
            p.grad = None

    def state_dict(self):
        """Hyperparameters and per-parameter state (by parameter position) as plain values and
        numpy arrays, so that it can be saved without pickling."""
        per_param = {}
        for position, p in enumerate(self.params):
            if p in self.state:
                per_param[position] = {key: value.numpy() if isinstance(value, Tensor) else value
                                       for key, value in self.state[p].items()}
        return {"hyperparameters": dict(self.hyperparameters), "state": per_param}

    def load_state_dict(self, state_dict):
        self.hyperparameters.update(state_dict["hyperparameters"])
        self.state = {}
        for position, entries in state_dict["state"].items():
            position = int(position)
            if not 0 <= position < len(self.params):
                raise KeyError(f"{type(self).__name__}.load_state_dict: state for parameter "
                               f"{position}, but there are {len(self.params)} parameters")
            p = self.params[position]
            self.state[p] = {key: self._restore(key, value, p) for key, value in entries.items()}

    def _restore(self, key, value, param):
        if key not in self.tensor_state_keys:
            return value.item() if isinstance(value, np.ndarray) else value
        if value is None:
            return None
        if tuple(value.shape) != param.shape:
            raise ValueError(f"{type(self).__name__}.load_state_dict: {key} of shape "
                             f"{tuple(value.shape)} for a parameter of shape {param.shape}")
        return Tensor(backend.from_numpy(np.asarray(value), param.device, param.dtype))
