"""Loss modules, PyTorch's ``nn.MSELoss`` ..., each calling its function in
:mod:`minigrad.nn.functional` with the options it was made with."""

from . import functional as F
from .module import Module


class _Loss(Module):
    """forward(input, target) = function(input, target, reduction, **options), with the buffer
    ``weight`` too where the module has one."""

    function = None

    def __init__(self, reduction="mean", **options):
        super().__init__()
        self.reduction, self.options = reduction, options

    def forward(self, prediction, target):
        weighted = {"weight": self._buffers["weight"]} if "weight" in self._buffers else {}
        return type(self).function(prediction, target, reduction=self.reduction, **weighted,
                                   **self.options)

    def extra_repr(self):
        return ", ".join([f"reduction={self.reduction!r}"]
                         + [f"{name}={value!r}" for name, value in self.options.items()])


def _loss(name, function, doc):
    return type(name, (_Loss,), {"function": staticmethod(function), "__doc__": doc})


MSELoss = _loss("MSELoss", F.mse_loss, "Mean squared error, ``F.mse_loss``.")
BCELoss = _loss("BCELoss", F.binary_cross_entropy,
                "Binary cross-entropy on probabilities, ``F.binary_cross_entropy``.")
BCEWithLogitsLoss = _loss("BCEWithLogitsLoss", F.binary_cross_entropy_with_logits,
                          "Binary cross-entropy on logits, ``F.binary_cross_entropy_with_logits``.")


class NLLLoss(_Loss):
    """Negative log likelihood of class indices, ``F.nll_loss``; ``weight`` (C,), if given, is a
    buffer (``.to()`` moves it)."""

    function = staticmethod(F.nll_loss)

    def __init__(self, weight=None, *, ignore_index=-100, reduction="mean"):
        super().__init__(reduction, ignore_index=ignore_index)
        if weight is not None:
            self.register_buffer("weight", weight)


class CrossEntropyLoss(NLLLoss):
    """Cross-entropy of logits and class indices or probabilities, ``F.cross_entropy``."""

    function = staticmethod(F.cross_entropy)

    def __init__(self, weight=None, *, ignore_index=-100, reduction="mean", label_smoothing=0.0):
        super().__init__(weight, ignore_index=ignore_index, reduction=reduction)
        self.options["label_smoothing"] = label_smoothing
