"""PyTorch's ``torch.utils`` names: ``data`` (``TensorDataset``, ``DataLoader``) and
``benchmark`` (``Timer``)."""

from . import benchmark, data

__all__ = ["benchmark", "data"]
