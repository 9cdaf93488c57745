"""Loss modules, PyTorch's ``nn.MSELoss`` ..., each calling its function in
:mod:`minigrad.nn.functional` with the options it was made with."""

from . import functional as F
from .module import Module


class _Loss(Module):
    """forward(input, target) = function(input, target, reduction=..., **options), with the
    module's tensors (class weights ...) passed by name too: they are buffers, so ``.to()``
    moves them."""

    function = None

    def __init__(self, reduction="mean", tensors=None, **options):
        super().__init__()
        self.reduction, self.options = reduction, options
        for name, tensor in (tensors or {}).items():
            if tensor is not None:
                self.register_buffer(name, tensor)

    def forward(self, prediction, target):
        return type(self).function(prediction, target, reduction=self.reduction,
                                   **self._buffers, **self.options)

    def extra_repr(self):
        return ", ".join([f"reduction={self.reduction!r}"]
                         + [f"{name}={value!r}" for name, value in self.options.items()])


class MSELoss(_Loss):
    """Mean squared error, ``F.mse_loss``."""

    function = staticmethod(F.mse_loss)


class BCELoss(_Loss):
    """Binary cross-entropy on probabilities, ``F.binary_cross_entropy``."""

    function = staticmethod(F.binary_cross_entropy)

    def __init__(self, weight=None, *, reduction="mean"):
        super().__init__(reduction, {"weight": weight})


class BCEWithLogitsLoss(_Loss):
    """Binary cross-entropy on logits, ``F.binary_cross_entropy_with_logits``."""

    function = staticmethod(F.binary_cross_entropy_with_logits)

    def __init__(self, weight=None, *, reduction="mean", pos_weight=None):
        super().__init__(reduction, {"weight": weight, "pos_weight": pos_weight})


class NLLLoss(_Loss):
    """Negative log likelihood of class indices, ``F.nll_loss``."""

    function = staticmethod(F.nll_loss)

    def __init__(self, weight=None, *, ignore_index=-100, reduction="mean"):
        super().__init__(reduction, {"weight": weight}, ignore_index=ignore_index)


class CrossEntropyLoss(_Loss):
    """Cross-entropy of logits and class indices or probabilities, ``F.cross_entropy``."""

    function = staticmethod(F.cross_entropy)

    def __init__(self, weight=None, *, ignore_index=-100, reduction="mean", label_smoothing=0.0):
        super().__init__(reduction, {"weight": weight}, ignore_index=ignore_index,
                         label_smoothing=label_smoothing)
