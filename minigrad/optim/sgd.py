"""Stochastic gradient descent with optional momentum (PyTorch's form)."""

from ..grad_mode import no_grad
from .optimizer import Optimizer, with_weight_decay


class SGD(Optimizer):
    """p <- p - lr * b,  with b <- momentum * b + g  (b = g when momentum is 0), and
    g = grad + weight_decay * p (PyTorch's L2 penalty; kept among the hyperparameters only when
    it is not 0)."""

    tensor_state_keys = ("momentum_buffer",)
    pytorch_only = {**Optimizer.pytorch_only, "nesterov": (False,), "dampening": (0,)}

    def __init__(self, params, lr, momentum=0.0, weight_decay=0.0):
        super().__init__(params, lr=lr, momentum=momentum, weight_decay=weight_decay)

    def _init_state(self, param):
        return {"momentum_buffer": None}

    @no_grad()
    def step(self):
        for param, settings in self.params_with_grads():
            lr, momentum = settings["lr"], settings["momentum"]
            direction = with_weight_decay(param, settings)
            if momentum:
                state = self.state_of(param)
                buffer = state["momentum_buffer"]
                # a new tensor either way: the buffer must not alias param.grad, which users
                # may zero in place
                direction = direction * 1.0 if buffer is None else momentum * buffer + direction
                state["momentum_buffer"] = direction
            param._set_array((param.detach() - lr * direction).array)
