"""PyTorch's ``torch.utils`` names: ``data`` (``TensorDataset``, ``DataLoader``)."""

from . import data

__all__ = ["data"]
