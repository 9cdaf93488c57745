"""RMSprop (Tieleman & Hinton), PyTorch's form without momentum or centering."""

from ..creation import zeros_like
from ..grad_mode import no_grad
from .adam import step_tensor
from .optimizer import Optimizer, with_weight_decay


class RMSprop(Optimizer):
    """v <- alpha v + (1 - alpha) g^2,  p <- p - lr g / (sqrt(v) + eps), with PyTorch's
    defaults and state names (``square_avg``, and ``step``, the steps taken, which the update
    does not read); g includes weight_decay * p when that is set."""

    tensor_state_keys = ("square_avg",)
    nonnegative_state_keys = ("square_avg",)
    count_keys = ("step",)
    pytorch_only = {**Optimizer.pytorch_only, "centered": (False,), "momentum": (0,)}

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0):
        super().__init__(params, lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay)

    def _init_state(self, param):
        return {"step": step_tensor(0, param), "square_avg": zeros_like(param)}

    @no_grad()
    def step(self):
        for param, settings in self.params_with_grads():
            lr, alpha, eps = (settings[key] for key in ("lr", "alpha", "eps"))
            g = with_weight_decay(param, settings)
            state = self.state_of(param)
            state["step"] = state["step"] + 1
            state["square_avg"] = alpha * state["square_avg"] + (1.0 - alpha) * g * g
            param._set_array((param.detach() - lr * g / (state["square_avg"].sqrt() + eps)).array)
