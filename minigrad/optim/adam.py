"""Adam: one pure, differentiable update (:func:`adam_update`) used both by the :class:`Adam`
optimizer and by the unrolled GAN, so there is one Adam in the codebase."""

from collections import namedtuple

from ..creation import full, zeros_like
from ..tensor import Tensor
from ..grad_mode import no_grad
from ..ops.adam import AdamStep, MovingAverage, MovingAverageOfSquare
from .optimizer import Optimizer, with_weight_decay

EPS_ROOT = 1e-39  # below float32's smallest normal number (1.2e-38): see adam_update


def adam_update(param, grad, m, v, step, lr=1e-3, betas=(0.9, 0.999), eps=1e-8,
                eps_root=EPS_ROOT):
    """One Adam step (PyTorch's update rule, bias-corrected; ``step`` counts from 1):

        m' = b1 m + (1 - b1) g
        v' = b2 v + (1 - b2) g^2
        p' = p - lr * (m' / c1) / (sqrt(v' / c2 + eps_root) + eps),   c_i = 1 - b_i^step

    Returns (p', m', v'). Built from differentiable ops: with ``create_graph=True`` gradients flow
    through any number of chained updates, into p, g, m and v.

    Why ``eps_root``: d sqrt(u)/du = 1 / (2 sqrt(u)) is infinite at u = 0, and u = v'/c2 is
    exactly 0 for a parameter whose gradient has always been exactly 0 (a dead ReLU unit). The
    second derivative would then be inf * 0 = nan. ``eps_root`` keeps the root's argument
    strictly positive and every derivative finite. Its default, 1e-39, is too small to change
    any float32 step with eps >= 1e-8: added to a float32 v'/c2 of at least 2^-60 it is lost in
    rounding, and below that both sqrt(v'/c2) and sqrt(v'/c2 + 1e-39) are under half a unit in
    the last place of eps, so d = eps either way (``tests/minigrad/ops/test_adam.py``
    checks every float32 value around the boundaries). A larger ``eps_root`` (1e-16 here
    before) changes the step for gradients of about 1e-8, and a GAN's trajectory then drifts
    away from PyTorch's. 1e-39 is a subnormal float32: a device that flushes subnormals to zero
    would lose the guard in float32 (numpy keeps them). The
    :class:`Adam` optimizer never differentiates its step and passes ``eps_root=0``: exactly
    PyTorch's rule.

    The bias corrections c1, c2 are computed in double precision from ``step`` (a number, or a
    float64 0-d tensor as in :class:`Adam`'s state, so that a compiled training step reads the
    step from its state instead of freezing it): in float32, 1 - b2^t for small t loses digits,
    and on the first step from m = v = 0 that error is amplified by about |g| / eps in the
    derivative.

    The three lines are three fused primitives (``minigrad.ops.adam``), so that a chain of K
    updates records 3K graph nodes per parameter rather than 14K.
    """
    if isinstance(step, (int, float)) and not step >= 1:
        raise ValueError(f"adam_update: step counts from 1 (the bias corrections divide by "
                         f"1 - beta^step), got step={step!r}")
    beta1, beta2 = betas
    m = MovingAverage.apply(m, grad, beta=beta1)
    v = MovingAverageOfSquare.apply(v, grad, beta=beta2)
    param = AdamStep.apply(param, m, v, step_tensor(step, param), lr=lr, beta1=beta1,
                           beta2=beta2, eps=eps, eps_root=eps_root)
    return param, m, v


def step_tensor(step, like):
    """The step number as a float64 0-d tensor on ``like``'s device (it may be given as a
    number, or already be such a tensor, as in an optimizer's state)."""
    if isinstance(step, Tensor):
        return step
    return full((), step, dtype="float64", device=like.device)


class AdamState(namedtuple("AdamState", "m v step lr betas eps")):
    """What one parameter's Adam update starts from: its moments ``m`` and ``v`` (``exp_avg``,
    ``exp_avg_sq``), the number of steps it has taken (the state's float64 0-d tensor; the int 0
    before the first) and the optimizer's hyperparameters. The next step is ``step + 1``."""


class Adam(Optimizer):
    """Adam (Kingma & Ba) with PyTorch's defaults and state names (``exp_avg``, ``exp_avg_sq``,
    ``step`` in ``optimizer.state[param]``). As in PyTorch, ``step`` is a tensor (float64, 0-d),
    so that a compiled training step reads it from the state; ``state_dict`` gives it as an int.

    The update is PyTorch's exactly: ``adam_update`` with ``eps_root=0`` (the optimizer's step
    is never differentiated, so it needs no guard for second derivatives). ``weight_decay``
    adds weight_decay * p to the gradient first, as PyTorch's Adam (kept among the
    hyperparameters only when it is not 0). Each parameter group steps with its own
    hyperparameters."""

    tensor_state_keys = ("exp_avg", "exp_avg_sq")
    nonnegative_state_keys = ("exp_avg_sq",)
    count_keys = ("step",)
    pytorch_only = {**Optimizer.pytorch_only, "amsgrad": (False,),
                    "decoupled_weight_decay": (False,)}

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        super().__init__(params, lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay)

    def _init_state(self, param):
        return {"step": step_tensor(0, param), "exp_avg": zeros_like(param),
                "exp_avg_sq": zeros_like(param)}

    def state_view(self, param):
        """``param``'s state as an :class:`AdamState`, with its group's hyperparameters: zeros
        and step 0 before its first step. Unlike ``state_of`` it creates nothing; the tensors are
        the state's own (not copies)."""
        state = self.state.get(param)
        settings = self.hyperparameters_of(param)
        if state is None:
            m, v, step = zeros_like(param), zeros_like(param), 0
        else:
            m, v, step = state["exp_avg"], state["exp_avg_sq"], state["step"]
        return AdamState(m, v, step, settings["lr"], settings["betas"], settings["eps"])

    @no_grad()
    def step(self):
        for param, settings in self.params_with_grads():
            state = self.state_of(param)
            state["step"] = state["step"] + 1
            new_param, state["exp_avg"], state["exp_avg_sq"] = adam_update(
                param.detach(), self._gradient(param, settings), state["exp_avg"],
                state["exp_avg_sq"], state["step"], lr=settings["lr"], betas=settings["betas"],
                eps=settings["eps"], eps_root=0.0)
            param._set_array(new_param.array)

    def _gradient(self, param, settings):
        """The gradient the step follows: with PyTorch's L2 term when weight_decay is set."""
        return with_weight_decay(param, settings)


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter), PyTorch's ``AdamW``: each step
    first shrinks p to p (1 - lr weight_decay), then takes Adam's step on the gradient alone.
    ``weight_decay`` defaults to 0.01, as PyTorch's."""

    dropped_when_zero = ()  # AdamW's weight_decay is always among its hyperparameters
    pytorch_only = {**Adam.pytorch_only, "decoupled_weight_decay": (True,)}

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01):
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay)

    @no_grad()
    def step(self):
        for param, settings in self.params_with_grads():
            shrink = 1.0 - settings["lr"] * settings["weight_decay"]
            param._set_array((param.detach() * shrink).array)
        super().step()

    def _gradient(self, param, settings):
        return param.grad  # the decay is decoupled: not part of the gradient
